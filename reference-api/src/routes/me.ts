import type { FastifyInstance } from 'fastify';

import { ALL_SCOPES } from '../config';
import { apiHandler, jsonResponse } from '../layers/handler';
import { errorResponses, securedBy } from '../schemas/common';
import type { ServerState } from '../state';

export const meSchema = {
	$id: 'Me',
	type: 'object',
	required: ['clientId', 'name', 'authMethod', 'scopes'],
	additionalProperties: false,
	properties: {
		clientId: { type: 'string' },
		name: { type: 'string' },
		authMethod: { type: 'string', enum: ['api_key', 'oauth2'] },
		scopes: { type: 'array', items: { type: 'string', enum: [...ALL_SCOPES] } },
	},
} as const;

/** Lets a client test its credential (n8n's credential test) without needing any scope. */
export function registerMeRoute(api: FastifyInstance, state: ServerState): void {
	api.get(
		'/me',
		{
			schema: {
				operationId: 'getMe',
				summary: 'Who the credential belongs to',
				tags: ['auth'],
				security: securedBy(),
				response: { 200: { description: 'The authenticated client.', $ref: 'Me#' }, ...errorResponses() },
			},
		},
		apiHandler(state, (request) => {
			const { clientId, name, authMethod, scopes } = request.ctx.principal!;
			return jsonResponse(200, { clientId, name, authMethod, scopes });
		}),
	);
}
