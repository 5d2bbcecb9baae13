import { createHmac, timingSafeEqual } from 'crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com), as the API signs its deliveries: the signing secret is
 * `whsec_` followed by the base64 of the key; `Webhook-Signature` carries one or more space-separated
 * `v1,<base64 of HMAC-SHA256(key, "<Webhook-Id>.<Webhook-Timestamp>.<raw body>")>`. Plain functions, no n8n types.
 */

export const SECRET_PREFIX = 'whsec_';

/**
 * How far `Webhook-Timestamp` may be from n8n's clock, either way: 5 minutes, the Standard Webhooks default. A
 * delivery recorded and replayed later, or one whose timestamp lies in the future, is refused.
 */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** Longer ids are not event ids; refusing them keeps the dedupe record small. */
const MAX_EVENT_ID_LENGTH = 200;

/** The three headers a delivery carries, as they arrived (absent when missing). */
export interface SignedHeaders {
	id?: string;
	timestamp?: string;
	signature?: string;
}

export type RefusalReason = 'notSubscribed' | 'badHeaders' | 'stale' | 'badSignature';

export type Verdict = { ok: true; eventId: string } | { ok: false; reason: RefusalReason };

/** What each refusal means, for the answer to the sender and for n8n's log. Never names the secret. */
export const REFUSAL_TEXT: Record<RefusalReason, string> = {
	notSubscribed: 'this trigger holds no signing secret (activate the workflow again)',
	badHeaders: 'the Webhook-Id, Webhook-Timestamp or Webhook-Signature header is missing or malformed',
	stale: `the Webhook-Timestamp is more than ${TIMESTAMP_TOLERANCE_SECONDS / 60} minutes from now`,
	badSignature: 'the signature does not match',
};

/** The HMAC key a secret stands for: the base64-decoded part after `whsec_`. */
export function signingKey(secret: string): Buffer {
	return Buffer.from(
		secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
		'base64',
	);
}

/** Whether a value can be kept as a signing secret: `whsec_` and a key of at least 16 bytes. */
export function isSigningSecret(value: unknown): value is string {
	return typeof value === 'string' && value.startsWith(SECRET_PREFIX) && signingKey(value).length >= 16;
}

/** A header's single value: the first when it arrived more than once, undefined when empty. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function expectedSignature(key: Buffer, id: string, timestamp: string, rawBody: Buffer): Buffer {
	return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
}

/** Whether one of the header's `v1,…` entries is the expected signature; each compared in constant time. */
function signatureMatches(header: string, expected: Buffer): boolean {
	let matched = false;
	for (const entry of header.split(/\s+/)) {
		const comma = entry.indexOf(',');
		if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
		const given = Buffer.from(entry.slice(comma + 1), 'base64');
		// Every entry is compared, a match found early or not, so the time taken says nothing about which one.
		if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
	}
	return matched;
}

/**
 * Whether a delivery was signed with `secret` and sent within the tolerance of `nowSeconds`. The raw body is
 * verified as the bytes that arrived, before anything reads it as JSON.
 */
export function verifyDelivery(
	secret: string | undefined,
	headers: SignedHeaders,
	rawBody: Buffer,
	nowSeconds: number,
): Verdict {
	if (!isSigningSecret(secret)) return { ok: false, reason: 'notSubscribed' };
	const { id, timestamp, signature } = headers;
	if (
		id === undefined ||
		signature === undefined ||
		id.length > MAX_EVENT_ID_LENGTH ||
		!/^[\x21-\x7e]+$/.test(id) ||
		!/^\d{1,12}$/.test(timestamp ?? '')
	) {
		return { ok: false, reason: 'badHeaders' };
	}
	const expected = expectedSignature(signingKey(secret), id, timestamp as string, rawBody);
	if (!signatureMatches(signature, expected)) return { ok: false, reason: 'badSignature' };
	// Checked after the signature, so that only the API's own (signed) timestamps are judged by age.
	if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
		return { ok: false, reason: 'stale' };
	}
	return { ok: true, eventId: id };
}
