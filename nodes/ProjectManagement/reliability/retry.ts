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
	/** The longest single wait the user accepts; a server asking for more ends the retries. */
	maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxBackoffMs: 20_000,
	maxWaitMs: 60_000,
};

/** What one attempt came back with, reduced to what the decision needs. */
export type AttemptResult =
	| { kind: 'response'; statusCode: number; headers: HeaderBag; errorCode?: string }
	| { kind: 'network'; code: string };

export type RetryDecision =
	| { retry: true; delayMs: number; reason: string }
	| {
			retry: false;
			reason: string;
			retryable: boolean;
			/** Set when the retries end because the API asked for a longer wait than the user allows. */
			askedToWaitMs?: number;
	  };

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
 * Decide what follows attempt number `attempt` (1-based). A server-requested wait is never undercut;
 * when it is longer than the user's maximum wait, the retries end rather than waiting too little.
 */
export function decideRetry(
	result: AttemptResult,
	attempt: number,
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

	if (attempt >= policy.maxAttempts) {
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
	const backoff = Math.min(fullJitterDelay(attempt - 1, policy, random), policy.maxWaitMs);
	return { retry: true, delayMs: Math.max(requestedMs ?? 0, backoff), reason };
}
