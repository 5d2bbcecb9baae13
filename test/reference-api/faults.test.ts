import { noFaults } from '../../reference-api/src';
import { read, sleep, TestApi, unique, type Json } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start({ faults: { slowMs: 300, retryAfterSeconds: 1 } });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const NO_FAULTS = noFaults();

/** Runs `body` with exactly one fault class at rate 1, then switches every fault off. */
async function withFault<T>(fault: string, body: () => Promise<T>, extra: Json = {}): Promise<T> {
	await api.configure({ faults: { rates: { ...NO_FAULTS, [fault]: 1 }, ...extra } });
	try {
		return await body();
	} finally {
		await api.configure({ faults: { rates: NO_FAULTS, retryAfterFormat: 'seconds', retryAfterSeconds: 1 } });
	}
}

async function projectNamed(name: string): Promise<Json | undefined> {
	return (await api.call('GET', `/projects?name=${encodeURIComponent(name)}`)).body.data[0];
}

function createWithKey(name: string, key: string, signal?: AbortSignal): Promise<Response> {
	return api.fetch('POST', '/projects', { body: { name }, idempotencyKey: key, signal });
}

/** After a lost response, the retry with the same key gets the stored 201 of the project that exists. */
async function expectReplayOf(name: string, key: string): Promise<void> {
	const stored = await projectNamed(name);
	expect(stored).toBeDefined();
	const retry = await read(await createWithKey(name, key));
	expect(retry.status).toBe(201);
	expect(retry.headers.get('idempotent-replayed')).toBe('true');
	expect(retry.body).toEqual(stored);
	const named = await api.call('GET', `/projects?name=${encodeURIComponent(name)}`);
	expect(named.body.data).toHaveLength(1);
}

describe('before commit: nothing is done', () => {
	test('errorBeforeCommit answers 500, 502 or 503 with a JSON error', async () => {
		const statuses = await withFault('errorBeforeCommit', async () => {
			const seen = new Set<number>();
			for (let i = 0; i < 12; i++) {
				const reply = await api.call('POST', '/projects', { body: { name: unique('Never') } });
				expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
				expect(reply.body.code).toBe(reply.status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR');
				seen.add(reply.status);
			}
			return seen;
		});
		expect([...statuses].sort()).toEqual([500, 502, 503]);
		const stats = await api.stats();
		expect(stats.projectsStored).toBe(0);
		expect(stats.faultsInjected.errorBeforeCommit).toBe(12);
	});

	test('resetBeforeCommit destroys the connection: fetch rejects, nothing is created, the log says reset', async () => {
		await withFault('resetBeforeCommit', async () => {
			await expect(api.fetch('POST', '/projects', { body: { name: unique('Reset') } })).rejects.toThrow();
		});
		const stats = await api.stats();
		expect(stats.projectsStored).toBe(0);
		expect(stats.requests.byStatus.reset).toBe(1);
		const [entry] = (await api.admin('GET', '/requests')).entries;
		expect(entry).toMatchObject({
			status: 0,
			fault: 'resetBeforeCommit',
			route: '/api/v1/projects',
			method: 'POST',
		});
	});

	test('throttle is 429 RATE_LIMITED with Retry-After in seconds', async () => {
		const reply = await withFault('throttle', () =>
			api.call('POST', '/projects', { body: { name: unique('Throttle') } }),
		);
		expect(reply.status).toBe(429);
		expect(reply.body.code).toBe('RATE_LIMITED');
		expect(reply.headers.get('retry-after')).toBe('1');
		expect((await api.stats()).projectsStored).toBe(0);
	});

	test('unavailable is 503 SERVICE_UNAVAILABLE with Retry-After (0 allowed)', async () => {
		const reply = await withFault('unavailable', () => api.call('DELETE', '/projects/prj_000000000000'), {
			retryAfterSeconds: 0,
		});
		expect(reply.status).toBe(503);
		expect(reply.body.code).toBe('SERVICE_UNAVAILABLE');
		expect(reply.headers.get('retry-after')).toBe('0');
	});

	test('Retry-After as an HTTP-date lies in the future', async () => {
		const reply = await withFault(
			'unavailable',
			() => api.call('POST', '/projects', { body: { name: unique('Dated') } }),
			{
				retryAfterFormat: 'http-date',
				retryAfterSeconds: 2,
			},
		);
		const header = reply.headers.get('retry-after') ?? '';
		expect(header).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
		const at = Date.parse(header);
		expect(at).toBeGreaterThan(Date.now() + 1000);
		expect(at).toBeLessThanOrEqual(Date.now() + 3000);
	});

	test('mixed Retry-After formats alternate by the PRNG', async () => {
		const headers = await withFault(
			'throttle',
			async () => {
				const values: string[] = [];
				for (let i = 0; i < 16; i++)
					values.push(
						(await api.call('POST', '/projects', { body: { name: 'x' } })).headers.get('retry-after') ?? '',
					);
				return values;
			},
			{ retryAfterFormat: 'mixed' },
		);
		expect(headers.some((value) => value === '1')).toBe(true);
		expect(headers.some((value) => value.endsWith('GMT'))).toBe(true);
	});

	test('htmlError is a 502 HTML page, as from a proxy', async () => {
		const reply = await withFault('htmlError', () =>
			api.call('POST', '/projects', { body: { name: unique('Html') } }),
		);
		expect(reply.status).toBe(502);
		expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
		expect(reply.text).toMatch(/<html>/);
		expect(() => JSON.parse(reply.text)).toThrow();
		expect((await api.stats()).projectsStored).toBe(0);
	});

	test('faults apply only to the configured methods and path prefix', async () => {
		await withFault('errorBeforeCommit', async () => {
			expect((await api.call('GET', '/projects')).status).toBe(200);
			expect((await api.call('GET', '/users')).status).toBe(200);
		});
		await withFault(
			'errorBeforeCommit',
			async () => {
				expect((await api.call('POST', '/projects', { body: { name: unique('Spared') } })).status).toBe(201);
				expect((await api.call('GET', '/projects')).status).toBeGreaterThanOrEqual(500);
			},
			{ methods: ['GET'] },
		);
		await api.configure({ faults: { methods: ['POST', 'PATCH', 'DELETE'] } });
	});
});

describe('after commit: the project exists and a retry with the same key replays it', () => {
	test('errorAfterCommit: 500 to the client, 201 on the retry', async () => {
		const name = unique('Committed');
		const key = unique('k');
		const reply = await withFault('errorAfterCommit', async () => read(await createWithKey(name, key)));
		expect(reply.status).toBe(500);
		expect(reply.body.code).toBe('INTERNAL_ERROR');
		await expectReplayOf(name, key);
	});

	test('resetAfterCommit: the response is lost, the project is there', async () => {
		const name = unique('Lost');
		const key = unique('k');
		await withFault('resetAfterCommit', () => expect(createWithKey(name, key)).rejects.toThrow());
		expect((await api.stats()).requests.byStatus.reset).toBe(1);
		await expectReplayOf(name, key);
	});

	test('timeoutAfterCommit: the response is held slowMs; a client that gives up earlier still has its project', async () => {
		const name = unique('Held');
		const key = unique('k');
		await withFault('timeoutAfterCommit', async () => {
			await expect(createWithKey(name, key, AbortSignal.timeout(100))).rejects.toThrow();
			const started = Date.now();
			const patient = await read(await createWithKey(unique('Patient'), unique('k')));
			expect(patient.status).toBe(201);
			expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		});
		await expectReplayOf(name, key);
	});

	test('truncatedBody: headers promise more than arrives, reading the body fails', async () => {
		const name = unique('Truncated');
		const key = unique('k');
		await withFault('truncatedBody', async () => {
			const response = await createWithKey(name, key);
			expect(response.status).toBe(201);
			expect(Number(response.headers.get('content-length'))).toBeGreaterThan(100);
			await expect(response.text()).rejects.toThrow();
		});
		await expectReplayOf(name, key);
	});

	test('slowBeforeCommit: answered normally after slowMs', async () => {
		const started = Date.now();
		const reply = await withFault('slowBeforeCommit', () =>
			api.call('POST', '/projects', { body: { name: unique('Slow') } }),
		);
		expect(reply.status).toBe(201);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
	});

	test('with GET among the methods, reads can lose their response too', async () => {
		const options = { methods: ['GET'] };
		await withFault(
			'resetAfterCommit',
			() => expect(api.fetch('GET', '/projects')).rejects.toThrow(),
			options,
		);
		await withFault(
			'truncatedBody',
			async () => {
				const response = await api.fetch('GET', '/projects');
				expect(response.status).toBe(200);
				await expect(response.text()).rejects.toThrow();
			},
			options,
		);
		await api.configure({ faults: { methods: ['POST', 'PATCH', 'DELETE'] } });
		const stats = await api.stats();
		expect(stats.faultsInjected).toMatchObject({ resetAfterCommit: 1, truncatedBody: 1 });
	});

	test('an after-commit fault does not act on a request that never reached the handler', async () => {
		const reply = await withFault('errorAfterCommit', () =>
			api.call('POST', '/projects', { body: { name: '' } }),
		);
		expect(reply.status).toBe(400);
		expect((await api.stats()).faultsInjected.errorAfterCommit).toBe(0);
	});
});

describe('determinism', () => {
	const rates = { errorBeforeCommit: 0.2, throttle: 0.2, unavailable: 0.1, htmlError: 0.1 };

	async function sequence(target: TestApi, count: number): Promise<number[]> {
		const statuses: number[] = [];
		for (let i = 0; i < count; i++) {
			statuses.push((await target.call('POST', '/projects', { body: { name: `Seq ${i}` } })).status);
		}
		return statuses;
	}

	test('the same seed and request order give the same faults; another seed differs; reset re-seeds', async () => {
		const one = await TestApi.start({ faults: { seed: 7, rates } });
		const two = await TestApi.start({ faults: { seed: 7, rates } });
		const other = await TestApi.start({ faults: { seed: 8, rates } });
		try {
			const first = await sequence(one, 40);
			expect(await sequence(two, 40)).toEqual(first);
			expect(await sequence(other, 40)).not.toEqual(first);
			expect(new Set(first).size).toBeGreaterThan(2);
			await one.reset();
			expect(await sequence(one, 40)).toEqual(first);
			await two.configure({ faults: { seed: 7 } });
			await two.reset();
			await two.configure({ faults: { seed: 7 } });
			expect(await sequence(two, 40)).toEqual(first);
		} finally {
			await Promise.all([one.close(), two.close(), other.close()]);
		}
	});
});

test('close() ends held responses and open sockets promptly, and can be called twice', async () => {
	const held = await TestApi.start({ faults: { slowMs: 30_000, rates: { timeoutAfterCommit: 1 } } });
	const pending = held.fetch('POST', '/projects', { body: { name: 'Held' } }).then(
		() => 'answered',
		() => 'failed',
	);
	await sleep(100);
	const started = Date.now();
	await held.close();
	await held.close();
	expect(Date.now() - started).toBeLessThan(2000);
	expect(await pending).toBe('failed');
});
