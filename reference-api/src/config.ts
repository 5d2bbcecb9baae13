export type Scope = 'projects:read' | 'projects:write' | 'directory:read' | 'webhooks:write';
export const ALL_SCOPES: readonly Scope[] = [
	'projects:read',
	'projects:write',
	'directory:read',
	'webhooks:write',
];

export const FAULT_CLASSES = [
	'errorBeforeCommit',
	'errorAfterCommit',
	'resetBeforeCommit',
	'resetAfterCommit',
	'timeoutAfterCommit',
	'slowBeforeCommit',
	'throttle',
	'unavailable',
	'htmlError',
	'truncatedBody',
	'tokenExpiry',
] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

/** Faults of webhook deliveries; one seeded draw per (event, subscription) picks at most one. */
export const WEBHOOK_FAULT_CLASSES = ['duplicate', 'outOfOrder', 'late', 'forged', 'stale'] as const;
export type WebhookFaultClass = (typeof WEBHOOK_FAULT_CLASSES)[number];

export interface ApiKeyCredential {
	key: string;
	clientId: string;
	name: string;
	scopes: Scope[];
}

export interface OAuthClient {
	clientId: string;
	clientSecret: string;
	name: string;
	scopes: Scope[];
}

export interface FaultOptions {
	seed: number;
	rates: Record<FaultClass, number>;
	slowMs: number;
	/**
	 * slowBeforeCommit waits until a retry with the same key has met the request in flight (at most slowMs),
	 * instead of slowMs outright: "the retry overtakes" happens for every slow request, whatever the timing.
	 */
	slowUntilOvertaken: boolean;
	retryAfterSeconds: number;
	retryAfterFormat: 'seconds' | 'http-date' | 'mixed';
	methods: string[];
	pathPrefix: string;
}

export interface WebhookFaultOptions {
	seed: number;
	rates: Record<WebhookFaultClass, number>;
	/** `late`: how long the delivery waits before it joins its subscription's queue. */
	lateMs: number;
	/** `outOfOrder`: the longest the delivery is held back waiting for a later event to overtake it. */
	holdMs: number;
	/** `stale` (and the admin stale send): how far in the past the Webhook-Timestamp lies. */
	staleSeconds: number;
}

export interface WebhookOptions {
	/** Attempts per delivery, the first included. */
	maxAttempts: number;
	/** Wait before attempt n+1: min(backoffMaxMs, backoffBaseMs * 2^(n-1)). */
	backoffBaseMs: number;
	backoffMaxMs: number;
	/** No attempt starts later than this after the first one. */
	retryWindowMs: number;
	/** An attempt whose target has not answered by then counts as a network error. */
	requestTimeoutMs: number;
	faults: WebhookFaultOptions;
}

export interface RateLimitOptions {
	enabled: boolean;
	capacity: number;
	refillPerSecond: number;
	/**
	 * Whether answers carry `RateLimit-Policy` and `RateLimit` (the default); false: a refused request learns only
	 * its `Retry-After`, as from many APIs.
	 */
	headers?: boolean;
}

export interface ReferenceApiOptions {
	host: string;
	port: number;
	apiKeys: ApiKeyCredential[];
	oauthClients: OAuthClient[];
	tokenTtlSeconds: number;
	idempotencyTtlSeconds: number;
	requireIdempotencyKey: boolean;
	/** Negative controls only: Idempotency-Key is read and logged but otherwise ignored, so retries repeat the work. */
	ignoreIdempotencyKeys: boolean;
	/** Retry-After (whole seconds) of the 409 a retry gets while the first request with its key is in flight. */
	inFlightRetryAfterSeconds: number;
	/**
	 * Races made certain, for tests: a new request with an idempotency key is held before it commits until a
	 * second request with the same key has met it in flight (and got the 409), or this many milliseconds passed.
	 * 0 (the default) holds nothing.
	 */
	holdUntilOvertakenMs: number;
	uniqueNames: boolean;
	rateLimit: RateLimitOptions;
	latencyMs: number;
	faults: FaultOptions;
	webhooks: WebhookOptions;
	adminToken?: string;
	logger: boolean;
}

/** Arrays are replaced whole when merging, so they stay plain arrays here. */
export type DeepPartial<T> = {
	[K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

export const DEMO_CREDENTIALS = {
	apiKey: 'pm_demo_rw_0123456789abcdef',
	apiKeyClientId: 'demo-api-key',
	readOnlyApiKey: 'pm_demo_ro_0123456789abcdef',
	readOnlyApiKeyClientId: 'demo-readonly-api-key',
	oauthClientId: 'demo-client',
	oauthClientSecret: 'demo-client-secret',
	readOnlyOauthClientId: 'demo-readonly-client',
	readOnlyOauthClientSecret: 'demo-readonly-secret',
} as const;

const READ_SCOPES: Scope[] = ['projects:read', 'directory:read'];

/** Every webhook delivery fault class at rate 0. */
export function noWebhookFaults(): Record<WebhookFaultClass, number> {
	return Object.fromEntries(WEBHOOK_FAULT_CLASSES.map((name) => [name, 0])) as Record<
		WebhookFaultClass,
		number
	>;
}

/** Every fault class at rate 0: the base that a test or scenario switches single classes on from. */
export function noFaults(): Record<FaultClass, number> {
	return Object.fromEntries(FAULT_CLASSES.map((name) => [name, 0])) as Record<FaultClass, number>;
}

export function defaultOptions(): ReferenceApiOptions {
	return {
		host: '127.0.0.1',
		port: 0,
		apiKeys: [
			{
				key: DEMO_CREDENTIALS.apiKey,
				clientId: DEMO_CREDENTIALS.apiKeyClientId,
				name: 'Demo API key (read/write)',
				scopes: [...ALL_SCOPES],
			},
			{
				key: DEMO_CREDENTIALS.readOnlyApiKey,
				clientId: DEMO_CREDENTIALS.readOnlyApiKeyClientId,
				name: 'Demo API key (read-only)',
				scopes: [...READ_SCOPES],
			},
		],
		oauthClients: [
			{
				clientId: DEMO_CREDENTIALS.oauthClientId,
				clientSecret: DEMO_CREDENTIALS.oauthClientSecret,
				name: 'Demo OAuth2 client (read/write)',
				scopes: [...ALL_SCOPES],
			},
			{
				clientId: DEMO_CREDENTIALS.readOnlyOauthClientId,
				clientSecret: DEMO_CREDENTIALS.readOnlyOauthClientSecret,
				name: 'Demo OAuth2 client (read-only)',
				scopes: [...READ_SCOPES],
			},
		],
		tokenTtlSeconds: 3600,
		idempotencyTtlSeconds: 86400,
		requireIdempotencyKey: false,
		ignoreIdempotencyKeys: false,
		inFlightRetryAfterSeconds: 1,
		holdUntilOvertakenMs: 0,
		uniqueNames: true,
		rateLimit: { enabled: false, capacity: 10, refillPerSecond: 5 },
		latencyMs: 0,
		faults: {
			seed: 1,
			rates: noFaults(),
			slowMs: 2000,
			slowUntilOvertaken: false,
			retryAfterSeconds: 1,
			retryAfterFormat: 'seconds',
			methods: ['POST', 'PATCH', 'DELETE'],
			pathPrefix: '/api/v1/projects',
		},
		webhooks: {
			maxAttempts: 5,
			backoffBaseMs: 100,
			backoffMaxMs: 2000,
			retryWindowMs: 30_000,
			requestTimeoutMs: 5000,
			faults: { seed: 1, rates: noWebhookFaults(), lateMs: 1000, holdMs: 2000, staleSeconds: 3600 },
		},
		logger: false,
	};
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Recursive merge where `undefined` leaves the base untouched and arrays replace. */
export function mergeDeep<T>(base: T, patch: DeepPartial<T> | undefined): T {
	if (patch === undefined) return base;
	const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
	for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
		if (value === undefined) continue;
		const current = out[key];
		out[key] = isPlainObject(value) && isPlainObject(current) ? mergeDeep(current, value) : value;
	}
	return out as T;
}

/** Throws on settings that would make the server misbehave silently rather than fail loudly. */
export function assertValidOptions(options: ReferenceApiOptions): void {
	const problems: string[] = [];
	const rates = options.faults.rates;
	let sum = 0;
	for (const [name, rate] of Object.entries(rates)) {
		if (!(FAULT_CLASSES as readonly string[]).includes(name)) problems.push(`unknown fault class '${name}'`);
		if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
			problems.push(`faults.rates.${name} must be between 0 and 1`);
		sum += rate;
	}
	if (sum > 1 + 1e-9) problems.push(`fault rates add up to ${sum}, more than 1`);
	const webhooks = options.webhooks;
	let webhookSum = 0;
	for (const [name, rate] of Object.entries(webhooks.faults.rates)) {
		if (!(WEBHOOK_FAULT_CLASSES as readonly string[]).includes(name))
			problems.push(`unknown webhook fault class '${name}'`);
		if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
			problems.push(`webhooks.faults.rates.${name} must be between 0 and 1`);
		webhookSum += rate;
	}
	if (webhookSum > 1 + 1e-9) problems.push(`webhook fault rates add up to ${webhookSum}, more than 1`);
	if (!(Number.isInteger(webhooks.maxAttempts) && webhooks.maxAttempts >= 1 && webhooks.maxAttempts <= 100))
		problems.push('webhooks.maxAttempts must be an integer from 1 to 100');
	if (!(webhooks.requestTimeoutMs > 0)) problems.push('webhooks.requestTimeoutMs must be positive');
	if (options.rateLimit.capacity < 1) problems.push('rateLimit.capacity must be at least 1');
	if (!(options.rateLimit.refillPerSecond > 0)) problems.push('rateLimit.refillPerSecond must be positive');
	for (const [name, value] of [
		['latencyMs', options.latencyMs],
		['tokenTtlSeconds', options.tokenTtlSeconds],
		['idempotencyTtlSeconds', options.idempotencyTtlSeconds],
		['faults.slowMs', options.faults.slowMs],
		['faults.retryAfterSeconds', options.faults.retryAfterSeconds],
		['inFlightRetryAfterSeconds', options.inFlightRetryAfterSeconds],
		['holdUntilOvertakenMs', options.holdUntilOvertakenMs],
		['webhooks.backoffBaseMs', webhooks.backoffBaseMs],
		['webhooks.backoffMaxMs', webhooks.backoffMaxMs],
		['webhooks.retryWindowMs', webhooks.retryWindowMs],
		['webhooks.faults.lateMs', webhooks.faults.lateMs],
		['webhooks.faults.holdMs', webhooks.faults.holdMs],
		['webhooks.faults.staleSeconds', webhooks.faults.staleSeconds],
	] as const) {
		if (!(value >= 0)) problems.push(`${name} must be a number ≥ 0`);
	}
	if (!['seconds', 'http-date', 'mixed'].includes(options.faults.retryAfterFormat)) {
		problems.push("faults.retryAfterFormat must be 'seconds', 'http-date' or 'mixed'");
	}
	if (problems.length > 0) throw new Error(`Invalid reference API options: ${problems.join('; ')}`);
}

export function resolveOptions(options?: DeepPartial<ReferenceApiOptions>): ReferenceApiOptions {
	const merged = mergeDeep(defaultOptions(), options);
	merged.faults.methods = merged.faults.methods.map((method) => method.toUpperCase());
	assertValidOptions(merged);
	return merged;
}
