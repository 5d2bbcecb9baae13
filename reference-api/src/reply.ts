import type { FastifyReply } from 'fastify';

import type { StoredResponse } from './idempotencyStore';

/** Sends a response as it was stored: a first answer, or its replay from the idempotency store. */
export function sendStored(reply: FastifyReply, response: StoredResponse): FastifyReply {
	return reply.code(response.status).headers(response.headers).send(response.body);
}
