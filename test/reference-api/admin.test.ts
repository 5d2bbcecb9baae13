import { REQUEST_LOG_LIMIT } from '../../reference-api/src/stats';
import { TestApi, unique, type Json } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start();
});
afterAll(() => api.close());
beforeEach(() => api.reset({ tokens: true }));

test('GET /_admin/config shows the effective options', async () => {
	const config = await api.admin('GET', '/config');
	expect(config).toMatchObject({
		host: '127.0.0.1',
		tokenTtlSeconds: 3600,
		idempotencyTtlSeconds: 86400,
		requireIdempotencyKey: false,
		uniqueNames: true,
		rateLimit: { enabled: false },
		latencyMs: 0,
		faults: {
			seed: 1,
			slowMs: 2000,
			retryAfterSeconds: 1,
			retryAfterFormat: 'seconds',
			methods: ['POST', 'PATCH', 'DELETE'],
			pathPrefix: '/api/v1/projects',
		},
	});
	expect(Object.values(config.faults.rates).every((rate) => rate === 0)).toBe(true);
	expect(config).not.toHaveProperty('adminToken');
});

test('PATCH /_admin/config merges fault rates and validates', async () => {
	await api.configure({ faults: { rates: { throttle: 0.1 } } });
	const merged = await api.configure({ faults: { rates: { htmlError: 0.2 } }, latencyMs: 1 });
	expect(merged.faults.rates).toMatchObject({ throttle: 0.1, htmlError: 0.2, errorAfterCommit: 0 });
	expect(merged.latencyMs).toBe(1);

	for (const patch of [
		{ faults: { rates: { throttle: 0.6, htmlError: 0.6 } } },
		{ faults: { rates: { meteor: 0.1 } } },
		{ latencyMs: -1 },
		{ colour: 'red' },
	]) {
		const reply = await api.call('PATCH', '/_admin/config', { apiKey: null, body: patch });
		expect(reply.status).toBe(400);
		expect(reply.body.code).toBe('INVALID_INPUT');
	}
	const unchanged = await api.admin('GET', '/config');
	expect(unchanged.faults.rates.throttle).toBe(0.1);
	await api.configure({ faults: { rates: { throttle: 0, htmlError: 0 } }, latencyMs: 0 });
});

test('latencyMs delays every API request', async () => {
	await api.configure({ latencyMs: 150 });
	try {
		const started = Date.now();
		await api.call('GET', '/me');
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
	} finally {
		await api.configure({ latencyMs: 0 });
	}
});

test('stats count requests by status and route pattern, and the project outcomes', async () => {
	const project = await api.createProject({ name: unique('Counted') });
	await api.call('GET', `/projects/${project.id}`);
	await api.call('GET', '/projects/prj_missing');
	await api.call('POST', '/projects', { body: { name: project.name } });
	await api.call('DELETE', `/projects/${project.id}`);
	await api.call('GET', '/me', { apiKey: null });
	await api.token();
	const stats = await api.stats();
	expect(stats).toEqual({
		requests: {
			total: 7,
			byStatus: { '200': 2, '201': 1, '204': 1, '401': 1, '404': 1, '409': 1 },
			byRoute: {
				'POST /api/v1/projects': 2,
				'GET /api/v1/projects/:id': 2,
				'DELETE /api/v1/projects/:id': 1,
				'GET /api/v1/me': 1,
				'POST /oauth/token': 1,
			},
		},
		projectsCreated: 1,
		projectsStored: 0,
		projectsDeleted: 1,
		replays: 0,
		inFlightConflicts: 0,
		keyMismatches: 0,
		faultsInjected: expect.objectContaining({ errorAfterCommit: 0, resetBeforeCommit: 0 }),
		tokensIssued: 1,
		// One request after the other: never more than one under way.
		inFlight: { now: 0, max: 1 },
		held: 0,
	});
});

test('the request log lists entries after `since`', async () => {
	const key = unique('logged');
	const body = { name: unique('Logged') };
	await api.call('POST', '/projects', { body, idempotencyKey: key });
	await api.call('POST', '/projects', { body, idempotencyKey: key });
	const { entries } = await api.admin('GET', '/requests');
	expect(entries).toEqual([
		{
			seq: expect.any(Number),
			at: expect.any(Number),
			receivedAt: expect.any(Number),
			method: 'POST',
			route: '/api/v1/projects',
			status: 201,
			clientId: 'demo-api-key',
			idempotencyKey: key,
			fault: null,
			retryAfterSeconds: null,
			retryNotBefore: null,
			replayed: false,
			executionId: null,
		},
		{
			seq: entries[0].seq + 1,
			at: expect.any(Number),
			receivedAt: expect.any(Number),
			method: 'POST',
			route: '/api/v1/projects',
			status: 201,
			clientId: 'demo-api-key',
			idempotencyKey: key,
			fault: null,
			retryAfterSeconds: null,
			retryNotBefore: null,
			replayed: true,
			executionId: null,
		},
	]);
	expect(Math.abs(entries[0].at - Date.now())).toBeLessThan(5000);
	const later = await api.admin('GET', `/requests?since=${entries[0].seq}`);
	expect(later.entries.map((entry: Json) => entry.seq)).toEqual([entries[1].seq]);
	expect(REQUEST_LOG_LIMIT).toBe(200_000);
});

test('reset empties projects, keys, counters and log; keeps tokens unless asked', async () => {
	const key = unique('before-reset');
	const body = { name: unique('Wiped') };
	await api.call('POST', '/projects', { body, idempotencyKey: key });
	const token = await api.token();
	await api.reset();
	const stats = await api.stats();
	expect(stats.projectsStored).toBe(0);
	expect(stats.requests.total).toBe(0);
	expect(stats.tokensIssued).toBe(0);
	expect((await api.admin('GET', '/requests')).entries).toEqual([]);
	expect((await api.call('GET', '/users')).body.data).toHaveLength(5);
	const again = await api.call('POST', '/projects', { body, idempotencyKey: key });
	expect(again.headers.get('idempotent-replayed')).toBeNull();
	expect((await api.call('GET', '/me', { bearer: token })).status).toBe(200);

	await api.reset({ tokens: true });
	const forgotten = await api.call('GET', '/me', { bearer: token });
	expect(forgotten.status).toBe(401);
	expect(forgotten.body.message).toMatch(/not recognised/);
});

test('with adminToken set, /_admin needs X-Admin-Token', async () => {
	const guarded = await TestApi.start({ adminToken: 'let-me-in' });
	try {
		const denied = await guarded.call('GET', '/_admin/stats', { apiKey: null });
		expect(denied.status).toBe(401);
		expect(denied.body.code).toBe('UNAUTHORIZED');
		const allowed = await guarded.call('GET', '/_admin/stats', {
			apiKey: null,
			headers: { 'x-admin-token': 'let-me-in' },
		});
		expect(allowed.status).toBe(200);
	} finally {
		await guarded.close();
	}
});
