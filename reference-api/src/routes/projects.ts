import type { FastifyInstance } from 'fastify';

import { errorResponses, idempotencyKeyHeaders, pageOf, securedBy } from '../schemas/common';
import { projectCreateBody, projectIdParams, projectListQuery, projectPatchBody } from '../schemas/project';
import { apiHandler, jsonResponse } from '../layers/handler';
import { paginate } from '../pagination';
import type { ServerState } from '../state';
import { invalidInput } from '../errors';
import type { Project, ProjectFilter } from '../store';
import {
	dateOrderProblems,
	fieldsForCreate,
	fieldsForPatch,
	projectBodyProblems,
} from '../validation/project';
import { projectCreatedEvents, projectDeletedEvents, projectUpdatedEvents } from '../webhooks/events';

type Body = Record<string, unknown>;
type ListQuery = ProjectFilter & { limit: number; cursor?: string };

const projectResponse = (description: string, headers?: Record<string, unknown>) => ({
	description,
	...(headers && { headers }),
	$ref: 'Project#',
});
const replayedHeader = {
	'Idempotent-Replayed': {
		type: 'string',
		enum: ['true'],
		description: 'Present when this is a stored response replayed for a retried Idempotency-Key.',
	},
};

const projectSortKey = (project: Project) => `${project.createdAt}|${project.id}`;

export function registerProjectRoutes(api: FastifyInstance, state: ServerState): void {
	api.post(
		'/projects',
		{
			attachValidation: true,
			config: { scope: 'projects:write', idempotent: true, semantic: projectBodyProblems },
			schema: {
				operationId: 'createProject',
				summary: 'Create a project',
				tags: ['projects'],
				security: securedBy('projects:write'),
				headers: idempotencyKeyHeaders,
				body: projectCreateBody,
				response: {
					201: projectResponse('Created. Location names the new project.', {
						Location: { type: 'string' },
						...replayedHeader,
					}),
					...errorResponses(400, 403, 409, 413, 415, 422),
				},
			},
		},
		apiHandler(state, (request) => {
			const project = state.projects.create(fieldsForCreate(request.body as Body), state.options.uniqueNames);
			state.webhooks.emit(() => projectCreatedEvents(project));
			return jsonResponse(201, project, { location: `/api/v1/projects/${project.id}` });
		}),
	);

	api.get(
		'/projects',
		{
			attachValidation: true,
			config: { scope: 'projects:read' },
			schema: {
				operationId: 'listProjects',
				summary: 'List projects, oldest first',
				tags: ['projects'],
				security: securedBy('projects:read'),
				querystring: projectListQuery,
				response: { 200: pageOf('Project', 'A page of projects.'), ...errorResponses(400, 403) },
			},
		},
		apiHandler(state, (request) => {
			const { limit, cursor, ...filter } = request.query as ListQuery;
			return jsonResponse(200, paginate(state.projects.list(filter), projectSortKey, limit, cursor));
		}),
	);

	api.get(
		'/projects/:id',
		{
			attachValidation: true,
			config: { scope: 'projects:read' },
			schema: {
				operationId: 'getProject',
				summary: 'Get a project',
				tags: ['projects'],
				security: securedBy('projects:read'),
				params: projectIdParams,
				response: { 200: projectResponse('The project.'), ...errorResponses(403, 404) },
			},
		},
		apiHandler(state, (request) =>
			jsonResponse(200, state.projects.get((request.params as { id: string }).id)),
		),
	);

	api.patch(
		'/projects/:id',
		{
			attachValidation: true,
			config: { scope: 'projects:write', idempotent: true, semantic: projectBodyProblems },
			schema: {
				operationId: 'updateProject',
				summary: 'Update some fields of a project',
				description:
					'Null clears an optional field. End date and name uniqueness are checked against the merged result.',
				tags: ['projects'],
				security: securedBy('projects:write'),
				headers: idempotencyKeyHeaders,
				params: projectIdParams,
				body: projectPatchBody,
				response: {
					200: projectResponse('The updated project.', replayedHeader),
					...errorResponses(400, 403, 404, 409, 413, 415, 422),
				},
			},
		},
		apiHandler(state, (request) => {
			const { id } = request.params as { id: string };
			const before = state.projects.get(id);
			const fields = fieldsForPatch(before, request.body as Body);
			const problems = dateOrderProblems(fields.startDate, fields.endDate);
			if (problems.length > 0) throw invalidInput(problems);
			const after = state.projects.update(id, fields, state.options.uniqueNames);
			state.webhooks.emit(() => projectUpdatedEvents(before, after));
			return jsonResponse(200, after);
		}),
	);

	api.delete(
		'/projects/:id',
		{
			attachValidation: true,
			config: { scope: 'projects:write' },
			schema: {
				operationId: 'deleteProject',
				summary: 'Delete a project',
				tags: ['projects'],
				security: securedBy('projects:write'),
				params: projectIdParams,
				response: { 204: { description: 'Deleted.', type: 'null' }, ...errorResponses(403, 404) },
			},
		},
		apiHandler(state, (request) => {
			const { id } = request.params as { id: string };
			const project = state.projects.get(id);
			state.projects.delete(id);
			state.webhooks.emit(() => projectDeletedEvents(project));
			return jsonResponse(204, undefined);
		}),
	);
}
