import type { FastifyReply, FastifyRequest } from 'fastify';

import { ApiError } from '../errors';
import type { StoredResponse } from '../idempotencyStore';
import type { ServerState } from '../state';
import { deliver, holdBeforeCommit } from './faults';
import { abandonIdempotency, completeIdempotency, waitToBeOvertaken } from './idempotency';

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonResponse(
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): StoredResponse {
	return { status, headers: body === undefined ? headers : { 'content-type': JSON_TYPE, ...headers }, body };
}

type Handler = (request: FastifyRequest) => StoredResponse | Promise<StoredResponse>;

/**
 * Wraps every /api/v1 handler: slowBeforeCommit waits first, then the handler runs (and commits, if it
 * changes anything), its answer (success or business error such as 404/409) completes the idempotency
 * record, and only then may an after-commit fault lose it on the way out.
 */
export function apiHandler(state: ServerState, handler: Handler) {
	return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
		if (!(await holdBeforeCommit(state, request)) || !(await waitToBeOvertaken(state, request))) {
			abandonIdempotency(state, request);
			request.raw.socket?.destroy();
			return reply.hijack();
		}
		let response: StoredResponse;
		try {
			response = await handler(request);
		} catch (error) {
			if (!(error instanceof ApiError)) {
				abandonIdempotency(state, request);
				throw error;
			}
			response = jsonResponse(error.statusCode, error.body, error.headers);
		}
		completeIdempotency(state, request, response);
		return deliver(state, request, reply, response);
	};
}
