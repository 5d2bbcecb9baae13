import type { RateLimitOptions } from './config';

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
			return {
				allowed: true,
				remaining,
				resetSeconds: remaining > 0 ? untilFull : untilNext,
				retryAfterSeconds: 0,
			};
		}
		const untilNext = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond));
		return { allowed: false, remaining: 0, resetSeconds: untilNext, retryAfterSeconds: untilNext };
	}

	clear(): void {
		this.buckets.clear();
	}
}
