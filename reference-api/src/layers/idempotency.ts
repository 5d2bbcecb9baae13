import type { FastifyInstance, FastifyRequest } from 'fastify';

import { ApiError } from '../errors';
import { fingerprintOf, type IdempotencyScope, type StoredResponse } from '../idempotencyStore';
import { retryAfterHeader } from '../retryAfter';
import type { ServerState } from '../state';
import { parseIdempotencyKey } from '../idempotencyKey';
import { sendStored } from '../reply';

/**
 * Runs after authentication, rate limiting and validation, so none of their answers are stored.
 * Reserves the key in flight, or answers a retry from the record.
 */
export function registerIdempotency(api: FastifyInstance, state: ServerState): void {
	api.addHook('preHandler', async (request, reply) => {
		if (!request.routeOptions.config.idempotent) return;
		const header = request.headers['idempotency-key'];
		if (header === undefined) {
			if (state.options.requireIdempotencyKey && request.method === 'POST') {
				throw new ApiError(
					400,
					'IDEMPOTENCY_KEY_REQUIRED',
					'This server requires an Idempotency-Key header on POST requests.',
				);
			}
			return;
		}
		const key = parseIdempotencyKey(Array.isArray(header) ? header.join(', ') : header);
		const ctx = request.ctx;
		ctx.idempotencyKey = key;
		// Negative controls: the key is logged (so attempts can still be grouped) but protects nothing.
		if (state.options.ignoreIdempotencyKeys) return;
		const scope = {
			clientId: ctx.principal?.clientId ?? '',
			method: request.method,
			path: request.url.split('?')[0],
			key,
		};
		const lookup = state.idempotency.begin(scope, fingerprintOf(request.body));
		switch (lookup.kind) {
			case 'new':
				ctx.idempotencyScope = scope;
				return;
			case 'completed':
				ctx.replayed = true;
				sendStored(reply.header('idempotent-replayed', 'true'), lookup.response);
				return;
			case 'in-flight':
				state.stats.inFlightConflicts++;
				state.overtakers.get(scopeKey(scope))?.abort();
				throw new ApiError(
					409,
					'IDEMPOTENCY_KEY_IN_USE',
					'A request with this Idempotency-Key is still being processed; retry later.',
					{},
					{ 'retry-after': retryAfterHeader(request, state.options.inFlightRetryAfterSeconds, 'seconds') },
				);
			case 'mismatch':
				state.stats.keyMismatches++;
				throw new ApiError(
					422,
					'IDEMPOTENCY_KEY_MISMATCH',
					'This Idempotency-Key was already used with a different request body; use a new key for a different request.',
				);
		}
	});
}

export function completeIdempotency(
	state: ServerState,
	request: FastifyRequest,
	response: StoredResponse,
): void {
	const scope = request.ctx.idempotencyScope;
	if (scope) state.idempotency.complete(scope, response);
}

/** An unexpected failure leaves nothing to replay; the key becomes free again. */
export function abandonIdempotency(state: ServerState, request: FastifyRequest): void {
	const scope = request.ctx.idempotencyScope;
	if (scope) state.idempotency.abandon(scope);
}

const scopeKey = (scope: IdempotencyScope) => `${scope.clientId} ${scope.method} ${scope.path} ${scope.key}`;

/**
 * holdUntilOvertakenMs: a new request with a key waits before it commits until a second request with the same
 * key has met it in flight, so that a test of racing retries or executions gets its race whatever the machine's
 * speed. False if the server closed meanwhile.
 */
export async function waitToBeOvertaken(
	state: ServerState,
	request: FastifyRequest,
	holdMs = state.options.holdUntilOvertakenMs,
): Promise<boolean> {
	const scope = request.ctx.idempotencyScope;
	if (!scope || !(holdMs > 0)) return true;
	const key = scopeKey(scope);
	const release = state.sleeper.child();
	state.overtakers.set(key, release);
	state.stats.held++;
	try {
		await state.sleeper.sleep(holdMs, release.signal);
	} finally {
		state.stats.held--;
	}
	if (state.overtakers.get(key) === release) state.overtakers.delete(key);
	return !state.sleeper.closed;
}
