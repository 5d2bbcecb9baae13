import {
	exhaustedQuotaResetMs,
	headerValue,
	parseRetryAfter,
} from '../../nodes/ProjectManagement/reliability/headers';
import {
	DEFAULT_RETRY_POLICY,
	decideRetry,
	fullJitterDelay,
	isRetryableStatus,
	mayHaveCommitted,
	settlesOutcome,
	type RetryPolicy,
} from '../../nodes/ProjectManagement/reliability/retry';
import { waitUntil } from '../../nodes/ProjectManagement/reliability/waitUntil';

const policy: RetryPolicy = {
	maxAttempts: 4,
	baseDelayMs: 100,
	maxBackoffMs: 1000,
	maxWaitMs: 5000,
	maxRateLimitWaitMs: 5000,
};
/** Attempt number `attempt`, after `waited` ms of rate-limit waits. */
const at = (attempt: number, waited = 0) => ({ attempt, rateLimitWaitedMs: waited });
const NOW = Date.parse('2026-11-24T10:00:00Z');
const response = (statusCode: number, headers: Record<string, string> = {}, errorCode?: string) =>
	({ kind: 'response', statusCode, headers, errorCode }) as const;

describe('which answers are retried', () => {
	it.each([408, 425, 429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
		expect(isRetryableStatus(status)).toBe(true);
	});

	it.each([400, 401, 403, 404, 409, 413, 422])('never retries HTTP %i', (status) => {
		expect(isRetryableStatus(status)).toBe(false);
	});

	it('retries a 409 only when the same request is still in progress, not a duplicate name', () => {
		expect(isRetryableStatus(409, 'IDEMPOTENCY_KEY_IN_USE')).toBe(true);
		expect(isRetryableStatus(409, 'DUPLICATE_RESOURCE')).toBe(false);
	});

	it('retries resets and timeouts but not a host that does not resolve', () => {
		const at = (code: string) =>
			decideRetry({ kind: 'network', code }, { attempt: 1, rateLimitWaitedMs: 0 }, policy, NOW, () => 0.5);
		expect(at('ECONNRESET').retry).toBe(true);
		expect(at('TIMEOUT').retry).toBe(true);
		expect(at('ECONNREFUSED').retry).toBe(true);
		expect(at('ENOTFOUND')).toEqual(expect.objectContaining({ retry: false, retryable: false }));
	});
});

describe('Retry-After', () => {
	it('reads delta-seconds', () => {
		expect(parseRetryAfter('7', NOW)).toBe(7000);
		expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
	});

	it('reads an HTTP-date relative to now, and a past date as now', () => {
		expect(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
		expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
	});

	it('ignores what it cannot read', () => {
		expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
		expect(parseRetryAfter('soon', NOW)).toBeUndefined();
		expect(parseRetryAfter('-3', NOW)).toBeUndefined();
		expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
		// Text that merely holds a year is not an HTTP-date.
		expect(parseRetryAfter('x 2099', NOW)).toBeUndefined();
		expect(parseRetryAfter('2099', NOW)).toBe(2_099_000);
		expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', NOW)).toBe(0);
	});

	it('falls back to a used-up RateLimit quota', () => {
		expect(exhaustedQuotaResetMs('"default";r=0;t=4')).toBe(4000);
		expect(exhaustedQuotaResetMs('"default";r=3;t=4')).toBeUndefined();
	});

	it('waits for the quota that is used up when the API reports two, as the pacing does', () => {
		const headers = { ratelimit: '"burst";r=5;t=1, "daily";r=0;t=30' };
		const decision = decideRetry(response(429, headers), at(1), policy, NOW, () => 0);
		expect(decision).toMatchObject({ retry: false, retryable: true });
		expect(
			decideRetry(response(429, headers), at(1), { ...policy, maxRateLimitWaitMs: 60_000 }, NOW, () => 0),
		).toEqual(expect.objectContaining({ retry: true, delayMs: 30_000 }));
	});

	it('finds headers whatever their case', () => {
		expect(headerValue({ 'RETRY-AFTER': '3' }, 'retry-after')).toBe('3');
		expect(headerValue({ 'retry-after': ['5', '6'] }, 'Retry-After')).toBe('5');
	});
});

describe('backoff', () => {
	it('draws below base · 2^n, capped', () => {
		expect(fullJitterDelay(0, policy, () => 0.999)).toBe(99);
		expect(fullJitterDelay(3, policy, () => 0.999)).toBe(799);
		expect(fullJitterDelay(10, policy, () => 0.999)).toBe(999);
		expect(fullJitterDelay(2, policy, () => 0)).toBe(0);
	});

	it('never waits less than Retry-After', () => {
		const decision = decideRetry(response(429, { 'Retry-After': '3' }), at(1), policy, NOW, () => 0);
		expect(decision).toEqual(expect.objectContaining({ retry: true, delayMs: 3000 }));
	});

	it('honours an HTTP-date Retry-After on 503', () => {
		const headers = { 'retry-after': new Date(NOW + 2000).toUTCString() };
		expect(decideRetry(response(503, headers), at(2), policy, NOW, () => 0)).toEqual(
			expect.objectContaining({ retry: true, delayMs: 2000 }),
		);
	});

	it('uses the larger of backoff and Retry-After', () => {
		const decision = decideRetry(response(503, { 'retry-after': '0' }), at(3), policy, NOW, () => 0.5);
		expect(decision).toEqual(expect.objectContaining({ retry: true, delayMs: 200 }));
	});
});

describe('a rate limit is a wait, not a failure', () => {
	it('a 429 or 503 that says when to come back does not use up an attempt, even at the last one', () => {
		for (const status of [429, 503]) {
			const decision = decideRetry(
				response(status, { 'retry-after': '1' }),
				at(policy.maxAttempts),
				policy,
				NOW,
				() => 0,
			);
			expect(decision).toEqual(expect.objectContaining({ retry: true, delayMs: 1000, rateLimited: true }));
		}
		const quota = decideRetry(
			response(429, { ratelimit: '"default";r=0;t=2' }),
			at(policy.maxAttempts),
			policy,
			NOW,
			() => 0,
		);
		expect(quota).toEqual(expect.objectContaining({ retry: true, delayMs: 2000, rateLimited: true }));
	});

	it('a 429 that does not say when is an error: it uses an attempt and backs off', () => {
		expect(decideRetry(response(429), at(policy.maxAttempts), policy, NOW, () => 0)).toEqual(
			expect.objectContaining({ retry: false, retryable: true }),
		);
		expect(decideRetry(response(429, { 'retry-after': '0' }), at(1), policy, NOW, () => 0)).toEqual(
			expect.objectContaining({ retry: true, rateLimited: false }),
		);
	});

	it('the waits end when the item has waited its budget, saying how long the API asked for', () => {
		const decision = decideRetry(response(429, { 'retry-after': '2' }), at(1, 3500), policy, NOW, () => 0);
		expect(decision).toEqual(
			expect.objectContaining({ retry: false, retryable: true, rateLimited: true, askedToWaitMs: 2000 }),
		);
		expect(decision.reason).toContain('asked to wait 2 s more after 4 s');
	});

	it('requests held by one rate limit go out spread over a short window after it, never before', () => {
		const delays = [0, 0.5, 0.999].map((draw) => {
			const decision = decideRetry(response(429, { 'retry-after': '2' }), at(1), policy, NOW, () => draw);
			return decision.retry ? decision.delayMs : -1;
		});
		expect(delays[0]).toBe(2000);
		expect(delays[1]).toBeGreaterThan(2000);
		expect(delays[2]).toBeLessThanOrEqual(2000 + 500);
		expect(new Set(delays).size).toBe(3);
	});
});

describe('when the retries end', () => {
	it('stops after the last attempt and says the failure could pass', () => {
		const decision = decideRetry(response(500), at(policy.maxAttempts), policy, NOW, () => 0);
		expect(decision).toEqual(expect.objectContaining({ retry: false, retryable: true }));
		expect(decision.reason).toContain('all 4 attempts used');
	});

	it('stops rather than undercut a Retry-After longer than the maximum wait', () => {
		const decision = decideRetry(response(429, { 'retry-after': '60' }), at(1), policy, NOW, () => 0);
		expect(decision).toEqual(expect.objectContaining({ retry: false, retryable: true }));
		expect(decision.reason).toContain('asked to wait 60 s');
	});

	it('does not retry validation errors at all', () => {
		expect(decideRetry(response(400), at(1), policy, NOW, () => 0)).toEqual(
			expect.objectContaining({ retry: false, retryable: false }),
		);
	});

	it('has defaults in the range the reliability notes give', () => {
		expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThanOrEqual(3);
		expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeLessThanOrEqual(5);
		expect(DEFAULT_RETRY_POLICY.maxBackoffMs).toBeLessThanOrEqual(20_000);
	});
});

describe('whether an item may have been created (outcome "unknown" rather than "failed")', () => {
	const network = (code: string) => ({ kind: 'network', code }) as const;

	it.each([
		['a reset after sending', network('ECONNRESET'), true],
		['a timeout', network('TIMEOUT'), true],
		['a body that broke off', network('TRUNCATED_BODY'), true],
		['a refused connection', network('ECONNREFUSED'), false],
		['a host that does not resolve', network('ENOTFOUND'), false],
		['HTTP 500', response(500), true],
		['HTTP 502', response(502), true],
		['HTTP 504', response(504), true],
		['HTTP 503', response(503), false],
		['HTTP 429', response(429), false],
		[
			'a 409 for a request with this key still in progress',
			response(409, {}, 'IDEMPOTENCY_KEY_IN_USE'),
			true,
		],
		['a 409 for a duplicate name', response(409, {}, 'DUPLICATE_RESOURCE'), false],
		['HTTP 400', response(400), false],
	])('%s: %s', (_case, result, expected) => {
		expect(mayHaveCommitted(result)).toBe(expected);
	});

	it.each([
		['HTTP 201', response(201), true],
		['HTTP 400 (the same data failed every attempt)', response(400), true],
		['HTTP 409 duplicate name', response(409, {}, 'DUPLICATE_RESOURCE'), true],
		['HTTP 422 key reused', response(422, {}, 'IDEMPOTENCY_KEY_MISMATCH'), true],
		['HTTP 401 (says nothing about the key, e.g. a token expired meanwhile)', response(401), false],
		['HTTP 403', response(403), false],
		['HTTP 409 still in progress', response(409, {}, 'IDEMPOTENCY_KEY_IN_USE'), false],
		['HTTP 429', response(429), false],
		['HTTP 503', response(503), false],
		['HTTP 501', response(501), false],
		['a reset', network('ECONNRESET'), false],
	])('a last answer of %s settles what earlier attempts did: %s', (_case, result, expected) => {
		expect(settlesOutcome(result)).toBe(expected);
	});
});

describe('waiting until a moment, whatever the timer does', () => {
	it('sleeps again when the timer fired early, so the retry never goes out before the deadline', async () => {
		let clock = 1000;
		const sleeps: number[] = [];
		// A timer that fires 3 ms early every time.
		const earlySleep = async (ms: number) => {
			sleeps.push(ms);
			clock += Math.max(0, ms - 3);
		};
		await waitUntil(2000, () => clock, earlySleep);
		expect(clock).toBeGreaterThanOrEqual(2000);
		expect(sleeps.length).toBeGreaterThan(1);
	});

	it('does not sleep when the deadline has passed, and gives up after a bounded number of rounds', async () => {
		const sleeps: number[] = [];
		await waitUntil(
			500,
			() => 1000,
			async (ms) => void sleeps.push(ms),
		);
		expect(sleeps).toEqual([]);
		await waitUntil(
			2000,
			() => 1000,
			async (ms) => void sleeps.push(ms),
			4,
		);
		expect(sleeps).toHaveLength(4);
	});
});
