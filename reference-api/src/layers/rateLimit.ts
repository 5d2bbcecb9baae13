import type { FastifyInstance } from 'fastify';

import { ApiError } from '../errors';
import { retryAfterHeader } from '../retryAfter';
import type { ServerState } from '../state';

export function registerRateLimit(api: FastifyInstance, state: ServerState): void {
	api.addHook('onRequest', async (request, reply) => {
		const limits = state.options.rateLimit;
		const principal = request.ctx.principal;
		if (!limits.enabled || !principal) return;
		const result = state.rateLimiter.take(principal.clientId, limits);
		const windowSeconds = Math.ceil(limits.capacity / limits.refillPerSecond);
		if (limits.headers !== false) {
			reply.header('ratelimit-policy', `"default";q=${limits.capacity};w=${windowSeconds}`);
			reply.header('ratelimit', `"default";r=${result.remaining};t=${result.resetSeconds}`);
		}
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
