import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { EngineHarness, RunResult } from '../../harness/engine/engineHarness';
import { onItsWayMs, withLoopDelay } from '../../harness/loopDelay';
import { DEMO_CREDENTIALS, noFaults, type RequestLogEntry } from '../../reference-api/src';
import { useEngineAndApi } from '../../harness/testSetup';

/**
 * Several items under way at once, and one pace for the whole batch: workflows through n8n's engine against the
 * reference API, checked from the node's output and from what the API saw (its request log and its count of
 * requests under way), never from how long the test took.
 */

const { api, harness } = useEngineAndApi({
	eachTest: {
		configure: {
			faults: { seed: 5, rates: noFaults(), retryAfterSeconds: 1, retryAfterFormat: 'seconds', slowMs: 60 },
			rateLimit: { enabled: false },
			latencyMs: 0,
			uniqueNames: true,
		},
		apiKeyCredentials: { key: DEMO_CREDENTIALS.apiKey },
	},
});

const fast = (extra: IDataObject = {}) => ({ retryDelayMs: 20, maxAttempts: 5, ...extra });

function create(
	items: IDataObject[],
	options: IDataObject = {},
	more: Partial<Parameters<EngineHarness['run']>[0]> & { parameters?: INodeParameters } = {},
) {
	const { parameters, ...rest } = more;
	return harness.run({
		items,
		credentialId: 'key',
		...rest,
		parameters: {
			name: '={{ $json.name }}',
			additionalFields: { ownerId: { __rl: true, mode: 'id', value: '={{ $json.owner }}' } },
			...parameters,
			options: fast(options),
		},
	});
}

const deals = (count: number, prefix: string) =>
	Array.from({ length: count }, (_, index) => ({ name: `${prefix} ${index}`, owner: 'usr_1001' }));

const resultOf = (item: INodeExecutionData) => (item.json._result ?? item.json.details ?? {}) as IDataObject;
const outcomes = (result: RunResult) => result.output.map((item) => resultOf(item).outcome);

async function createRequests(): Promise<RequestLogEntry[]> {
	return await api.createAttempts();
}

/** The most requests that arrived at the API within any `windowMs`, by the API's own clock. */
function mostArrivalsWithin(entries: RequestLogEntry[], windowMs: number): number {
	const arrivals = entries.map((entry) => entry.receivedAt).sort((a, b) => a - b);
	let most = 0;
	let from = 0;
	for (let to = 0; to < arrivals.length; to++) {
		while (arrivals[to] - arrivals[from] >= windowMs) from++;
		most = Math.max(most, to - from + 1);
	}
	return most;
}

describe('items under way at once', () => {
	it('keeps the output in input order and paired with its item, while the answers come back in another order', async () => {
		// A third of the requests are held 60 ms by the API: later items overtake them.
		await api.configure({ latencyMs: 5, faults: { rates: { ...noFaults(), slowBeforeCommit: 0.3 } } });
		const items = deals(60, 'Ordered');
		const result = await create(items, { maxInFlight: 8 });

		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(result.output.map((item) => item.json.name)).toEqual(items.map((item) => item.name));
		expect(new Set(outcomes(result))).toEqual(new Set(['created']));

		// The API answered them out of input order: the test would see a mix-up.
		const indexByKey = new Map(result.output.map((item, index) => [resultOf(item).idempotencyKey, index]));
		const answered = (await createRequests())
			.sort((a, b) => a.at - b.at || a.seq - b.seq)
			.map((entry) => indexByKey.get(entry.idempotencyKey ?? ''));
		expect(answered).toHaveLength(60);
		expect(answered).not.toEqual([...answered].sort((a, b) => a! - b!));
	});

	it('never has more requests under way at the API than Max Requests in Flight, and does use them', async () => {
		await api.configure({ latencyMs: 20 });
		const result = await create(deals(60, 'Bounded'), { maxInFlight: 5 });
		expect(outcomes(result)).toEqual(Array(60).fill('created'));
		const { inFlight } = await api.stats();
		expect(inFlight.max).toBeLessThanOrEqual(5);
		expect(inFlight.max).toBeGreaterThanOrEqual(4);
	});

	it('by default sends up to 50 at once', async () => {
		await api.configure({ latencyMs: 20 });
		const result = await create(deals(150, 'Default'));
		expect(outcomes(result)).toEqual(Array(150).fill('created'));
		const { inFlight } = await api.stats();
		expect(inFlight.max).toBeLessThanOrEqual(50);
		expect(inFlight.max).toBeGreaterThan(20);
	});

	it('with Max Requests in Flight at 1, sends one item after the other', async () => {
		await api.configure({ latencyMs: 5 });
		const result = await create(deals(10, 'Serial'), { maxInFlight: 1 });
		expect(outcomes(result)).toEqual(Array(10).fill('created'));
		expect((await api.stats()).inFlight.max).toBe(1);
	});

	it('items with the same name still run in input order: the first creates, the later ones find it', async () => {
		await api.configure({ latencyMs: 5, faults: { rates: { ...noFaults(), slowBeforeCommit: 0.3 } } });
		const names = ['Apollo', 'Gemini', 'apollo', 'Mercury', 'APOLLO ', 'Gemini', 'Vostok'];
		const items = names.map((name) => ({ name, owner: 'usr_1001' }));
		const result = await create(items, { maxInFlight: 10 }, { parameters: { ifExists: 'returnExisting' } });
		expect(outcomes(result)).toEqual([
			'created',
			'created',
			'existing',
			'created',
			'existing',
			'existing',
			'created',
		]);
		const ids = result.output.map((item) => item.json.id);
		expect(ids[2]).toBe(ids[0]);
		expect(ids[4]).toBe(ids[0]);
		expect(ids[5]).toBe(ids[1]);
	});

	it('a taken name fails the later item in input order, as one at a time (Continue On Fail)', async () => {
		await api.configure({ latencyMs: 5, faults: { rates: { ...noFaults(), slowBeforeCommit: 0.5 } } });
		const items = ['Twin', 'Other', 'twin', 'Twin'].map((name) => ({ name, owner: 'usr_1001' }));
		const result = await create(
			items,
			{ maxInFlight: 10 },
			{ settings: { onError: 'continueRegularOutput' } },
		);
		// The last item is the first one again, key and all: the API answers it from its idempotency store.
		expect(outcomes(result)).toEqual(['created', 'created', 'failed', 'replayed']);
		expect(result.output[2].json.error).toMatch(/already exists/);
		expect(result.output[3].json.id).toBe(result.output[0].json.id);
	});
});

describe('a failed item without Continue On Fail', () => {
	it('fails the node with the first failed item in input order, after the items under way ended, and says how they ended', async () => {
		// Items 3 and 5 carry an owner the API does not know (400); whichever the API answers first, the node
		// fails with item 3, as it would have one item at a time.
		await api.configure({ latencyMs: 5 });
		const items = deals(40, 'Stops');
		items[3].owner = 'usr_nobody';
		items[5].owner = 'usr_nobody';
		const result = await create(items, { maxInFlight: 8 });

		expect(result.error?.message).toMatch(/^Item 4 \("Stops 3"\): /);
		const context = (result.error as unknown as { context: IDataObject }).context;
		const others = context.otherItems as Record<string, number>;
		expect(context.otherFailedItems).toEqual([5]);
		// n8n's index (from 0) is kept under another name: with context.itemIndex, n8n's editor would add
		// "[item 3]" to a message that begins "Item 4".
		expect(context.itemIndex).toBeUndefined();
		expect(context.n8nItemIndex).toBe(3);
		// Every project the API holds is accounted for in the error, none is left unmentioned.
		const stored = (await api.stats()).projectsStored;
		expect(others.created).toBe(stored);
		expect(result.error?.description).toContain(`${stored} created`);
		expect(result.error?.description).toMatch(/Item 6 failed too/);
		// Nothing after the items that were under way was started.
		expect(stored).toBeLessThan(items.length - 2);
	});
});

describe('one pace for the whole batch', () => {
	// The pace of an API is shared by everything this process sends with one credential (transport/sharedPace.ts).
	// Each test here starts from what a process knows before its first request: a credential of its own.
	let fresh = 0;
	let credentialId = '';
	beforeEach(() => {
		credentialId = `pace-${++fresh}`;
		harness.setCredential(credentialId, {
			baseUrl: api.url,
			apiKey: DEMO_CREDENTIALS.apiKey,
			keyLocation: 'header',
		});
	});

	it('keeps to Max Requests per Second for all items together', async () => {
		const result = await create(deals(30, 'Ceiling'), { maxRequestsPerSecond: 10 }, { credentialId });
		expect(outcomes(result)).toEqual(Array(30).fill('created'));
		// By the API's clock: about 10 arrivals within any second, where all 30 would come at once unpaced. The
		// margin is for turns delayed by a busy machine, which then arrive together.
		expect(mostArrivalsWithin(await createRequests(), 1000)).toBeLessThanOrEqual(15);
	});

	it('a rate-limited batch completes without failures, at the rate the API announces, with few 429s', async () => {
		await api.configure({ rateLimit: { enabled: true, capacity: 20, refillPerSecond: 20 } });
		const result = await create(deals(80, 'Limited'), {}, { credentialId });
		expect(outcomes(result)).toEqual(Array(80).fill('created'));
		const requests = await createRequests();
		const refused = requests.filter((entry) => entry.status === 429).length;
		expect(refused / requests.length).toBeLessThanOrEqual(0.05);
		// Paced to the policy's 20 a second, where the bucket alone would let 40 through in the first second and
		// an unpaced batch would send all 80 within it (margin as above).
		expect(mostArrivalsWithin(requests, 1000)).toBeLessThanOrEqual(28);
	});

	it('the same limit meets a plain client sending 20 at a time with many 429s (the check can see them)', async () => {
		await api.configure({ rateLimit: { enabled: true, capacity: 20, refillPerSecond: 20 } });
		const statuses: number[] = [];
		const items = deals(80, 'Plain');
		for (let from = 0; from < items.length; from += 20) {
			const wave = items.slice(from, from + 20).map(async (item) => {
				const response = await fetch(`${api.url}/api/v1/projects`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'X-API-Key': DEMO_CREDENTIALS.apiKey },
					body: JSON.stringify({ name: item.name }),
					signal: AbortSignal.timeout(10_000),
				});
				statuses.push(response.status);
				await response.arrayBuffer();
			});
			await Promise.all(wave);
		}
		expect(statuses.filter((status) => status === 429).length / statuses.length).toBeGreaterThan(0.25);
	});

	it('a 429 holds the whole batch: no other item reaches the API before its Retry-After', async () => {
		await api.configure({ latencyMs: 10, faults: { rates: { ...noFaults(), throttle: 0.15 } } });
		const { value: result, maxDelayMs } = await withLoopDelay(
			async () => await create(deals(20, 'Held'), { maxInFlight: 10 }, { credentialId }),
		);
		expect(outcomes(result)).toEqual(Array(20).fill('created'));
		const requests = (await createRequests()).sort((a, b) => a.receivedAt - b.receivedAt);
		const throttled = requests.filter((entry) => entry.status === 429);
		expect(throttled.length).toBeGreaterThan(0);
		// Requests sent before the node read the 429 may still arrive just after it was answered: within
		// onItsWayMs, which allows for a busy machine (the API runs in this process).
		const allowanceMs = onItsWayMs(maxDelayMs);
		const early = throttled.flatMap((answer) =>
			requests.filter(
				(entry) => entry.receivedAt > answer.at + allowanceMs && entry.receivedAt < answer.retryNotBefore!,
			),
		);
		expect(early).toEqual([]);
	});
});
