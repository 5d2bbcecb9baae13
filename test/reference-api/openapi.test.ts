import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import { noFaults } from '../../reference-api/src';
import { RO_KEY, TestApi, unique, type CallOptions, type Json, type Reply } from './helpers';

/**
 * Conformance: every response the server gives, provoked on purpose for every route, must be documented in
 * its own OpenAPI document under (path, method, status) and match the schema there; every documented status
 * must be provokable.
 */
const OPERATIONS = [
	'POST /oauth/token',
	'POST /api/v1/projects',
	'GET /api/v1/projects',
	'GET /api/v1/projects/{id}',
	'PATCH /api/v1/projects/{id}',
	'DELETE /api/v1/projects/{id}',
	'GET /api/v1/users',
	'GET /api/v1/teams',
	'GET /api/v1/custom-fields',
	'GET /api/v1/me',
	'POST /api/v1/webhooks',
	'GET /api/v1/webhooks',
	'DELETE /api/v1/webhooks/{id}',
];

let api: TestApi;
let doc: Json;
const ajv = addFormats(new Ajv2020({ strict: false, validateSchema: false, allErrors: true }));
const observed = new Map<string, Map<number, Reply[]>>();

function observe(operation: string, reply: Reply): Reply {
	const byStatus = observed.get(operation) ?? new Map<number, Reply[]>();
	observed.set(operation, byStatus);
	byStatus.set(reply.status, [...(byStatus.get(reply.status) ?? []), reply]);
	return reply;
}

async function hit(operation: string, path: string, options: CallOptions = {}): Promise<Reply> {
	const [method, template] = operation.split(' ');
	const relative = template.startsWith('/api/v1') ? path.slice('/api/v1'.length) : path;
	return observe(operation, await api.call(method, relative, options));
}

const NO_FAULTS = noFaults();

async function withFault(fault: string, body: () => Promise<void>): Promise<void> {
	await api.configure({
		faults: {
			rates: { ...NO_FAULTS, [fault]: 1 },
			methods: ['GET', 'POST', 'PATCH', 'DELETE'],
			pathPrefix: '/api/v1',
		},
	});
	try {
		await body();
	} finally {
		await api.configure({
			faults: { rates: NO_FAULTS, methods: ['POST', 'PATCH', 'DELETE'], pathPrefix: '/api/v1/projects' },
		});
	}
}

beforeAll(async () => {
	api = await TestApi.start({ faults: { slowMs: 300 } });
	const reply = await api.call('GET', '/openapi.json', { apiKey: null });
	expect(reply.status).toBe(200);
	doc = reply.body;
	ajv.addSchema(doc, 'openapi.json');
	await provokeEverything();
}, 30_000);
afterAll(() => api.close());

async function provokeEverything(): Promise<void> {
	const ro = await api.token(undefined, undefined, 'projects:read');
	const form = (fields: Record<string, string>, headers: Record<string, string> = {}): CallOptions => ({
		apiKey: null,
		raw: new URLSearchParams(fields).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
	});

	// /oauth/token
	await hit(
		'POST /oauth/token',
		'/oauth/token',
		form({ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'demo-client-secret' }),
	);
	await hit(
		'POST /oauth/token',
		'/oauth/token',
		form({ grant_type: 'password', client_id: 'demo-client', client_secret: 'demo-client-secret' }),
	);
	await hit(
		'POST /oauth/token',
		'/oauth/token',
		form({ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'nope' }),
	);

	// POST /projects
	const post = 'POST /api/v1/projects';
	const name = unique('Doc');
	const created = await hit(post, '/api/v1/projects', {
		body: { name, budget: { currency: 'USD', amount: 1 }, customFields: { riskScore: 2 } },
		idempotencyKey: 'doc-key',
	});
	await hit(post, '/api/v1/projects', { body: { name }, idempotencyKey: 'doc-key-2' });
	await hit(post, '/api/v1/projects', { body: { name: unique('Other') }, idempotencyKey: 'doc-key' });
	await hit(post, '/api/v1/projects', { body: { name: '', status: 'x' } });
	await hit(post, '/api/v1/projects', { body: { name: unique('K') }, idempotencyKey: 'bad key' });
	await hit(post, '/api/v1/projects', { body: { name: unique('N') }, apiKey: null });
	await hit(post, '/api/v1/projects', { body: { name: unique('R') }, apiKey: RO_KEY });
	await hit(post, '/api/v1/projects', { raw: 'name=x', headers: { 'content-type': 'text/plain' } });
	const oversized = JSON.stringify({ name: unique('Big'), description: 'x'.repeat(1_100_000) });
	await hit(post, '/api/v1/projects', { raw: oversized, headers: { 'content-type': 'application/json' } });
	const id = created.body.id;
	const other = await api.createProject({ name: unique('Other') });

	// the other project routes
	const item = (method: string) => `${method} /api/v1/projects/{id}`;
	await hit('GET /api/v1/projects', '/api/v1/projects?limit=1');
	await hit('GET /api/v1/projects', '/api/v1/projects?limit=0');
	await hit('GET /api/v1/projects', '/api/v1/projects', { apiKey: null });
	await hit('GET /api/v1/projects', '/api/v1/projects', {
		bearer: await api.token(undefined, undefined, 'directory:read'),
	});
	await hit(item('GET'), `/api/v1/projects/${id}`);
	await hit(item('GET'), '/api/v1/projects/prj_nothere', { bearer: ro });
	await hit(item('GET'), `/api/v1/projects/${id}`, { apiKey: 'wrong' });
	await hit(item('GET'), `/api/v1/projects/${id}`, {
		bearer: await api.token(undefined, undefined, 'directory:read'),
	});
	await hit(item('PATCH'), `/api/v1/projects/${id}`, {
		body: { status: 'Active' },
		idempotencyKey: 'patch-key',
	});
	await hit(item('PATCH'), `/api/v1/projects/${id}`, {
		body: { status: 'Completed' },
		idempotencyKey: 'patch-key',
	});
	await hit(item('PATCH'), `/api/v1/projects/${id}`, { body: { name: other.name } });
	await hit(item('PATCH'), `/api/v1/projects/${id}`, { body: { ownerId: 'usr_0' } });
	await hit(item('PATCH'), '/api/v1/projects/prj_nothere', { body: { status: 'Active' } });
	await hit(item('PATCH'), `/api/v1/projects/${id}`, { body: { status: 'Active' }, apiKey: null });
	await hit(item('PATCH'), `/api/v1/projects/${id}`, { body: { status: 'Active' }, bearer: ro });
	await hit(item('PATCH'), `/api/v1/projects/${id}`, {
		raw: '<x/>',
		headers: { 'content-type': 'application/xml' },
	});
	await hit(item('PATCH'), `/api/v1/projects/${id}`, {
		raw: oversized,
		headers: { 'content-type': 'application/json' },
	});
	await hit(item('DELETE'), `/api/v1/projects/${other.id}`);
	await hit(item('DELETE'), `/api/v1/projects/${other.id}`);
	await hit(item('DELETE'), `/api/v1/projects/${id}`, { apiKey: null });
	await hit(item('DELETE'), `/api/v1/projects/${id}`, { bearer: ro });

	// directory and me
	for (const path of ['/api/v1/users', '/api/v1/teams', '/api/v1/custom-fields']) {
		await hit(`GET ${path}`, `${path}?limit=2`);
		await hit(`GET ${path}`, `${path}?cursor=bogus`);
		await hit(`GET ${path}`, path, { apiKey: null });
		await hit(`GET ${path}`, path, { bearer: ro });
	}
	await hit('GET /api/v1/me', '/api/v1/me', { bearer: ro });
	await hit('GET /api/v1/me', '/api/v1/me', { apiKey: null });

	// webhooks (the target is never listened on: deliveries fail, retry briefly and end with the server)
	const subscribe = 'POST /api/v1/webhooks';
	const hook = { url: 'http://127.0.0.1:9/doc-hook', events: ['project.deleted'] };
	const subscribed = await hit(subscribe, '/api/v1/webhooks', { body: hook });
	await hit(subscribe, '/api/v1/webhooks', { body: { url: 'ftp://example.com/x', events: [] } });
	await hit(subscribe, '/api/v1/webhooks', { body: hook, apiKey: null });
	await hit(subscribe, '/api/v1/webhooks', { body: hook, apiKey: RO_KEY });
	await hit(subscribe, '/api/v1/webhooks', { raw: 'url=x', headers: { 'content-type': 'text/plain' } });
	await hit(subscribe, '/api/v1/webhooks', {
		raw: JSON.stringify({ ...hook, url: `http://example.com/${'x'.repeat(1_100_000)}` }),
		headers: { 'content-type': 'application/json' },
	});
	await hit('GET /api/v1/webhooks', '/api/v1/webhooks?limit=1');
	await hit('GET /api/v1/webhooks', '/api/v1/webhooks?limit=0');
	await hit('GET /api/v1/webhooks', '/api/v1/webhooks', { apiKey: null });
	await hit('GET /api/v1/webhooks', '/api/v1/webhooks', { bearer: ro });
	const unsubscribe = 'DELETE /api/v1/webhooks/{id}';
	await hit(unsubscribe, `/api/v1/webhooks/${subscribed.body.id}`, { apiKey: null });
	await hit(unsubscribe, `/api/v1/webhooks/${subscribed.body.id}`, { apiKey: RO_KEY });
	await hit(unsubscribe, `/api/v1/webhooks/${subscribed.body.id}`);
	await hit(unsubscribe, `/api/v1/webhooks/${subscribed.body.id}`);

	const apiOperations = OPERATIONS.filter((operation) => operation.includes('/api/v1'));
	const concrete = (operation: string) => operation.split(' ')[1].replace('{id}', id);
	const bodyFor = (operation: string) =>
		operation.startsWith('POST')
			? { name: unique('F') }
			: operation.startsWith('PATCH')
				? { priority: 'Low' }
				: undefined;

	// 429 from the rate limiter: each operation gets a fresh one-token bucket (a rateLimit patch empties the buckets)
	try {
		for (const operation of apiOperations) {
			await api.configure({ rateLimit: { enabled: true, capacity: 1, refillPerSecond: 0.001 } });
			await hit(operation, concrete(operation), { body: bodyFor(operation), apiKey: RO_KEY });
			await hit(operation, concrete(operation), { body: bodyFor(operation), apiKey: RO_KEY });
		}
	} finally {
		await api.configure({ rateLimit: { enabled: false } });
	}

	// 5xx and proxy answers through the fault layer on every API route
	for (const fault of ['errorBeforeCommit', 'htmlError', 'unavailable', 'throttle']) {
		await withFault(fault, async () => {
			for (const operation of apiOperations) {
				const attempts = fault === 'errorBeforeCommit' ? 12 : 1;
				for (let i = 0; i < attempts; i++)
					await hit(operation, concrete(operation), { body: bodyFor(operation) });
			}
		});
	}
	await withFault('errorAfterCommit', async () => {
		await hit(post, '/api/v1/projects', { body: { name: unique('After') } });
	});
}

function pointer(...segments: string[]): string {
	return segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

test('the document is OpenAPI 3.1 with the four security schemes', () => {
	expect(doc.openapi).toMatch(/^3\.1\./);
	expect(doc.components.securitySchemes).toEqual({
		apiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
		apiKeyQuery: expect.objectContaining({ type: 'apiKey', in: 'query', name: 'api_key' }),
		bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
		oauth2: {
			type: 'oauth2',
			flows: {
				clientCredentials: {
					tokenUrl: '/oauth/token',
					scopes: expect.objectContaining({
						'projects:read': expect.any(String),
						'projects:write': expect.any(String),
						'directory:read': expect.any(String),
						'webhooks:write': expect.any(String),
					}),
				},
			},
		},
	});
});

test('the document lists exactly the public operations', () => {
	const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
		Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
	);
	expect(documented.sort()).toEqual([...OPERATIONS].sort());
});

test('POST and PATCH document the Idempotency-Key header; secured routes name their scope', () => {
	for (const [path, method, scope] of [
		['/api/v1/projects', 'post', 'projects:write'],
		['/api/v1/projects/{id}', 'patch', 'projects:write'],
	]) {
		const operation = doc.paths[path][method];
		expect(operation.parameters).toEqual(
			expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'Idempotency-Key' })]),
		);
		expect(operation.security).toEqual(
			expect.arrayContaining([{ oauth2: [scope] }, { apiKeyHeader: [] }, { bearerAuth: [] }]),
		);
	}
	expect(doc.paths['/api/v1/users'].get.security).toEqual(
		expect.arrayContaining([{ oauth2: ['directory:read'] }]),
	);
	for (const [path, method] of [
		['/api/v1/webhooks', 'post'],
		['/api/v1/webhooks', 'get'],
		['/api/v1/webhooks/{id}', 'delete'],
	]) {
		expect(doc.paths[path][method].security).toEqual(
			expect.arrayContaining([{ oauth2: ['webhooks:write'] }, { apiKeyHeader: [] }, { bearerAuth: [] }]),
		);
	}
});

test('the deliveries are documented: one OpenAPI webhook per event type, with the signature headers', () => {
	expect(Object.keys(doc.webhooks).sort()).toEqual([
		'project.created',
		'project.deleted',
		'project.status_changed',
		'project.updated',
	]);
	for (const item of Object.values(doc.webhooks) as Json[]) {
		expect(item.post.requestBody.content['application/json'].schema).toEqual({
			$ref: '#/components/schemas/WebhookEvent',
		});
		expect(item.post.parameters.map((parameter: Json) => [parameter.in, parameter.name])).toEqual([
			['header', 'Webhook-Id'],
			['header', 'Webhook-Timestamp'],
			['header', 'Webhook-Signature'],
		]);
		expect(item.post.description).toMatch(/HMAC-SHA256/);
	}
	expect(doc.components.schemas.WebhookEvent.properties.data.properties.project).toEqual({
		$ref: '#/components/schemas/Project',
	});
	expect(doc.info.description).toMatch(/Webhook-Signature/);
	// The secret is in the answer of POST /webhooks only.
	const created = doc.paths['/api/v1/webhooks'].post.responses['201'].content['application/json'].schema;
	expect(created).toEqual({ $ref: '#/components/schemas/WebhookSubscriptionCreated' });
	expect(doc.components.schemas.WebhookSubscriptionCreated.required).toContain('secret');
	expect(doc.components.schemas.WebhookSubscription.properties).not.toHaveProperty('secret');
});

test('negative control: the schema check rejects a body that breaks the document', () => {
	const ref = `openapi.json#/${pointer('paths', '/api/v1/projects', 'post', 'responses', '201', 'content', 'application/json', 'schema')}`;
	const validate = ajv.getSchema(ref)!;
	const project = observed.get('POST /api/v1/projects')!.get(201)![0].body;
	expect(validate(project)).toBe(true);
	expect(validate({ ...project, teamIds: null })).toBe(false);
	expect(validate({ ...project, surprise: 1 })).toBe(false);
	expect(validate({ ...project, createdAt: 'yesterday' })).toBe(false);
});

describe.each(OPERATIONS)('%s', (operation) => {
	const [method, path] = operation.split(' ');

	test('every documented status was provoked and every provoked status is documented', () => {
		const documented = Object.keys(doc.paths[path][method.toLowerCase()].responses).map(Number).sort();
		const seen = [...(observed.get(operation)?.keys() ?? [])].sort();
		expect(seen).toEqual(documented);
	});

	test('every response body matches the documented schema for its status and content type', () => {
		for (const [status, replies] of observed.get(operation) ?? []) {
			const response = doc.paths[path][method.toLowerCase()].responses[String(status)];
			for (const reply of replies) {
				const contentType = (reply.headers.get('content-type') ?? '').split(';')[0];
				if (!response.content) {
					expect([operation, status, reply.text]).toEqual([operation, status, '']);
					continue;
				}
				expect([operation, status, Object.keys(response.content)]).toEqual([
					operation,
					status,
					expect.arrayContaining([contentType]),
				]);
				if (contentType !== 'application/json') continue;
				const ref = `openapi.json#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', contentType, 'schema')}`;
				const validate = ajv.getSchema(ref);
				if (!validate) throw new Error(`no schema at ${ref}`);
				const valid = validate(reply.body);
				expect({ operation, status, body: reply.body, errors: validate.errors ?? null }).toEqual({
					operation,
					status,
					body: reply.body,
					errors: valid ? null : [],
				});
			}
		}
	});
});
