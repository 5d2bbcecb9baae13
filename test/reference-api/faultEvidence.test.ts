import { noFaults } from '../../reference-api/src';
import { Prng } from '../../reference-api/src/prng';
import { read, sleep, TestApi, unique, type Json } from './helpers';

/**
 * What the fault matrix relies on: the request log tells when each request arrived and how long its answer
 * asked the client to wait; faults are logged when they are decided; the 401 class for OAuth2; and the two
 * controls of the negative control (keys ignored) and of fast in-flight conflicts.
 */

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start({ faults: { slowMs: 300, retryAfterSeconds: 1 } });
});
afterAll(() => api.close());
beforeEach(async () => {
	await api.reset();
	await api.configure({
		faults: { rates: NO_FAULTS, retryAfterFormat: 'seconds', retryAfterSeconds: 1 },
		ignoreIdempotencyKeys: false,
		inFlightRetryAfterSeconds: 1,
	});
});

const NO_FAULTS = noFaults();

/** Polls until `condition` holds, for at most 20 s (a bound, not an expectation of speed). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
	const deadline = Date.now() + 20_000;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error('the condition did not come true within 20 s');
		await sleep(10);
	}
}

const entries = async (): Promise<Json[]> => (await api.admin('GET', '/requests')).entries;
const creates = async (): Promise<Json[]> =>
	(await entries()).filter((entry) => entry.method === 'POST' && entry.route === '/api/v1/projects');

function createWithKey(
	name: string,
	key: string,
	signal?: AbortSignal,
	headers: Record<string, string> = {},
) {
	return api.fetch('POST', '/projects', { body: { name }, idempotencyKey: key, signal, headers });
}

test('fault draws are uniform from the first request after a (re)seed, whatever the seed', () => {
	// Seeds 1…2000, the first and the second draw of each: about 20 % below 0.2, spread over [0, 1).
	for (const position of [0, 1]) {
		const draws = Array.from({ length: 2000 }, (_, index) => {
			const prng = new Prng(index + 1);
			if (position === 1) prng.next();
			return prng.next();
		});
		const low = draws.filter((draw) => draw < 0.2).length / draws.length;
		expect(low).toBeGreaterThan(0.17);
		expect(low).toBeLessThan(0.23);
		expect(new Set(draws.map((draw) => Math.floor(draw * 10))).size).toBe(10);
	}
});

describe('the request log', () => {
	test('has arrival time, the execution id header, and no Retry-After fields on plain answers', async () => {
		const before = Date.now();
		await read(await createWithKey(unique('Logged'), unique('k'), undefined, { 'x-n8n-execution-id': '42' }));
		const [entry] = await entries();
		expect(entry.receivedAt).toBeGreaterThanOrEqual(before);
		expect(entry.at).toBeGreaterThanOrEqual(entry.receivedAt);
		expect(entry.executionId).toBe('42');
		expect(entry.retryAfterSeconds).toBeNull();
		expect(entry.retryNotBefore).toBeNull();
	});

	test('answers given before the idempotency layer (faults, rate limit) still log the key, unquoted', async () => {
		await api.configure({ faults: { rates: { ...NO_FAULTS, throttle: 1 } } });
		const key = unique('early');
		await read(
			await api.fetch('POST', '/projects', { body: { name: unique('E') }, idempotencyKey: `"${key}"` }),
		);
		const [entry] = await creates();
		expect(entry).toMatchObject({ status: 429, fault: 'throttle', idempotencyKey: key });
	});

	test.each(['seconds', 'http-date'] as const)(
		'retryNotBefore is the earliest moment the Retry-After (%s) allows',
		async (format) => {
			await api.configure({
				faults: { rates: { ...NO_FAULTS, unavailable: 1 }, retryAfterFormat: format, retryAfterSeconds: 2 },
			});
			const reply = await api.call('POST', '/projects', { body: { name: unique('Wait') } });
			const header = reply.headers.get('retry-after') ?? '';
			const [entry] = await entries();
			expect(entry.retryAfterSeconds).toBe(2);
			if (format === 'seconds') {
				expect(header).toBe('2');
				expect(entry.retryNotBefore - entry.receivedAt).toBeGreaterThanOrEqual(2000);
				expect(entry.retryNotBefore).toBeLessThanOrEqual(entry.at + 2000);
			} else {
				expect(entry.retryNotBefore).toBe(Date.parse(header));
				expect(entry.retryNotBefore - entry.receivedAt).toBeGreaterThanOrEqual(2000);
			}
		},
	);

	test('the rate limiter and the in-flight 409 fill the same fields', async () => {
		await api.configure({ rateLimit: { enabled: true, capacity: 1, refillPerSecond: 0.5 } });
		try {
			await api.call('GET', '/projects');
			const limited = await api.call('GET', '/projects');
			expect(limited.status).toBe(429);
			const [, entry] = await entries();
			expect(entry.retryAfterSeconds).toBe(Number(limited.headers.get('retry-after')));
			expect(entry.retryNotBefore - entry.receivedAt).toBeGreaterThanOrEqual(entry.retryAfterSeconds * 1000);
		} finally {
			await api.configure({ rateLimit: { enabled: false } });
		}
	});

	test('timeoutAfterCommit is logged and counted when the answer is withheld, not when the hold ends', async () => {
		// Held for a minute: longer than the test, so "still held" does not depend on how fast the machine is.
		await api.configure({ faults: { rates: { ...NO_FAULTS, timeoutAfterCommit: 1 }, slowMs: 60_000 } });
		try {
			const name = unique('Held');
			await expect(createWithKey(name, unique('k'), AbortSignal.timeout(100))).rejects.toThrow();
			// The server still holds the answer, yet the log and the counter already have it.
			expect((await api.admin('GET', '/stats')).held).toBeGreaterThanOrEqual(1);
			const [entry] = await entries();
			expect(entry).toMatchObject({ status: 201, fault: 'timeoutAfterCommit' });
			expect((await api.stats()).faultsInjected.timeoutAfterCommit).toBe(1);
			expect(await entries()).toHaveLength(1);
		} finally {
			await api.configure({ faults: { slowMs: 300 } });
		}
	});
});

test('a slow answer whose client gave up is still logged, when it is done', async () => {
	await api.configure({ faults: { rates: { ...NO_FAULTS, slowBeforeCommit: 1 } } });
	await expect(createWithKey(unique('Slow'), unique('k'), AbortSignal.timeout(100))).rejects.toThrow();
	expect(await creates()).toHaveLength(0);
	await waitFor(async () => (await creates()).length === 1);
	const [entry] = await creates();
	expect(entry).toMatchObject({ status: 201, fault: 'slowBeforeCommit' });
	expect(entry.at - entry.receivedAt).toBeGreaterThanOrEqual(290);
	expect((await api.stats()).faultsInjected.slowBeforeCommit).toBe(1);
});

test('a request whose client gave up before it was read is logged as 499 (and does nothing)', async () => {
	await api.configure({ latencyMs: 200 });
	try {
		await expect(
			api.fetch('POST', '/projects', { body: { name: '' }, signal: AbortSignal.timeout(50) }),
		).rejects.toThrow();
		await waitFor(async () => (await creates()).length === 1);
		const [entry] = await creates();
		expect(entry).toMatchObject({ status: 499 });
		expect((await api.stats()).projectsStored).toBe(0);
	} finally {
		await api.configure({ latencyMs: 0 });
	}
});

describe('tokenExpiry: the 401 of an OAuth2 token that ran out mid-run', () => {
	const tokenExpiry = () => api.configure({ faults: { rates: { ...NO_FAULTS, tokenExpiry: 1 } } });

	test('answers 401 invalid_token as for an expired token; nothing is created', async () => {
		const token = await api.token();
		await tokenExpiry();
		const reply = await api.call('POST', '/projects', {
			bearer: token,
			body: { name: unique('Expired') },
			idempotencyKey: unique('k'),
		});
		expect(reply.status).toBe(401);
		expect(reply.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
		expect(reply.body).toEqual({
			code: 'UNAUTHORIZED',
			message: 'The access token has expired; request a new one from /oauth/token.',
		});
		const stats = await api.stats();
		expect(stats.faultsInjected.tokenExpiry).toBe(1);
		expect(stats.projectsStored).toBe(0);
		const [entry] = await creates();
		expect(entry).toMatchObject({ status: 401, fault: 'tokenExpiry' });
	});

	test('never acts on the resend with the same key (n8n refreshes once), nor on API keys', async () => {
		const token = await api.token();
		await tokenExpiry();
		const key = unique('k');
		const body = { name: unique('Resent') };
		expect((await api.call('POST', '/projects', { bearer: token, body, idempotencyKey: key })).status).toBe(
			401,
		);
		const resend = await api.call('POST', '/projects', {
			bearer: await api.token(),
			body,
			idempotencyKey: key,
		});
		expect(resend.status).toBe(201);
		// The exemption is for one resend only.
		const again = await api.call('POST', '/projects', { bearer: token, body, idempotencyKey: key });
		expect(again.status).toBe(401);
		expect((await api.call('POST', '/projects', { body: { name: unique('Keyed') } })).status).toBe(201);
		expect((await api.stats()).faultsInjected.tokenExpiry).toBe(2);
	});
});

describe('controls', () => {
	test('ignoreIdempotencyKeys: a retry with the same key creates a second project (and the key is still logged)', async () => {
		await api.configure({ ignoreIdempotencyKeys: true, uniqueNames: false });
		try {
			const key = unique('ignored');
			const name = unique('Twice');
			expect((await read(await createWithKey(name, key))).status).toBe(201);
			const second = await read(await createWithKey(name, key));
			expect(second.status).toBe(201);
			expect(second.headers.get('idempotent-replayed')).toBeNull();
			expect((await api.call('GET', `/projects?name=${encodeURIComponent(name)}`)).body.data).toHaveLength(2);
			expect((await creates()).map((entry) => entry.idempotencyKey)).toEqual([key, key]);
		} finally {
			await api.configure({ ignoreIdempotencyKeys: false, uniqueNames: true });
		}
	});

	test('without it, the same two requests give one project (the control differs only in that switch)', async () => {
		await api.configure({ uniqueNames: false });
		try {
			const key = unique('kept');
			const name = unique('Once');
			await read(await createWithKey(name, key));
			const second = await read(await createWithKey(name, key));
			expect(second.headers.get('idempotent-replayed')).toBe('true');
			expect((await api.call('GET', `/projects?name=${encodeURIComponent(name)}`)).body.data).toHaveLength(1);
		} finally {
			await api.configure({ uniqueNames: true });
		}
	});

	test('inFlightRetryAfterSeconds sets the Retry-After of the in-flight 409 (0 allowed)', async () => {
		await api.configure({
			inFlightRetryAfterSeconds: 0,
			faults: { rates: { ...NO_FAULTS, slowBeforeCommit: 1 } },
		});
		const key = unique('busy');
		const name = unique('Slow');
		const first = createWithKey(name, key);
		await sleep(100);
		const overtaking = await read(await createWithKey(name, key));
		expect(overtaking.status).toBe(409);
		expect(overtaking.headers.get('retry-after')).toBe('0');
		expect((await read(await first)).status).toBe(201);
		const conflict = (await entries()).find((entry) => entry.status === 409);
		expect(conflict).toMatchObject({ retryAfterSeconds: 0, retryNotBefore: expect.any(Number) });
	});

	test('slowUntilOvertaken: a slow request is held until a retry with its key meets it, then completes', async () => {
		// Held for at most a minute: longer than the test may run, so only the overtaking retry can let it go.
		await api.configure({
			faults: { rates: { ...NO_FAULTS, slowBeforeCommit: 1 }, slowMs: 60_000, slowUntilOvertaken: true },
		});
		try {
			const key = unique('overtaken');
			const name = unique('Held');
			// Requests an earlier test left held (its client gone) may still be counted: this one adds one.
			const heldBefore = (await api.admin('GET', '/stats')).held as number;
			const first = createWithKey(name, key);
			await waitFor(async () => (await api.admin('GET', '/stats')).held === heldBefore + 1);
			const overtaking = await read(await createWithKey(name, key));
			expect(overtaking.status).toBe(409);
			expect((await read(await first)).status).toBe(201);
			expect((await api.admin('GET', '/stats')).held).toBe(heldBefore);
		} finally {
			await api.configure({ faults: { slowMs: 300, slowUntilOvertaken: false } });
		}
	});

	test('holdUntilOvertakenMs does the same for every new request with a key, without a fault', async () => {
		await api.configure({ holdUntilOvertakenMs: 60_000 });
		try {
			const key = unique('raced');
			const name = unique('Raced');
			// Requests an earlier test left held (its client gone) may still be counted: this one adds one.
			const heldBefore = (await api.admin('GET', '/stats')).held as number;
			const first = createWithKey(name, key);
			await waitFor(async () => (await api.admin('GET', '/stats')).held === heldBefore + 1);
			expect((await read(await createWithKey(name, key))).status).toBe(409);
			expect((await read(await first)).status).toBe(201);
			expect((await read(await createWithKey(name, key))).headers.get('idempotent-replayed')).toBe('true');
		} finally {
			await api.configure({ holdUntilOvertakenMs: 0 });
		}
	});

	test('the admin route refuses a negative in-flight Retry-After', async () => {
		const response = await api.fetch('PATCH', '/_admin/config', {
			apiKey: null,
			body: { inFlightRetryAfterSeconds: -1 },
		});
		expect(response.status).toBe(400);
	});
});
