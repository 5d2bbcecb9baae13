import { RateLimiter } from '../../reference-api/src/rateLimiter';
import { RO_KEY, sleep, TestApi, unique } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start({ rateLimit: { enabled: true, capacity: 3, refillPerSecond: 5 } });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

test('every response carries RateLimit-Policy and RateLimit; the empty bucket answers 429 with Retry-After', async () => {
	const remaining: string[] = [];
	for (let i = 0; i < 3; i++) {
		const reply = await api.call('GET', '/projects');
		expect(reply.status).toBe(200);
		expect(reply.headers.get('ratelimit-policy')).toBe('"default";q=3;w=1');
		remaining.push(reply.headers.get('ratelimit') ?? '');
	}
	expect(remaining.map((value) => /r=(\d+)/.exec(value)?.[1])).toEqual(['2', '1', '0']);
	expect(remaining[0]).toMatch(/^"default";r=2;t=\d+$/);

	const limited = await api.call('GET', '/projects');
	expect(limited.status).toBe(429);
	expect(limited.body).toEqual({ code: 'RATE_LIMITED', message: expect.any(String) });
	expect(limited.headers.get('retry-after')).toBe('1');
	expect(limited.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);

	const log = (await api.admin('GET', '/requests')).entries;
	expect(log[log.length - 1]).toMatchObject({ status: 429, retryAfterSeconds: 1, clientId: 'demo-api-key' });
});

test('the bucket refills at refillPerSecond', async () => {
	for (let i = 0; i < 3; i++) await api.call('GET', '/me');
	expect((await api.call('GET', '/me')).status).toBe(429);
	// 5 tokens per second: a token after 200 ms. (How many exactly after a wait depends on the machine's timers;
	// the token-by-token arithmetic is checked on an explicit clock below.)
	await sleep(250);
	expect((await api.call('GET', '/me')).status).toBe(200);
});

test('buckets are per client', async () => {
	for (let i = 0; i < 4; i++) await api.call('GET', '/me');
	expect((await api.call('GET', '/me')).status).toBe(429);
	expect((await api.call('GET', '/me', { apiKey: RO_KEY })).status).toBe(200);
});

test('a 429 is not stored under the Idempotency-Key: the retry after refill creates the project', async () => {
	for (let i = 0; i < 3; i++) await api.call('GET', '/me');
	const key = unique('limited');
	const body = { name: unique('Throttled') };
	const limited = await api.call('POST', '/projects', { body, idempotencyKey: key });
	expect(limited.status).toBe(429);
	await sleep(Number(limited.headers.get('retry-after')) * 1000);
	const retry = await api.call('POST', '/projects', { body, idempotencyKey: key });
	expect(retry.status).toBe(201);
	expect(retry.headers.get('idempotent-replayed')).toBeNull();
});

test('with headers off, the limit holds but answers carry only Retry-After on a 429, as many APIs do', async () => {
	await api.configure({ rateLimit: { enabled: true, headers: false } });
	try {
		for (let i = 0; i < 3; i++) {
			const reply = await api.call('GET', '/me');
			expect(reply.headers.get('ratelimit')).toBeNull();
			expect(reply.headers.get('ratelimit-policy')).toBeNull();
		}
		const limited = await api.call('GET', '/me');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		expect(limited.headers.get('ratelimit')).toBeNull();
	} finally {
		await api.configure({ rateLimit: { enabled: true, headers: true } });
	}
});

test('switched off at runtime: no headers, no limit', async () => {
	await api.configure({ rateLimit: { enabled: false } });
	try {
		for (let i = 0; i < 6; i++) {
			const reply = await api.call('GET', '/me');
			expect(reply.status).toBe(200);
			expect(reply.headers.get('ratelimit')).toBeNull();
		}
	} finally {
		await api.configure({ rateLimit: { enabled: true } });
	}
});

test('token bucket arithmetic', () => {
	const limiter = new RateLimiter();
	const limits = { enabled: true, capacity: 2, refillPerSecond: 0.5 };
	expect(limiter.take('c', limits, 0)).toMatchObject({ allowed: true, remaining: 1 });
	expect(limiter.take('c', limits, 0)).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 2 });
	expect(limiter.take('c', limits, 0)).toMatchObject({ allowed: false, retryAfterSeconds: 2 });
	expect(limiter.take('c', limits, 1000)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
	expect(limiter.take('c', limits, 2000)).toMatchObject({ allowed: true, remaining: 0 });
	expect(limiter.take('c', limits, 10_000)).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 2 });
});
