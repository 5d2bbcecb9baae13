import type { FastifyInstance } from 'fastify';

import {
	assertValidOptions,
	FAULT_CLASSES,
	mergeDeep,
	type DeepPartial,
	type ReferenceApiOptions,
} from '../config';
import { ApiError } from '../errors';
import type { ServerState } from '../state';

const nonNegative = { type: 'number', minimum: 0 };

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
			},
		},
		latencyMs: nonNegative,
		tokenTtlSeconds: nonNegative,
		idempotencyTtlSeconds: nonNegative,
		uniqueNames: { type: 'boolean' },
		requireIdempotencyKey: { type: 'boolean' },
		ignoreIdempotencyKeys: { type: 'boolean' },
		inFlightRetryAfterSeconds: nonNegative,
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
}

export function resetState(state: ServerState, forgetTokens: boolean): void {
	state.projects.reset();
	state.idempotency.clear();
	state.stats.reset();
	state.rateLimiter.clear();
	state.tokenExpiryKeys.clear();
	state.prng.reseed(state.options.faults.seed);
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
		};
	});

	admin.get(
		'/requests',
		{
			schema: {
				...hide,
				querystring: { type: 'object', properties: { since: { type: 'integer', minimum: 0, default: 0 } } },
			},
		},
		async (request) => ({ entries: state.stats.entriesSince((request.query as { since: number }).since) }),
	);

	admin.post('/reset', { schema: hide }, async (request) => {
		const body = request.body as { tokens?: unknown } | undefined;
		resetState(state, body?.tokens === true);
		return { reset: true, tokensForgotten: body?.tokens === true };
	});

	admin.post('/tokens/expire', { schema: hide }, async () => ({
		expired: state.credentials.expireAllTokens(),
	}));
}
