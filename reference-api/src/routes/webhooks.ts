import type { FastifyInstance, FastifyRequest } from 'fastify';

import { ApiError, type FieldProblem } from '../errors';
import { apiHandler, jsonResponse } from '../layers/handler';
import { paginate } from '../pagination';
import { errorResponse, errorResponses, pageOf, securedBy } from '../schemas/common';
import {
	SIGNATURE_DESCRIPTION,
	webhookCreateBody,
	webhookIdParams,
	webhookListQuery,
} from '../schemas/webhook';
import type { ServerState } from '../state';
import type { EventType } from '../webhooks/events';
import { publicSubscription, type Subscription } from '../webhooks/subscriptions';

type PageQuery = { limit: number; cursor?: string };

const sortKey = (subscription: Subscription) => String(subscription.seq).padStart(12, '0');

/** The URL must be absolute http(s); the schema has already checked that it is a string. */
export function webhookBodyProblems(body: unknown): FieldProblem[] {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
	const url = (body as Record<string, unknown>).url;
	if (typeof url !== 'string' || url === '') return [];
	let parsed: URL | undefined;
	try {
		parsed = new URL(url);
	} catch {
		parsed = undefined;
	}
	if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '')
		return [{ field: 'url', message: 'must be an absolute http:// or https:// URL' }];
	return [];
}

/** The client id of the caller; authentication has run before any handler. */
function principalOf(request: FastifyRequest): string {
	return request.ctx.principal!.clientId;
}

export function registerWebhookRoutes(api: FastifyInstance, state: ServerState): void {
	api.post(
		'/webhooks',
		{
			attachValidation: true,
			config: { scope: 'webhooks:write', semantic: webhookBodyProblems },
			schema: {
				operationId: 'createWebhook',
				summary: 'Subscribe a URL to project events',
				description: `The answer carries the signing secret, the only time it is shown. ${SIGNATURE_DESCRIPTION}`,
				tags: ['webhooks'],
				security: securedBy('webhooks:write'),
				body: webhookCreateBody,
				response: {
					201: { description: 'Subscribed.', $ref: 'WebhookSubscriptionCreated#' },
					...errorResponses(400, 403, 413, 415),
				},
			},
		},
		apiHandler(state, (request) => {
			const { url, events } = request.body as { url: string; events: EventType[] };
			const subscription = state.webhooks.subscribe(principalOf(request), url, events);
			return jsonResponse(201, { ...publicSubscription(subscription), secret: subscription.secret });
		}),
	);

	api.get(
		'/webhooks',
		{
			attachValidation: true,
			config: { scope: 'webhooks:write' },
			schema: {
				operationId: 'listWebhooks',
				summary: 'List the subscriptions of this client, oldest first (without secrets)',
				tags: ['webhooks'],
				security: securedBy('webhooks:write'),
				querystring: webhookListQuery,
				response: {
					200: pageOf('WebhookSubscription', 'A page of subscriptions.'),
					...errorResponses(400, 403),
				},
			},
		},
		apiHandler(state, (request) => {
			const { limit, cursor } = request.query as PageQuery;
			const own = state.webhooks.subscriptions.listOwn(principalOf(request));
			const page = paginate(own, sortKey, limit, cursor);
			return jsonResponse(200, { data: page.data.map(publicSubscription), nextCursor: page.nextCursor });
		}),
	);

	api.delete(
		'/webhooks/:id',
		{
			attachValidation: true,
			config: { scope: 'webhooks:write' },
			schema: {
				operationId: 'deleteWebhook',
				summary: 'Unsubscribe: nothing more is delivered, not even retries already planned',
				tags: ['webhooks'],
				security: securedBy('webhooks:write'),
				params: webhookIdParams,
				response: {
					204: { description: 'Deleted.', type: 'null' },
					...errorResponses(403),
					404: errorResponse(404, 'NOT_FOUND: this client has no subscription with this id.'),
				},
			},
		},
		apiHandler(state, (request) => {
			const { id } = request.params as { id: string };
			if (!state.webhooks.unsubscribe(principalOf(request), id))
				throw new ApiError(404, 'NOT_FOUND', `No webhook subscription with id '${id}'.`);
			return jsonResponse(204, undefined);
		}),
	);
}
