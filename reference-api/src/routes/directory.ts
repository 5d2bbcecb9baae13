import type { FastifyInstance } from 'fastify';

import { apiHandler, jsonResponse } from '../layers/handler';
import { paginate } from '../pagination';
import { errorResponses, pageOf, pageQuerySchema, securedBy } from '../schemas/common';
import type { ServerState } from '../state';

export const directorySchemas = [
	{
		$id: 'User',
		type: 'object',
		required: ['id', 'name', 'email'],
		additionalProperties: false,
		properties: {
			id: { type: 'string' },
			name: { type: 'string' },
			email: { type: 'string', format: 'email' },
		},
	},
	{
		$id: 'Team',
		type: 'object',
		required: ['id', 'name'],
		additionalProperties: false,
		properties: { id: { type: 'string' }, name: { type: 'string' } },
	},
	{
		$id: 'CustomField',
		type: 'object',
		required: ['key', 'label', 'type'],
		additionalProperties: false,
		properties: {
			key: { type: 'string', description: 'The key to use in a project’s customFields.' },
			label: { type: 'string' },
			type: {
				type: 'string',
				enum: ['text', 'number', 'date', 'option', 'boolean'],
				description:
					'date takes an ISO 8601 date (2026-01-31) or date-time with offset; option takes one of options.',
			},
			options: { type: 'array', items: { type: 'string' }, description: 'Only for type option.' },
		},
	},
] as const;

type PageQuery = { limit: number; cursor?: string };

/** The seed lists never change, so their position is a stable cursor key. */
function byPosition<T>(items: readonly T[]): (item: T) => string {
	const positions = new Map(items.map((item, index) => [item, String(index).padStart(6, '0')]));
	return (item) => positions.get(item) ?? '';
}

export function registerDirectoryRoutes(api: FastifyInstance, state: ServerState): void {
	const lists = [
		{
			url: '/users',
			ref: 'User',
			items: state.directory.users,
			operationId: 'listUsers',
			summary: 'List users (possible project owners)',
		},
		{
			url: '/teams',
			ref: 'Team',
			items: state.directory.teams,
			operationId: 'listTeams',
			summary: 'List teams',
		},
		{
			url: '/custom-fields',
			ref: 'CustomField',
			items: state.directory.customFields,
			operationId: 'listCustomFields',
			summary: 'List custom field definitions',
		},
	] as const;
	for (const list of lists) {
		const sortKey = byPosition<(typeof list.items)[number]>(list.items);
		api.get(
			list.url,
			{
				attachValidation: true,
				config: { scope: 'directory:read' },
				schema: {
					operationId: list.operationId,
					summary: list.summary,
					tags: ['directory'],
					security: securedBy('directory:read'),
					querystring: pageQuerySchema,
					response: { 200: pageOf(list.ref, `A page of ${list.url.slice(1)}.`), ...errorResponses(400, 403) },
				},
			},
			apiHandler(state, (request) => {
				const { limit, cursor } = request.query as PageQuery;
				return jsonResponse(200, paginate(list.items, sortKey, limit, cursor));
			}),
		);
	}
}
