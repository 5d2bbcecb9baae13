import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { ServerState } from '../state';
import { parseIdempotencyKey } from './idempotency';

/** Only API traffic is counted; admin polling must not disturb what it measures. */
export function isApiRequest(url: string): boolean {
	return url.startsWith('/api/v1') || url.startsWith('/oauth/');
}

export function routeOf(request: FastifyRequest): string {
	return request.routeOptions.url ?? '(no route)';
}

/** Logs a request once; `status` 0 stands for a connection reset instead of an answer. */
export function recordRequest(state: ServerState, request: FastifyRequest, status: number): void {
	const ctx = request.ctx;
	if (ctx.logged || !isApiRequest(request.url)) return;
	ctx.logged = true;
	const executionId = request.headers['x-n8n-execution-id'];
	// Answers given before the idempotency layer (faults, authentication, rate limit) have not parsed the key.
	let idempotencyKey = ctx.idempotencyKey;
	const header = request.headers['idempotency-key'];
	if (idempotencyKey === null && typeof header === 'string') {
		try {
			idempotencyKey = parseIdempotencyKey(header);
		} catch {
			idempotencyKey = header;
		}
	}
	state.stats.record({
		receivedAt: ctx.receivedAt,
		method: request.method,
		route: routeOf(request),
		status,
		clientId: ctx.principal?.clientId ?? null,
		idempotencyKey,
		fault: ctx.fault,
		retryAfterSeconds: ctx.retryAfterSeconds,
		retryNotBefore: ctx.retryNotBefore,
		replayed: ctx.replayed,
		executionId: typeof executionId === 'string' ? executionId : null,
	});
}

export function registerRequestLog(app: FastifyInstance, state: ServerState): void {
	app.addHook('onResponse', async (request, reply) => {
		recordRequest(state, request, reply.statusCode);
	});
}
