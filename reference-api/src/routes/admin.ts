import type { FastifyInstance } from 'fastify';

import {
	assertValidOptions,
	FAULT_CLASSES,
	WEBHOOK_FAULT_CLASSES,
	mergeDeep,
	type DeepPartial,
	type ReferenceApiOptions,
} from '../config';
import { ApiError } from '../errors';
import type { ServerState } from '../state';

const nonNegative = { type: 'number', minimum: 0 };
const sinceQuery = {
	type: 'object',
	properties: { since: { type: 'integer', minimum: 0, default: 0 } },
};

const configPatchSchema = {
	type: 'object',
	additionalProperties: false,
	properties: {
		faults: {
			type: 'object',
			additionalProperties: false,
			properties: {
				seed: { type: 'integer' },
				rates: {
					type: 'object',
					additionalProperties: false,
					properties: Object.fromEntries(
						FAULT_CLASSES.map((name) => [name, { type: 'number', minimum: 0, maximum: 1 }]),
					),
				},
				slowMs: nonNegative,
				slowUntilOvertaken: { type: 'boolean' },
				retryAfterSeconds: nonNegative,
				retryAfterFormat: { type: 'string', enum: ['seconds', 'http-date', 'mixed'] },
				methods: { type: 'array', items: { type: 'string' } },
				pathPrefix: { type: 'string' },
			},
		},
		rateLimit: {
			type: 'object',
			additionalProperties: false,
			properties: {
				enabled: { type: 'boolean' },
				capacity: { type: 'integer', minimum: 1 },
				refillPerSecond: { type: 'number', exclusiveMinimum: 0 },
				headers: { type: 'boolean' },
			},
		},
		latencyMs: nonNegative,
		tokenTtlSeconds: nonNegative,
		idempotencyTtlSeconds: nonNegative,
		uniqueNames: { type: 'boolean' },
		requireIdempotencyKey: { type: 'boolean' },
		ignoreIdempotencyKeys: { type: 'boolean' },
		inFlightRetryAfterSeconds: nonNegative,
		holdUntilOvertakenMs: nonNegative,
		webhooks: {
			type: 'object',
			additionalProperties: false,
			properties: {
				maxAttempts: { type: 'integer', minimum: 1, maximum: 100 },
				backoffBaseMs: nonNegative,
				backoffMaxMs: nonNegative,
				retryWindowMs: nonNegative,
				requestTimeoutMs: { type: 'number', exclusiveMinimum: 0 },
				faults: {
					type: 'object',
					additionalProperties: false,
					properties: {
						seed: { type: 'integer' },
						rates: {
							type: 'object',
							additionalProperties: false,
							properties: Object.fromEntries(
								WEBHOOK_FAULT_CLASSES.map((name) => [name, { type: 'number', minimum: 0, maximum: 1 }]),
							),
						},
						lateMs: nonNegative,
						holdMs: nonNegative,
						staleSeconds: nonNegative,
					},
				},
			},
		},
	},
};

const webhookSendSchema = {
	type: 'object',
	required: ['subscriptionId', 'kind'],
	additionalProperties: false,
	properties: {
		subscriptionId: { type: 'string' },
		kind: { type: 'string', enum: ['forged', 'stale', 'valid'] },
		eventId: { type: 'string' },
	},
};

export type ConfigPatch = DeepPartial<
	Pick<
		ReferenceApiOptions,
		| 'faults'
		| 'rateLimit'
		| 'latencyMs'
		| 'tokenTtlSeconds'
		| 'idempotencyTtlSeconds'
		| 'uniqueNames'
		| 'requireIdempotencyKey'
		| 'ignoreIdempotencyKeys'
		| 'inFlightRetryAfterSeconds'
		| 'holdUntilOvertakenMs'
		| 'webhooks'
	>
>;

function publicConfig(options: ReferenceApiOptions): Omit<ReferenceApiOptions, 'adminToken'> {
	const { adminToken: _hidden, ...visible } = options;
	return visible;
}

/** Applies a validated patch in place, so that every layer reading `state.options` sees it at once. */
export function applyConfigPatch(state: ServerState, patch: ConfigPatch): void {
	const merged = mergeDeep(state.options, patch as DeepPartial<ReferenceApiOptions>);
	merged.faults.methods = merged.faults.methods.map((method) => method.toUpperCase());
	try {
		assertValidOptions(merged);
	} catch (error) {
		throw new ApiError(400, 'INVALID_INPUT', (error as Error).message);
	}
	Object.assign(state.options, merged);
	if (patch.faults?.seed !== undefined) state.prng.reseed(merged.faults.seed);
	if (patch.rateLimit) state.rateLimiter.clear();
	if (patch.webhooks?.faults?.seed !== undefined) state.webhooks.reseed(merged.webhooks.faults.seed);
}

export function resetState(state: ServerState, forgetTokens: boolean): void {
	state.projects.reset();
	state.idempotency.clear();
	state.stats.reset();
	state.rateLimiter.clear();
	state.tokenExpiryKeys.clear();
	state.prng.reseed(state.options.faults.seed);
	state.webhooks.reset();
	if (forgetTokens) state.credentials.forgetTokens();
}

/** Test and benchmark controls; never part of the documented API. */
export function registerAdminRoutes(admin: FastifyInstance, state: ServerState): void {
	admin.addHook('onRequest', async (request) => {
		const expected = state.options.adminToken;
		if (expected !== undefined && request.headers['x-admin-token'] !== expected) {
			throw new ApiError(401, 'UNAUTHORIZED', 'Admin routes need the X-Admin-Token header.');
		}
	});

	const hide = { hide: true };

	admin.get('/config', { schema: hide }, async () => publicConfig(state.options));

	admin.patch('/config', { schema: { ...hide, body: configPatchSchema } }, async (request) => {
		applyConfigPatch(state, request.body as ConfigPatch);
		return publicConfig(state.options);
	});

	admin.get('/stats', { schema: hide }, async () => {
		const stats = state.stats;
		return {
			requests: { total: stats.total, byStatus: stats.byStatus, byRoute: stats.byRoute },
			projectsCreated: state.projects.created,
			projectsStored: state.projects.size,
			projectsDeleted: state.projects.deleted,
			replays: stats.replays,
			inFlightConflicts: stats.inFlightConflicts,
			keyMismatches: stats.keyMismatches,
			faultsInjected: stats.faultsInjected,
			tokensIssued: stats.tokensIssued,
			inFlight: { now: stats.inFlight, max: stats.maxInFlight },
			held: stats.held,
		};
	});

	admin.get('/requests', { schema: { ...hide, querystring: sinceQuery } }, async (request) => ({
		entries: state.stats.entriesSince((request.query as { since: number }).since),
	}));

	admin.get('/webhooks', { schema: hide }, async () => {
		const webhooks = state.webhooks;
		return {
			subscriptions: webhooks.subscriptions.size,
			subscriptionsByClient: webhooks.subscriptions.countByClient(),
			eventsEmitted: webhooks.eventsEmitted,
			pendingDeliveries: webhooks.pending,
			attempts: webhooks.attempts,
			delivered: webhooks.delivered,
			gaveUp: webhooks.gaveUp,
			faultsInjected: webhooks.faultsInjected,
		};
	});

	admin.get('/webhooks/deliveries', { schema: { ...hide, querystring: sinceQuery } }, async (request) => ({
		entries: state.webhooks.deliveriesSince((request.query as { since: number }).since),
	}));

	admin.get('/webhooks/events', { schema: { ...hide, querystring: sinceQuery } }, async (request) => ({
		entries: state.webhooks.eventsSince((request.query as { since: number }).since),
	}));

	admin.post('/webhooks/send', { schema: { ...hide, body: webhookSendSchema } }, async (request) => {
		const { subscriptionId, kind, eventId } = request.body as {
			subscriptionId: string;
			kind: 'forged' | 'stale' | 'valid';
			eventId?: string;
		};
		const subscription = state.webhooks.subscriptions.get(subscriptionId);
		if (!subscription)
			throw new ApiError(404, 'NOT_FOUND', `No webhook subscription with id '${subscriptionId}'.`);
		const event = state.webhooks.findEvent(subscriptionId, eventId);
		if (!event) {
			throw new ApiError(
				404,
				'NOT_FOUND',
				eventId === undefined
					? `No event has been sent to subscription '${subscriptionId}' yet; change a project first.`
					: `No event with id '${eventId}'.`,
			);
		}
		return { delivery: await state.webhooks.sendOnce(subscription, event, kind) };
	});

	admin.post('/reset', { schema: hide }, async (request) => {
		const body = request.body as { tokens?: unknown } | undefined;
		resetState(state, body?.tokens === true);
		return { reset: true, tokensForgotten: body?.tokens === true };
	});

	admin.post('/tokens/expire', { schema: hide }, async () => ({
		expired: state.credentials.expireAllTokens(),
	}));
}
