import { TestApi } from './helpers';

/**
 * The server's count of requests under way (`inFlight` in /_admin/stats): what lets the node's tests check its
 * concurrency from the outside.
 */

let api: TestApi;
beforeAll(async () => {
	// Each request is held 2 s: long enough that "under way" is seen by polling, however busy the machine.
	api = await TestApi.start({ latencyMs: 2000 });
});

/** Polls the server's count until it shows `now` requests under way (for at most 20 s). */
async function untilUnderWay(now: number): Promise<void> {
	const deadline = Date.now() + 20_000;
	while ((await api.admin('GET', '/stats')).inFlight.now !== now) {
		if (Date.now() > deadline) throw new Error(`never ${now} requests under way`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
afterAll(() => api.close());
beforeEach(() => api.reset({ tokens: true }));

test('counts the requests under way at once, and keeps the most there were', async () => {
	const three = Promise.all([1, 2, 3].map(() => api.fetch('GET', '/me')));
	// Admin calls are not held by the latency and not counted.
	await untilUnderWay(3);
	expect((await api.admin('GET', '/stats')).inFlight).toEqual({ now: 3, max: 3 });
	await three;
	await api.fetch('GET', '/me');
	expect((await api.admin('GET', '/stats')).inFlight).toEqual({ now: 0, max: 3 });
});

test('a request whose connection is dropped is no longer counted', async () => {
	await api.configure({
		faults: { rates: { resetBeforeCommit: 1 }, methods: ['GET'], pathPrefix: '/api/v1/me' },
	});
	await expect(api.fetch('GET', '/me')).rejects.toThrow();
	await api.configure({ faults: { rates: { resetBeforeCommit: 0 } } });
	expect((await api.admin('GET', '/stats')).inFlight).toEqual({ now: 0, max: 1 });
});

test('a reset starts the high-water mark again from the requests still under way', async () => {
	await Promise.all([1, 2].map(() => api.fetch('GET', '/me')));
	const held = api.fetch('GET', '/me');
	await untilUnderWay(1);
	await api.reset();
	expect((await api.admin('GET', '/stats')).inFlight).toEqual({ now: 1, max: 1 });
	await held;
	expect((await api.admin('GET', '/stats')).inFlight).toEqual({ now: 0, max: 1 });
});
