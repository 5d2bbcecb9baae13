import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { FAULT_CLASSES, type FaultClass, type FaultOptions } from '../config';
import { errorBody } from '../errors';
import { parseIdempotencyKey } from '../idempotencyKey';
import type { StoredResponse } from '../idempotencyStore';
import type { ServerState } from '../state';
import { sendStored } from '../reply';
import { retryAfterHeader } from '../retryAfter';
import { tokenExpired } from './auth';
import { waitToBeOvertaken } from './idempotency';
import { recordRequest } from './requestLog';

const BEFORE_COMMIT: ReadonlySet<FaultClass> = new Set([
	'errorBeforeCommit',
	'resetBeforeCommit',
	'throttle',
	'unavailable',
	'htmlError',
	'tokenExpiry',
]);

const BAD_GATEWAY_PAGE =
	'<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
	'<body><center><h1>502 Bad Gateway</h1></center><hr><center>reference-proxy</center></body></html>\n';

/** One draw per matching request; the cumulative rates pick at most one class. */
export function drawFault(state: ServerState, request: FastifyRequest): FaultClass | null {
	const faults = state.options.faults;
	if (!faults.methods.includes(request.method) || !request.url.startsWith(faults.pathPrefix)) return null;
	const draw = state.prng.next();
	let threshold = 0;
	for (const name of FAULT_CLASSES) {
		threshold += faults.rates[name] ?? 0;
		if (draw < threshold) return name;
	}
	return null;
}

/** Faults a proxy or an overloaded server would cause: they act before authentication and do nothing. */
export function registerFaults(app: FastifyInstance, state: ServerState): void {
	app.addHook('onRequest', async (request, reply) => {
		const fault = drawFault(state, request);
		request.ctx.plannedFault = fault;
		const key = keyOf(request);
		// The request after a tokenExpiry 401 with the same key is n8n's resend with a new token.
		const resend = key !== null && state.tokenExpiryKeys.delete(key);
		if (!fault || !BEFORE_COMMIT.has(fault)) return;
		if (fault === 'tokenExpiry') {
			const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization?.trim() ?? '')?.[1];
			if (resend || bearer === undefined || !state.credentials.isValidToken(bearer)) return;
			request.ctx.fault = fault;
			if (key !== null) state.tokenExpiryKeys.add(key);
			const error = tokenExpired();
			reply.code(error.statusCode).headers(error.headers).send(error.body);
			return;
		}
		request.ctx.fault = fault;
		const faults = state.options.faults;
		switch (fault) {
			case 'resetBeforeCommit':
				resetConnection(state, request, reply);
				return;
			case 'errorBeforeCommit': {
				const status = state.prng.pick([500, 502, 503]);
				const code = status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR';
				reply
					.code(status)
					.send(errorBody(code, `The server failed before doing anything (injected fault: ${fault}).`));
				return;
			}
			case 'throttle':
				setRetryAfter(state, request, reply, faults);
				reply
					.code(429)
					.send(
						errorBody(
							'RATE_LIMITED',
							`Too many requests (injected fault: ${fault}); retry after Retry-After.`,
						),
					);
				return;
			case 'unavailable':
				setRetryAfter(state, request, reply, faults);
				reply
					.code(503)
					.send(
						errorBody(
							'SERVICE_UNAVAILABLE',
							`Service unavailable (injected fault: ${fault}); retry after Retry-After.`,
						),
					);
				return;
			case 'htmlError':
				reply.code(502).type('text/html; charset=utf-8').send(BAD_GATEWAY_PAGE);
				return;
		}
	});
}

function keyOf(request: FastifyRequest): string | null {
	const header = request.headers['idempotency-key'];
	if (typeof header !== 'string') return null;
	try {
		return parseIdempotencyKey(header);
	} catch {
		return null;
	}
}

function setRetryAfter(
	state: ServerState,
	request: FastifyRequest,
	reply: FastifyReply,
	faults: FaultOptions,
): void {
	const format =
		faults.retryAfterFormat === 'mixed'
			? state.prng.pick(['seconds', 'http-date'] as const)
			: faults.retryAfterFormat;
	reply.header('retry-after', retryAfterHeader(request, faults.retryAfterSeconds, format));
}

function resetConnection(state: ServerState, request: FastifyRequest, reply: FastifyReply): void {
	recordRequest(state, request, 0);
	reply.hijack();
	request.raw.socket?.destroy();
}

/** slowBeforeCommit: the idempotency record is already in flight; false if the server closed meanwhile. */
export async function holdBeforeCommit(state: ServerState, request: FastifyRequest): Promise<boolean> {
	if (request.ctx.plannedFault !== 'slowBeforeCommit') return true;
	request.ctx.fault = 'slowBeforeCommit';
	const { slowMs, slowUntilOvertaken } = state.options.faults;
	if (slowUntilOvertaken) return await waitToBeOvertaken(state, request, slowMs);
	return await heldFor(state, state.sleeper.sleep(slowMs));
}

/**
 * Sends a committed response, or loses it the way the planned after-commit fault says. The idempotency
 * record is complete by now, so a retry with the same key gets the real response.
 */
export async function deliver(
	state: ServerState,
	request: FastifyRequest,
	reply: FastifyReply,
	response: StoredResponse,
): Promise<FastifyReply> {
	const fault = request.ctx.plannedFault;
	switch (fault) {
		case 'errorAfterCommit':
			request.ctx.fault = fault;
			return reply
				.code(500)
				.send(
					errorBody(
						'INTERNAL_ERROR',
						`The server failed after committing the change (injected fault: ${fault}).`,
					),
				);
		case 'resetAfterCommit':
			request.ctx.fault = fault;
			resetConnection(state, request, reply);
			return reply;
		case 'truncatedBody':
			request.ctx.fault = fault;
			sendTruncated(state, request, reply, response);
			return reply;
		case 'timeoutAfterCommit':
			request.ctx.fault = fault;
			// Logged and counted now, when the answer is withheld, not when the hold ends: a client that gave up
			// (and its retries) must not run ahead of the log.
			recordRequest(state, request, response.status);
			if (!(await heldFor(state, state.sleeper.sleep(state.options.faults.slowMs)))) {
				resetConnection(state, request, reply);
				return reply;
			}
			return sendStored(reply, response);
		default:
			return sendStored(reply, response);
	}
}

/** Headers promise the whole body, half of it arrives, then the connection drops. */
function sendTruncated(
	state: ServerState,
	request: FastifyRequest,
	reply: FastifyReply,
	response: StoredResponse,
): void {
	const payload = Buffer.from(response.body === undefined ? '' : JSON.stringify(response.body), 'utf8');
	recordRequest(state, request, response.status);
	reply.hijack();
	const raw = reply.raw;
	raw.writeHead(response.status, { ...response.headers, 'content-length': String(payload.length) });
	raw.write(payload.subarray(0, Math.floor(payload.length / 2)), () => request.raw.socket?.destroy());
}

/** Counts a request as held (stats.held) while `wait` runs. */
export async function heldFor<T>(state: ServerState, wait: Promise<T>): Promise<T> {
	state.stats.held++;
	try {
		return await wait;
	} finally {
		state.stats.held--;
	}
}
