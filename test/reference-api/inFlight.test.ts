import { TestApi } from './helpers';

/**
 * The server's count of requests under way (`inFlight` in /_admin/stats): what lets the node's tests check its
 * concurrency from the outside.
 */

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start({ latencyMs: 100 });
});
afterAll(() => api.close());
beforeEach(() => api.reset({ tokens: true }));

test('counts the requests under way at once, and keeps the most there were', async () => {
	const three = Promise.all([1, 2, 3].map(() => api.fetch('GET', '/me')));
	// Admin calls are not held by the latency and not counted.
	await new Promise((resolve) => setTimeout(resolve, 50));
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
	await new Promise((resolve) => setTimeout(resolve, 50));
	await api.reset();
	expect((await api.admin('GET', '/stats')).inFlight).toEqual({ now: 1, max: 1 });
	await held;
	expect((await api.admin('GET', '/stats')).inFlight).toEqual({ now: 0, max: 1 });
});
