import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { Principal } from '../credentials';
import { ApiError } from '../errors';
import type { ServerState } from '../state';

const REALM = 'Bearer realm="reference-api"';

function unauthorized(message: string, invalidToken: boolean): ApiError {
	return new ApiError(
		401,
		'UNAUTHORIZED',
		message,
		{},
		{
			'www-authenticate': invalidToken ? `${REALM}, error="invalid_token"` : REALM,
		},
	);
}

/** The answer to an access token that ran out (also the tokenExpiry fault's). */
export function tokenExpired(): ApiError {
	return unauthorized('The access token has expired; request a new one from /oauth/token.', true);
}

/** Resolves the caller from X-API-Key, Authorization: Bearer or ?api_key=; messages never repeat the credential. */
export function authenticate(state: ServerState, request: FastifyRequest): Principal {
	const apiKeyHeader = request.headers['x-api-key'];
	const authorization = request.headers.authorization;
	if (typeof apiKeyHeader === 'string' && apiKeyHeader !== '') {
		const principal = state.credentials.apiKey(apiKeyHeader.trim());
		if (!principal) throw unauthorized('The API key in X-API-Key is not recognised.', true);
		return principal;
	}
	if (typeof authorization === 'string' && authorization.trim() !== '') {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
		if (!match)
			throw unauthorized(
				'The Authorization header must use the Bearer scheme: "Authorization: Bearer <token or API key>".',
				false,
			);
		const bearer = match[1];
		const principal = state.credentials.apiKey(bearer);
		if (principal) return principal;
		const token = state.credentials.token(bearer);
		if (token.kind === 'valid') return token.principal;
		if (token.kind === 'expired') throw tokenExpired();
		throw unauthorized(
			'The bearer token is not recognised (neither an issued access token nor an API key).',
			true,
		);
	}
	const queryKey = (request.query as Record<string, unknown> | undefined)?.api_key;
	if (typeof queryKey === 'string' && queryKey !== '') {
		const principal = state.credentials.apiKey(queryKey.trim());
		if (!principal) throw unauthorized('The API key in the api_key query parameter is not recognised.', true);
		return principal;
	}
	throw unauthorized(
		'Credentials are missing: send X-API-Key: <key>, Authorization: Bearer <token>, or ?api_key=<key>.',
		false,
	);
}

/** Authentication and scope check for every /api/v1 route not marked public. */
export function registerAuth(api: FastifyInstance, state: ServerState): void {
	api.addHook('onRequest', async (request) => {
		const config = request.routeOptions.config;
		if (config.public) return;
		const principal = authenticate(state, request);
		request.ctx.principal = principal;
		const scope = config.scope;
		if (scope && !principal.scopes.includes(scope)) {
			throw new ApiError(403, 'FORBIDDEN', `This credential lacks the '${scope}' scope.`, {
				requiredScope: scope,
			});
		}
	});
}
