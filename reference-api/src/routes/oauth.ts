import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { ALL_SCOPES, type Scope } from '../config';
import type { ServerState } from '../state';

export const tokenResponseSchema = {
	$id: 'TokenResponse',
	type: 'object',
	required: ['access_token', 'token_type', 'expires_in', 'scope'],
	additionalProperties: false,
	properties: {
		access_token: { type: 'string', description: 'Opaque; send as Authorization: Bearer <token>.' },
		token_type: { type: 'string', enum: ['Bearer'] },
		expires_in: { type: 'integer', minimum: 0, description: 'Seconds until the token expires.' },
		scope: { type: 'string', description: 'Space-separated scopes granted.' },
	},
} as const;

const tokenRequestSchema = {
	type: 'object',
	properties: {
		grant_type: { type: 'string', enum: ['client_credentials'] },
		client_id: { type: 'string', description: 'Unless sent with HTTP Basic authentication.' },
		client_secret: { type: 'string', description: 'Unless sent with HTTP Basic authentication.' },
		scope: { type: 'string', description: 'Space-separated; defaults to every scope of the client.' },
	},
	required: ['grant_type'],
} as const;

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

export function sendOAuthError(
	reply: FastifyReply,
	error: OAuthErrorCode,
	description: string,
): FastifyReply {
	if (error === 'invalid_client') {
		return reply
			.code(401)
			.header('www-authenticate', 'Basic realm="reference-api"')
			.send({ error, error_description: description });
	}
	return reply.code(400).send({ error, error_description: description });
}

type BasicCredentials = { clientId: string; clientSecret: string } | 'malformed' | undefined;

function basicCredentials(request: FastifyRequest): BasicCredentials {
	const header = request.headers.authorization;
	const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
	if (!header) return undefined;
	if (!match) return 'malformed';
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return 'malformed';
	// RFC 6749 2.3.1: id and secret are form-urlencoded before being joined.
	const unescape = (text: string) => {
		try {
			return decodeURIComponent(text.replace(/\+/g, ' '));
		} catch {
			return text;
		}
	};
	return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** OAuth2 client-credentials token endpoint (RFC 6749 section 4.4), outside /api/v1. */
export function registerOAuthRoutes(app: FastifyInstance, state: ServerState): void {
	app.post(
		'/oauth/token',
		{
			attachValidation: true,
			schema: {
				operationId: 'issueToken',
				summary: 'Issue an access token (client credentials grant)',
				description:
					'Client id and secret by HTTP Basic authentication or in the body. Form-encoded or JSON body.',
				tags: ['auth'],
				consumes: ['application/x-www-form-urlencoded', 'application/json'],
				body: tokenRequestSchema,
				response: {
					200: { description: 'The token. Sent with Cache-Control: no-store.', $ref: 'TokenResponse#' },
					400: {
						description: 'invalid_request, unsupported_grant_type or invalid_scope.',
						$ref: 'OAuthError#',
					},
					401: {
						description: 'invalid_client: unknown client or wrong secret.',
						headers: { 'WWW-Authenticate': { type: 'string' } },
						$ref: 'OAuthError#',
					},
				},
			},
		},
		async (request, reply) => {
			const body = (request.body !== null && typeof request.body === 'object' ? request.body : {}) as Record<
				string,
				unknown
			>;
			const grantType = text(body.grant_type);
			if (!grantType) return sendOAuthError(reply, 'invalid_request', 'grant_type is required.');
			const basic = basicCredentials(request);
			if (basic === 'malformed')
				return sendOAuthError(
					reply,
					'invalid_request',
					'The Authorization header is not valid HTTP Basic authentication.',
				);
			if (basic && body.client_id !== undefined) {
				return sendOAuthError(
					reply,
					'invalid_request',
					'Send the client credentials either by HTTP Basic or in the body, not both.',
				);
			}
			const clientId = basic?.clientId ?? text(body.client_id);
			const clientSecret = basic?.clientSecret ?? text(body.client_secret);
			if (!clientId) return sendOAuthError(reply, 'invalid_client', 'Client authentication is missing.');
			const client = state.credentials.oauthClient(clientId, clientSecret ?? '');
			if (!client) return sendOAuthError(reply, 'invalid_client', 'Client authentication failed.');
			request.ctx.principal = {
				clientId: client.clientId,
				name: client.name,
				authMethod: 'oauth2',
				scopes: client.scopes,
			};
			if (grantType !== 'client_credentials') {
				return sendOAuthError(
					reply,
					'unsupported_grant_type',
					'Only the client_credentials grant is supported.',
				);
			}
			const requested = (text(body.scope) ?? '').split(' ').filter(Boolean);
			const unknown = requested.filter((scope) => !(ALL_SCOPES as readonly string[]).includes(scope));
			if (unknown.length > 0)
				return sendOAuthError(reply, 'invalid_scope', `Unknown scope: ${unknown.join(' ')}.`);
			const granted =
				requested.length > 0
					? client.scopes.filter((scope) => requested.includes(scope))
					: [...client.scopes];
			if (granted.length === 0)
				return sendOAuthError(
					reply,
					'invalid_scope',
					'None of the requested scopes is allowed for this client.',
				);
			const ttl = state.options.tokenTtlSeconds;
			const token = state.credentials.issueToken(client, granted as Scope[], ttl);
			state.stats.tokensIssued++;
			return reply
				.header('cache-control', 'no-store')
				.header('pragma', 'no-cache')
				.send({
					access_token: token,
					token_type: 'Bearer',
					expires_in: Math.ceil(ttl),
					scope: granted.join(' '),
				});
		},
	);
}
