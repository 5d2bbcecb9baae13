import type { HeaderBag } from './headers';
import { serverRequestedWaitMs } from './headers';

/**
 * When to try a request again, and how long to wait first. Plain functions, no n8n types, so that the policy
 * can be read and tested on its own; transport/ wires it to n8n's request helper.
 */

export interface RetryPolicy {
	/** Attempts in all, the first one included. */
	maxAttempts: number;
	/** Base of the exponential backoff. */
	baseDelayMs: number;
	/** Cap of one backoff step (full jitter draws below it). */
	maxBackoffMs: number;
	/** The longest single wait after an error the user accepts; a server asking for more ends the retries. */
	maxWaitMs: number;
	/**
	 * The most time in all one item may wait because the API said it is busy and when to come back (a 429 or 503
	 * with Retry-After, or a used-up RateLimit quota). Such waits are not attempts: a rate limit is a wait, not a
	 * failure, until this is used up.
	 */
	maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxBackoffMs: 20_000,
	maxWaitMs: 60_000,
	maxRateLimitWaitMs: 300_000,
};

/**
 * Requests that waited out the same rate limit go out spread over a short window after the moment the API named
 * (never before it): this share of the wait, at most RELEASE_SPREAD_MAX_MS.
 */
export const RELEASE_SPREAD_SHARE = 0.25;
export const RELEASE_SPREAD_MAX_MS = 1_000;

/** What one attempt came back with, reduced to what the decision needs. */
export type AttemptResult =
	| { kind: 'response'; statusCode: number; headers: HeaderBag; errorCode?: string }
	| { kind: 'network'; code: string };

export type RetryDecision =
	| {
			retry: true;
			delayMs: number;
			reason: string;
			/** The API said it is busy and when to come back: a wait that does not use up an attempt. */
			rateLimited: boolean;
	  }
	| {
			retry: false;
			reason: string;
			retryable: boolean;
			/** Set when the retries end because the API asked for a longer wait than the user allows. */
			askedToWaitMs?: number;
			/** Set when that wait was a rate limit's, beyond what was left of Max Rate-Limit Wait. */
			rateLimited?: boolean;
	  };

/** What one call has used up so far. */
export interface RetryCount {
	/** Attempts that ended in an error (or the first attempt), 1-based like `attempt` in the loop. */
	attempt: number;
	/** Time already waited for the API's rate limit. */
	rateLimitWaitedMs: number;
	/** Rate-limit waits so far (bounded by MAX_RATE_LIMIT_WAITS). */
	rateLimitWaits?: number;
}

/**
 * The most rate-limit waits of one call, whatever their length: beyond this, a rate limit counts as an error
 * attempt again, so that an API answering "come back in 1 ms" forever cannot keep a request loop going.
 */
export const MAX_RATE_LIMIT_WAITS = 100;

/** Error codes in a 409 body that mean "the same request is still running", not a business conflict. */
const IN_PROGRESS_CONFLICT_CODES = new Set(['IDEMPOTENCY_KEY_IN_USE', 'REQUEST_IN_PROGRESS']);

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Whether a status may succeed when sent again with the same idempotency key. 4xx answers other than these
 * (400, 401, 403, 404, 409 duplicate, 413, 422) describe the request itself and would fail the same way.
 */
export function isRetryableStatus(statusCode: number, errorCode?: string): boolean {
	if (statusCode === 409) return errorCode !== undefined && IN_PROGRESS_CONFLICT_CODES.has(errorCode);
	return RETRYABLE_STATUS.has(statusCode);
}

/**
 * Network failures worth another attempt. With an idempotency key every one of them is safe, including a
 * timeout or reset after the server may have committed: the retry is answered from the server's store.
 * A host that does not resolve (ENOTFOUND) is left out: that is a wrong Base URL, not a passing fault.
 */
const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ERR_BAD_RESPONSE',
	'ERR_STREAM_PREMATURE_CLOSE',
	'UND_ERR_SOCKET',
	'TRUNCATED_BODY',
	'TIMEOUT',
]);

export function isRetryableNetworkCode(code: string): boolean {
	return RETRYABLE_NETWORK_CODES.has(code);
}

/** Network failures that prove the request never reached the API: nothing can have been done. */
const NEVER_SENT_CODES = new Set([
	'ECONNREFUSED',
	'EAI_AGAIN',
	'ENOTFOUND',
	'ENETUNREACH',
	'EHOSTUNREACH',
	// n8n could not get an OAuth2 access token, so it sent nothing to the API.
	'EAUTH',
]);

/**
 * Whether the API may have carried out an attempt that ended this way without the client hearing of it: the
 * connection broke or timed out after sending, a server or gateway error (500, 502, 504), or a 409 saying that
 * a request with this key is still being processed (by an earlier attempt, or by another run of the workflow).
 */
export function mayHaveCommitted(result: AttemptResult): boolean {
	if (result.kind === 'network') return !NEVER_SENT_CODES.has(result.code);
	const { statusCode, errorCode } = result;
	if (statusCode === 500 || statusCode === 502 || statusCode === 504) return true;
	return statusCode === 409 && errorCode !== undefined && IN_PROGRESS_CONFLICT_CODES.has(errorCode);
}

/**
 * Whether a last answer settles what earlier attempts with the same key did. An answer about the request itself
 * (400 invalid data, 404, 409 duplicate name, 413, 415, 422 key reuse) comes from checks every identical attempt
 * met, or from the API's idempotency layer, which would have replayed an earlier success: nothing was created.
 * Answers that say nothing about this key (401 and 403, which the API gives before looking at it, such as for a
 * token that expired), answers worth retrying and server errors settle nothing.
 */
export function settlesOutcome(result: AttemptResult): boolean {
	if (result.kind === 'network') return false;
	const { statusCode, errorCode } = result;
	if (statusCode >= 200 && statusCode < 300) return true;
	if (statusCode < 400 || statusCode >= 500 || statusCode === 401 || statusCode === 403) return false;
	return !isRetryableStatus(statusCode, errorCode);
}

/** Full jitter (AWS): a uniform draw in [0, min(cap, base · 2^retry)). `retryNumber` starts at 0. */
export function fullJitterDelay(retryNumber: number, policy: RetryPolicy, random: () => number): number {
	const ceiling = Math.min(policy.maxBackoffMs, policy.baseDelayMs * 2 ** retryNumber);
	return Math.floor(random() * ceiling);
}

/**
 * A wait the API asked for because it is busy, with a time to come back: 429 or 503 with a Retry-After above 0,
 * or a used-up RateLimit quota. Undefined for anything else (an error to retry with backoff, or not at all).
 */
export function rateLimitWaitMs(result: AttemptResult, nowMs: number): number | undefined {
	if (result.kind !== 'response' || (result.statusCode !== 429 && result.statusCode !== 503))
		return undefined;
	const requested = serverRequestedWaitMs(result.headers, nowMs);
	return requested !== undefined && requested > 0 ? requested : undefined;
}

/**
 * Decide what follows an attempt. A rate limit with a time to come back is waited out (spread over a short
 * window after that time, so that the requests it held do not all return at once) while the item's rate-limit
 * budget lasts, without using up an attempt. Otherwise: a server-requested wait is never undercut; when it is
 * longer than the user's maximum wait, or the attempts are used up, the retries end.
 */
export function decideRetry(
	result: AttemptResult,
	count: RetryCount,
	policy: RetryPolicy,
	nowMs: number,
	random: () => number,
): RetryDecision {
	let reason: string;
	let requestedMs: number | undefined;
	if (result.kind === 'network') {
		reason = `network error ${result.code}`;
		if (!isRetryableNetworkCode(result.code)) return { retry: false, reason, retryable: false };
	} else {
		reason = `HTTP ${result.statusCode}${result.errorCode ? ` ${result.errorCode}` : ''}`;
		if (!isRetryableStatus(result.statusCode, result.errorCode)) {
			return { retry: false, reason, retryable: false };
		}
		requestedMs = serverRequestedWaitMs(result.headers, nowMs);
	}

	const rateLimitMs = rateLimitWaitMs(result, nowMs);
	if (rateLimitMs !== undefined && (count.rateLimitWaits ?? 0) < MAX_RATE_LIMIT_WAITS) {
		if (count.rateLimitWaitedMs + rateLimitMs > policy.maxRateLimitWaitMs) {
			return {
				retry: false,
				reason: `${reason}; the API asked to wait ${Math.ceil(rateLimitMs / 1000)} s more after ${Math.round(count.rateLimitWaitedMs / 1000)} s of waiting for its rate limit`,
				retryable: true,
				askedToWaitMs: rateLimitMs,
				rateLimited: true,
			};
		}
		const spread = random() * Math.min(RELEASE_SPREAD_MAX_MS, rateLimitMs * RELEASE_SPREAD_SHARE);
		return { retry: true, delayMs: Math.ceil(rateLimitMs + spread), reason, rateLimited: true };
	}

	if (count.attempt >= policy.maxAttempts) {
		return { retry: false, reason: `${reason}; all ${policy.maxAttempts} attempts used`, retryable: true };
	}
	if (requestedMs !== undefined && requestedMs > policy.maxWaitMs) {
		return {
			retry: false,
			reason: `${reason}; the API asked to wait ${Math.ceil(requestedMs / 1000)} s, longer than the maximum wait of ${Math.round(policy.maxWaitMs / 1000)} s`,
			retryable: true,
			askedToWaitMs: requestedMs,
		};
	}
	const backoff = Math.min(fullJitterDelay(count.attempt - 1, policy, random), policy.maxWaitMs);
	return { retry: true, delayMs: Math.max(requestedMs ?? 0, backoff), reason, rateLimited: false };
}
