import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { ApiError, errorBody, invalidInput } from './errors';
import { sendOAuthError } from './routes/oauth';
import { problemsFromAjv } from './validation/ajvErrors';

type RaisedError = FastifyError & { validation?: unknown; validationContext?: string };

/** Turns anything thrown into the API's error shape (RFC 6749's on the token endpoint). */
export function handleError(error: RaisedError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
	if (request.url.startsWith('/oauth/') && !(error instanceof ApiError)) {
		if ((error.statusCode ?? 500) < 500) {
			return sendOAuthError(reply, 'invalid_request', `The request body could not be read: ${error.message}`);
		}
	}
	if (error instanceof ApiError) return reply.code(error.statusCode).headers(error.headers).send(error.body);
	if (error.validation) {
		const data =
			error.validationContext === 'querystring'
				? request.query
				: error.validationContext === 'params'
					? request.params
					: request.body;
		const apiError = invalidInput(problemsFromAjv(error.validation as never, data));
		return reply.code(400).send(apiError.body);
	}
	const status = error.statusCode ?? 500;
	if (status === 415) {
		const given = request.headers['content-type'] ?? 'none';
		return reply
			.code(415)
			.send(
				errorBody(
					'UNSUPPORTED_MEDIA_TYPE',
					`Content-Type '${given}' is not supported; send application/json.`,
				),
			);
	}
	if (status === 413)
		return reply.code(413).send(errorBody('PAYLOAD_TOO_LARGE', 'The request body is too large.'));
	if (status >= 400 && status < 500) {
		const isJson = error instanceof SyntaxError || /JSON/i.test(error.code ?? '');
		// fastify's parser also refuses __proto__ / constructor.prototype keys as invalid JSON.
		const problem = { field: 'body', message: isJson ? 'is not valid JSON' : error.message };
		return reply.code(400).send(invalidInput([problem]).body);
	}
	request.log.error({ err: error }, 'unexpected error');
	return reply.code(500).send(errorBody('INTERNAL_ERROR', 'Unexpected server error.'));
}
