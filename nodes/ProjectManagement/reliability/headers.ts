/**
 * What the API's answers say about waiting: `Retry-After` (RFC 9110) and the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` and `RateLimit`). One reading of each, used by the
 * retry decision (retry.ts) and by the pacing of a whole run (pacing.ts). Plain functions, no n8n types.
 */

export type HeaderBag = Record<string, string | string[] | number | undefined>;

/** A header's value, whatever case its name arrived in. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted || value === undefined) continue;
		return Array.isArray(value) ? value[0] : String(value);
	}
	return undefined;
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** The three forms of an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, the obsolete RFC 850 form, asctime. */
const HTTP_DATE = new RegExp(
	`^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT|${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
);

/**
 * `Retry-After` (RFC 9110 §10.2.3) in milliseconds from `nowMs`: delta-seconds or an HTTP-date, nothing else
 * (text that merely contains a year is not a date). A date in the past means "now" (0). Anything else is ignored
 * (undefined).
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.trim();
	if (trimmed === '') return undefined;
	if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
	if (!HTTP_DATE.test(trimmed)) return undefined;
	const at = Date.parse(/GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`);
	if (Number.isNaN(at)) return undefined;
	return Math.max(0, at - nowMs);
}

interface Member {
	/** A bare integer as the member's value (older drafts wrote the quota that way). */
	value?: number;
	params: Record<string, number>;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
	const parts: string[] = [];
	let current = '';
	let quoted = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (char === '\\' && quoted) {
			current += char + (text[index + 1] ?? '');
			index++;
			continue;
		}
		if (char === '"') quoted = !quoted;
		if (char === separator && !quoted) {
			parts.push(current);
			current = '';
		} else {
			current += char;
		}
	}
	parts.push(current);
	return parts;
}

/**
 * The members of a structured-field list such as `"burst";q=100;w=1, "daily";q=1000;w=86400`, with their
 * numeric parameters. Non-numeric parameters (a partition key) are left out.
 */
export function parseRateLimitMembers(value: string | undefined): Member[] {
	if (value === undefined) return [];
	const members: Member[] = [];
	for (const raw of splitOutsideQuotes(value, ',')) {
		const [head, ...params] = splitOutsideQuotes(raw, ';').map((part) => part.trim());
		if (head === undefined || head === '') continue;
		const member: Member = { params: {} };
		if (/^\d+$/.test(head)) member.value = Number(head);
		for (const param of params) {
			const match = /^([a-z][a-z0-9_-]*)=(-?\d+(?:\.\d+)?)$/i.exec(param);
			if (match) member.params[match[1].toLowerCase()] = Number(match[2]);
		}
		members.push(member);
	}
	return members;
}

/** Requests per second that `RateLimit-Policy` grants: the most restrictive of its policies, q / w. */
export function policyRatePerSecond(value: string | undefined): number | undefined {
	let slowest: number | undefined;
	for (const member of parseRateLimitMembers(value)) {
		const quota = member.params.q ?? member.value;
		const windowSeconds = member.params.w;
		if (quota === undefined || windowSeconds === undefined || !(quota > 0) || !(windowSeconds > 0)) continue;
		const rate = quota / windowSeconds;
		slowest = slowest === undefined ? rate : Math.min(slowest, rate);
	}
	return slowest;
}

/**
 * A quota used up according to `RateLimit` (`r=0`): milliseconds until it resets (`t`). With several quotas
 * used up, the one that resets last.
 */
export function exhaustedQuotaResetMs(value: string | undefined): number | undefined {
	let longest: number | undefined;
	for (const member of parseRateLimitMembers(value)) {
		const remaining = member.params.r;
		const reset = member.params.t;
		if (remaining !== 0 || reset === undefined || !(reset > 0)) continue;
		longest = Math.max(longest ?? 0, reset * 1000);
	}
	return longest;
}

/** The wait the server asked for, if any: Retry-After first, then a used-up RateLimit quota. */
export function serverRequestedWaitMs(headers: HeaderBag, nowMs: number): number | undefined {
	return (
		parseRetryAfter(headerValue(headers, 'retry-after'), nowMs) ??
		exhaustedQuotaResetMs(headerValue(headers, 'ratelimit'))
	);
}
