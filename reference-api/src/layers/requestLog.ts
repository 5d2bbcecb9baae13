import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { ServerState } from '../state';
import { parseIdempotencyKey } from '../idempotencyKey';

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

/**
 * Counts API requests under way, from arrival (before the latency layer) until the answer is sent or the
 * connection drops, so that a client's concurrency can be checked from the server's side (`inFlight` in stats).
 */
export function registerInFlightCount(app: FastifyInstance, state: ServerState): void {
	app.addHook('onRequest', async (request, reply) => {
		if (!isApiRequest(request.url)) return;
		state.stats.requestArrived();
		reply.raw.once('close', () => state.stats.requestEnded());
	});
}

/** Status logged for a request whose client went away before its body was read: nothing was done with it. */
export const CLIENT_CLOSED = 499;

/**
 * Every request the server received is logged once, also when its client gave up waiting (a timeout): fastify
 * reports no response for a connection that is gone, so answers are logged when handed over for sending (onSend),
 * and a request abandoned before its body was read, which fastify then never processes, as 499 when it is aborted.
 */
export function registerRequestLog(app: FastifyInstance, state: ServerState): void {
	app.addHook('preValidation', async (request) => {
		request.ctx.bodyRead = true;
	});
	app.addHook('onRequestAbort', async (request) => {
		if (!request.ctx.bodyRead) recordRequest(state, request, CLIENT_CLOSED);
	});
	app.addHook('onSend', async (request, reply, payload) => {
		recordRequest(state, request, reply.statusCode);
		return payload;
	});
	app.addHook('onResponse', async (request, reply) => {
		recordRequest(state, request, reply.statusCode);
	});
}
