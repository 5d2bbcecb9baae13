import type { IDataObject } from 'n8n-workflow';

import { EngineHarness, type RunResult } from '../../harness/engine/engineHarness';
import { onItsWayMs, withLoopDelay } from '../../harness/loopDelay';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { DEMO_CREDENTIALS, noFaults } from '../../reference-api/src';

/**
 * The workload of forms and CRMs: every event its own execution with one item, many at once, through n8n's
 * engine in one process. They share one pace per API (transport/sharedPace.ts), and a rate limit is a wait, not
 * a failure. Checked from the executions' outputs and from what the API saw, never from how long it took.
 */

let api: ReferenceApi;
let harness: EngineHarness;

beforeAll(async () => {
	harness = await EngineHarness.load();
});

// Each test starts from what a process knows before its first request: an API at an address of its own.
beforeEach(async () => {
	api = await ReferenceApi.start();
	await api.configure({ faults: { seed: 3, rates: noFaults() }, latencyMs: 0, uniqueNames: true });
	harness.setCredential('key', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.apiKey });
});

afterEach(async () => {
	await api?.close();
});

/** `count` executions of one workflow, one deal each, all started at once; `repeats` deals delivered twice. */
async function burst(count: number, options: IDataObject = {}, repeats = 0): Promise<RunResult[]> {
	const deals = Array.from({ length: count }, (_, index) => ({ name: `Deal ${index}` }));
	const deliveries = [...deals, ...deals.slice(0, repeats)];
	return await Promise.all(
		deliveries.map(
			async (deal, index) =>
				await harness.run({
					items: [deal],
					parameters: { name: '={{ $json.name }}', options: { retryDelayMs: 20, ...options } },
					credentialId: 'key',
					workflowId: 'wf-webhook',
					nodeId: 'node-webhook',
					executionId: `burst-${index}`,
				}),
		),
	);
}

const outcomeOf = (result: RunResult) =>
	result.error ? 'error' : (result.output[0]?.json._result as IDataObject | undefined)?.outcome;

/** The projects the API holds, read with the rate limit off (the reads must not be refused). */
async function projects(): Promise<Array<Record<string, unknown>>> {
	await api.configure({ rateLimit: { enabled: false } });
	return await api.projects();
}

async function refusedShare(): Promise<number> {
	const creates = await api.createAttempts();
	return creates.filter((entry) => entry.status === 429).length / creates.length;
}

describe('one-item executions at once, against a rate limit', () => {
	it('with RateLimit headers: none fails, nothing is created twice, few requests are refused', async () => {
		await api.configure({ rateLimit: { enabled: true, capacity: 20, refillPerSecond: 20 } });
		const results = await burst(80, {}, 10);
		expect(
			results.map(outcomeOf).filter((outcome) => outcome !== 'created' && outcome !== 'replayed'),
		).toEqual([]);
		expect(await projects()).toHaveLength(80);
		// Each execution's own pace would send its first request at once: 90 at a moment against a bucket of 20.
		expect(await refusedShare()).toBeLessThanOrEqual(0.1);
	});

	it('with only Retry-After on a 429: none fails although each item may make one attempt, since a wait is not an attempt', async () => {
		await api.configure({ rateLimit: { enabled: true, capacity: 20, refillPerSecond: 20, headers: false } });
		const results = await burst(60, { maxAttempts: 1 });
		expect(results.map(outcomeOf)).toEqual(Array(60).fill('created'));
		expect(await projects()).toHaveLength(60);
		const rateLimited = results.map(
			(result) => (result.output[0].json._result as IDataObject).rateLimited ?? 0,
		);
		// Some were told to wait, and waited, without it counting as an attempt.
		expect(rateLimited.some((count) => Number(count) > 0)).toBe(true);
		expect(results.every((result) => (result.output[0].json._result as IDataObject).attempts === 1)).toBe(
			true,
		);
	});

	it('a 429 one execution meets holds the others until its Retry-After', async () => {
		await api.configure({
			latencyMs: 5,
			faults: { rates: { ...noFaults(), throttle: 0.2 }, retryAfterSeconds: 1 },
		});
		// The API runs in this process: how late its loop ran is how late the node may have read the 429.
		const { value: results, maxDelayMs } = await withLoopDelay(
			async () => await burst(30, { maxInFlight: 1 }),
		);
		expect(results.map(outcomeOf)).toEqual(Array(30).fill('created'));
		const requests = (await api.createAttempts()).sort((a, b) => a.receivedAt - b.receivedAt);
		const throttled = requests.filter((entry) => entry.status === 429);
		expect(throttled.length).toBeGreaterThan(0);
		// Another execution's request may have been on its way when the 429 was answered (onItsWayMs allows for
		// the node reading it, on a busy machine too); none is sent later than that and before the Retry-After.
		const allowanceMs = onItsWayMs(maxDelayMs);
		const early = throttled.flatMap((answer) =>
			requests.filter(
				(entry) =>
					entry.executionId !== answer.executionId &&
					entry.receivedAt > answer.at + allowanceMs &&
					entry.receivedAt < answer.retryNotBefore!,
			),
		);
		expect(early).toEqual([]);
	});
});

describe('a deal delivered twice at the same moment', () => {
	it('is sent once: the second execution waits for the first and returns its project, with a note', async () => {
		// Every answer takes 3 s, so that the second delivery reaches the node while the first is under way, on a
		// busy machine too (the node reads both at once; only the API is slow).
		await api.configure({ latencyMs: 3000 });
		const results = await burst(4, {}, 4);
		const records = results.map((result) => result.output[0]?.json._result as IDataObject);
		expect(records.map((record) => record.outcome)).toEqual([
			...Array(4).fill('created'),
			...Array(4).fill('replayed'),
		]);
		for (const [index, record] of records.slice(4).entries()) {
			expect(record.attempts).toBe(0);
			expect(record.note).toMatch(/Another execution was creating this same project/);
			expect(results[4 + index].output[0].json.id).toBe(results[index].output[0].json.id);
		}
		// The API saw one create per deal, not two.
		expect(await api.createAttempts()).toHaveLength(4);
		expect(await projects()).toHaveLength(4);
	});

	it('is sent again when the first did not succeed, with the same key: still one project', async () => {
		await api.configure({
			latencyMs: 1000,
			faults: { seed: 5, rates: { ...noFaults(), errorBeforeCommit: 1 } },
		});
		const results = await burst(1, { maxAttempts: 1 }, 1);
		// Both failed on their own (the API refused every create): the second was not handed the first's failure.
		expect(results.map(outcomeOf)).toEqual(['error', 'error']);
		expect(await api.createAttempts()).toHaveLength(2);
		await api.configure({ faults: { rates: noFaults() }, latencyMs: 0 });
		const again = await burst(1, {}, 1);
		expect(again.map(outcomeOf).sort()).toEqual(['created', 'replayed']);
		expect(await projects()).toHaveLength(1);
	});
});
