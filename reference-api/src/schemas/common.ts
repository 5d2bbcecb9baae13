import { ALL_SCOPES, type Scope } from '../config';

/** Shared component schemas; @fastify/swagger publishes each under components/schemas/<$id>. */
export const sharedSchemas = [
	{
		$id: 'FieldProblem',
		type: 'object',
		required: ['field', 'message'],
		properties: {
			field: {
				type: 'string',
				description: "Dotted path of the offending input, e.g. 'budget.currency' or 'teamIds[1]'.",
			},
			message: { type: 'string' },
		},
	},
	{
		$id: 'Error',
		type: 'object',
		description: 'Every API error has this shape; some codes add fields (existingProjectId, requiredScope).',
		required: ['code', 'message'],
		properties: {
			code: { type: 'string', examples: ['INVALID_INPUT'] },
			message: { type: 'string' },
			details: { type: 'array', items: { $ref: 'FieldProblem#' } },
			existingProjectId: {
				type: 'string',
				description: 'With DUPLICATE_RESOURCE: the project that already has the name.',
			},
			requiredScope: { type: 'string', description: 'With FORBIDDEN: the scope the credential lacks.' },
		},
	},
	{
		$id: 'OAuthError',
		type: 'object',
		description: 'RFC 6749 section 5.2 error.',
		required: ['error'],
		properties: {
			error: {
				type: 'string',
				enum: [
					'invalid_request',
					'invalid_client',
					'invalid_grant',
					'unsupported_grant_type',
					'invalid_scope',
				],
			},
			error_description: { type: 'string' },
		},
	},
] as const;

const errorRef = { $ref: 'Error#' };

const retryAfterHeader = {
	'Retry-After': {
		type: 'string',
		description: 'Delay before retrying: integer seconds or an HTTP-date (RFC 9110).',
	},
};

const errorDescriptions: Record<number, string> = {
	400: 'INVALID_INPUT (field-level details), INVALID_IDEMPOTENCY_KEY or IDEMPOTENCY_KEY_REQUIRED.',
	401: 'UNAUTHORIZED: credential missing, not recognised or expired (see WWW-Authenticate).',
	403: 'FORBIDDEN: the credential lacks the scope named in requiredScope.',
	404: 'NOT_FOUND: no project with this id.',
	409: 'DUPLICATE_RESOURCE (a project with this name exists; see existingProjectId) or IDEMPOTENCY_KEY_IN_USE (retry after Retry-After).',
	413: 'PAYLOAD_TOO_LARGE: the body exceeds 1 MiB.',
	415: 'UNSUPPORTED_MEDIA_TYPE: send application/json.',
	422: 'IDEMPOTENCY_KEY_MISMATCH: the key was used with a different request body.',
	429: 'RATE_LIMITED: retry after Retry-After.',
	500: 'INTERNAL_ERROR.',
	503: 'SERVICE_UNAVAILABLE: retry after Retry-After where given.',
};

export function errorResponse(status: number, description?: string): Record<string, unknown> {
	const response: Record<string, unknown> = {
		description: description ?? errorDescriptions[status],
		...errorRef,
	};
	if (status === 401) response.headers = { 'WWW-Authenticate': { type: 'string' } };
	if (status === 409 || status === 429 || status === 503) response.headers = retryAfterHeader;
	return response;
}

/** A proxy in front of the API may answer 502 with an HTML page instead of JSON. */
const badGatewayResponse = {
	description: 'Bad gateway: a JSON error, or an HTML page from a proxy.',
	content: {
		'application/json': { schema: errorRef },
		'text/html': { schema: { type: 'string' } },
	},
};

/** Error responses for the given statuses, plus the server-side ones every API route may give. */
export function errorResponses(...statuses: number[]): Record<string, unknown> {
	const responses: Record<string, unknown> = {};
	for (const status of [...statuses, 401, 429, 500, 503]) responses[status] = errorResponse(status);
	responses[502] = badGatewayResponse;
	return responses;
}

export function securedBy(scope?: Scope): Array<Record<string, string[]>> {
	return [{ apiKeyHeader: [] }, { apiKeyQuery: [] }, { bearerAuth: [] }, { oauth2: scope ? [scope] : [] }];
}

export const securitySchemes = {
	apiKeyHeader: {
		type: 'apiKey',
		in: 'header',
		name: 'X-API-Key',
		description: 'An API key. It may also be sent as `Authorization: Bearer <key>`.',
	},
	apiKeyQuery: {
		type: 'apiKey',
		in: 'query',
		name: 'api_key',
		description: 'An API key in the address, for clients that cannot set headers.',
	},
	bearerAuth: { type: 'http', scheme: 'bearer', description: 'An OAuth2 access token or an API key.' },
	oauth2: {
		type: 'oauth2',
		flows: {
			clientCredentials: {
				tokenUrl: '/oauth/token',
				scopes: {
					'projects:read': 'List and read projects',
					'projects:write': 'Create, update and delete projects',
					'directory:read': 'Read users, teams and custom field definitions',
					'webhooks:write': 'Subscribe to project events, list and delete the subscriptions',
				} satisfies Record<(typeof ALL_SCOPES)[number], string>,
			},
		},
	},
};

export const pageQuerySchema = {
	type: 'object',
	properties: {
		limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size.' },
		cursor: { type: 'string', description: 'nextCursor of the previous page; opaque.' },
	},
} as const;

export function pageOf(itemRef: string, description: string): Record<string, unknown> {
	return {
		description,
		type: 'object',
		required: ['data', 'nextCursor'],
		properties: {
			data: { type: 'array', items: { $ref: `${itemRef}#` } },
			nextCursor: {
				type: ['string', 'null'],
				description: 'Pass as `cursor` for the next page; null on the last page.',
			},
		},
	};
}

export const idempotencyKeyHeaders = {
	type: 'object',
	properties: {
		'Idempotency-Key': {
			type: 'string',
			description:
				'1–255 visible ASCII characters, bare or as a structured-field string ("…"). A retry with the same key and body ' +
				'replays the first response (header Idempotent-Replayed: true) instead of acting twice. Keys are scoped to the ' +
				'client, method and path.',
		},
	},
} as const;
