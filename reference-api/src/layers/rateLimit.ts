import type { FastifyInstance } from 'fastify';

import type { RateLimitOptions } from '../config';
import { ApiError } from '../errors';
import { retryAfterHeader } from '../retryAfter';
import type { ServerState } from '../state';

interface Bucket {
	tokens: number;
	updatedAt: number;
}

export interface TakeResult {
	allowed: boolean;
	remaining: number;
	/** Seconds until the bucket is full again (or, when empty, until the next token). */
	resetSeconds: number;
	retryAfterSeconds: number;
}

/** One token bucket per client id. */
export class RateLimiter {
	private readonly buckets = new Map<string, Bucket>();

	take(clientId: string, { capacity, refillPerSecond }: RateLimitOptions, now = Date.now()): TakeResult {
		let bucket = this.buckets.get(clientId);
		if (!bucket) this.buckets.set(clientId, (bucket = { tokens: capacity, updatedAt: now }));
		bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * refillPerSecond);
		bucket.updatedAt = now;
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			const remaining = Math.floor(bucket.tokens);
			const untilFull = Math.ceil((capacity - bucket.tokens) / refillPerSecond);
			const untilNext = Math.ceil((1 - bucket.tokens) / refillPerSecond);
			return { allowed: true, remaining, resetSeconds: remaining > 0 ? untilFull : untilNext, retryAfterSeconds: 0 };
		}
		const untilNext = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond));
		return { allowed: false, remaining: 0, resetSeconds: untilNext, retryAfterSeconds: untilNext };
	}

	clear(): void {
		this.buckets.clear();
	}
}

export function registerRateLimit(api: FastifyInstance, state: ServerState): void {
	api.addHook('onRequest', async (request, reply) => {
		const limits = state.options.rateLimit;
		const principal = request.ctx.principal;
		if (!limits.enabled || !principal) return;
		const result = state.rateLimiter.take(principal.clientId, limits);
		const windowSeconds = Math.ceil(limits.capacity / limits.refillPerSecond);
		reply.header('ratelimit-policy', `"default";q=${limits.capacity};w=${windowSeconds}`);
		reply.header('ratelimit', `"default";r=${result.remaining};t=${result.resetSeconds}`);
		if (!result.allowed) {
			const retryAfter = retryAfterHeader(request, result.retryAfterSeconds, 'seconds');
			throw new ApiError(
				429,
				'RATE_LIMITED',
				`Rate limit of ${limits.capacity} requests (refilling ${limits.refillPerSecond}/s) exceeded; retry in ${result.retryAfterSeconds} s.`,
				{},
				{ 'retry-after': retryAfter },
			);
		}
	});
}
