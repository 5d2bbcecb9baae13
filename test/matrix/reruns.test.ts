import type { IDataObject } from 'n8n-workflow';

import type { RunResult } from '../../harness/engine/engineHarness';
import { buildItems, nodeParameters } from '../../harness/faultMatrix/items';
import { NODE_ID, OTHER_PROCESS_CREDENTIAL, WORKFLOW_ID } from '../../harness/faultMatrix/runner';
import { SCENARIOS, type Scenario } from '../../harness/faultMatrix/scenarios';
import type { NodeSettings } from '../../harness/nodeSettings';
import { useMatrixRunner } from '../../harness/testSetup';
import { noFaults, type DeepPartial, type ReferenceApiOptions } from '../../reference-api/src';
import { Prng } from '../../reference-api/src/prng';

/**
 * Runs on top of the node's own retries: n8n's "Retry On Fail" (the whole node again, with all its items), the
 * whole workflow again on the same input, and two executions of the same workflow racing on overlapping input.
 * None of them may add a project that exists already.
 */

const runner = useMatrixRunner();

async function reset(patch: DeepPartial<ReferenceApiOptions> = {}) {
	await runner.api.resetAndConfigure({
		faults: { rates: noFaults(), retryAfterSeconds: 0, slowMs: 400 },
		rateLimit: { enabled: false },
		uniqueNames: false,
		ignoreIdempotencyKeys: false,
		inFlightRetryAfterSeconds: 0,
		holdUntilOvertakenMs: 0,
		...patch,
	});
}

const outcomeOf = (item: { json: IDataObject }) => (item.json._result as IDataObject | undefined)?.outcome;

/** Projects per name: every name must appear once. */
async function projectsByName(): Promise<Map<string, number>> {
	const counts = new Map<string, number>();
	for (const project of await runner.api.projects()) {
		counts.set(String(project.name), (counts.get(String(project.name)) ?? 0) + 1);
	}
	return counts;
}

/**
 * The fault seed under which the requests of a run meet `pattern` exactly (true: a fault, false: none): the
 * reference API draws once per POST in arrival order, so with one execution the same seed gives the same faults.
 */
function seedFor(rate: number, pattern: boolean[]): number {
	for (let seed = 1; seed < 100_000; seed++) {
		const prng = new Prng(seed);
		if (pattern.every((fault) => prng.next() < rate === fault)) return seed;
	}
	throw new Error('no seed found');
}

describe("n8n's Retry On Fail runs the whole node again, with all items", () => {
	const ITEMS = 10;
	const deals = Array.from({ length: ITEMS }, (_, index) => ({ name: `Retried ${index}` }));
	// One item at a time, so that the fault seeds below pick the items they mean (the API draws in arrival order).
	const parameters = {
		name: '={{ $json.name }}',
		options: { retryDelayMs: 5, maxAttempts: 1, maxInFlight: 1 },
	};

	function run(settings: NodeSettings, options: IDataObject = {}): Promise<RunResult> {
		return runner.harness.run({
			items: deals,
			parameters: { ...parameters, options: { ...parameters.options, ...options } },
			credentialId: 'matrix-key',
			workflowId: WORKFLOW_ID,
			nodeId: NODE_ID,
			settings,
		});
	}

	it('after the node failed on an answer that was lost, the second run adds no project', async () => {
		// First node run: items 0-3 created, item 4 created but its answer lost (the node fails with "unknown",
		// Max Attempts being 1). Second node run: all ten items again, no fault.
		const seed = seedFor(0.1, [false, false, false, false, true, ...Array<boolean>(ITEMS).fill(false)]);
		await reset({ faults: { seed, rates: { ...noFaults(), resetAfterCommit: 0.1 } } });

		const result = await run({ retryOnFail: true, maxTries: 3, waitBetweenTries: 10 });

		expect(result.error).toBeUndefined();
		expect(result.output.map(outcomeOf)).toEqual([
			...Array(5).fill('replayed'),
			...Array(ITEMS - 5).fill('created'),
		]);
		const attempts = await runner.api.createAttempts();
		// Items 0-4 were sent by both node runs, the rest once; one execution throughout.
		expect(attempts).toHaveLength(5 + ITEMS);
		expect(new Set(attempts.map((entry) => entry.executionId)).size).toBe(1);
		expect(attempts.filter((entry) => entry.fault === 'resetAfterCommit')).toHaveLength(1);
		const names = await projectsByName();
		expect(names.size).toBe(ITEMS);
		expect([...names.values()].every((count) => count === 1)).toBe(true);
		expect(new Set(result.output.map((item) => item.json.id)).size).toBe(ITEMS);
	});

	it('with items sent at once, the node fails only after the others ended; the second run replays them all', async () => {
		// The fifth request to arrive loses its answer; the items already under way end, and the node fails with that
		// item. n8n's Retry On Fail then sends all ten again: every one of them was created by the first run.
		const seed = seedFor(0.1, [false, false, false, false, true, ...Array<boolean>(ITEMS).fill(false)]);
		await reset({ faults: { seed, rates: { ...noFaults(), resetAfterCommit: 0.1 } } });

		const result = await run({ retryOnFail: true, maxTries: 3, waitBetweenTries: 10 }, { maxInFlight: 10 });

		expect(result.error).toBeUndefined();
		expect(result.output.map(outcomeOf)).toEqual(Array(ITEMS).fill('replayed'));
		const attempts = await runner.api.createAttempts();
		expect(attempts).toHaveLength(2 * ITEMS);
		expect(attempts.filter((entry) => entry.fault === 'resetAfterCommit')).toHaveLength(1);
		const names = await projectsByName();
		expect(names.size).toBe(ITEMS);
		expect([...names.values()].every((count) => count === 1)).toBe(true);
	});

	it('when the first output item is an error (Continue On Fail), n8n runs the node again: no project twice', async () => {
		// n8n also repeats a node whose first output item has `error` set. Run 1: item 0's answer lost; run 2: clean.
		const seed = seedFor(0.1, [true, ...Array<boolean>(2 * ITEMS - 1).fill(false)]);
		await reset({ faults: { seed, rates: { ...noFaults(), resetAfterCommit: 0.1 } } });

		const result = await run({
			retryOnFail: true,
			maxTries: 2,
			waitBetweenTries: 10,
			onError: 'continueRegularOutput',
		});

		expect(result.output.map(outcomeOf)).toEqual(Array(ITEMS).fill('replayed'));
		expect(await runner.api.createAttempts()).toHaveLength(2 * ITEMS);
		const names = await projectsByName();
		expect(names.size).toBe(ITEMS);
		expect([...names.values()].every((count) => count === 1)).toBe(true);
	});
});

describe('the whole workflow again on the same input', () => {
	it('1,000 items under 20 % faults, run twice: the second run creates nothing that the first created', async () => {
		const scenario: Scenario = {
			...SCENARIOS.find((entry) => entry.id === 'c2')!,
			id: 'rerun',
			rates: { errorBeforeCommit: 0.05, errorAfterCommit: 0.05, resetAfterCommit: 0.05, truncatedBody: 0.05 },
		};
		await reset({ faults: { seed: 42, rates: { ...noFaults(), ...scenario.rates } } });
		const items = buildItems(scenario);

		const first = await runner.runItems(scenario, items, 1);
		const afterFirst = (await runner.api.stats()).projectsStored;
		const second = await runner.runItems(scenario, items, 1);
		const stats = await runner.api.stats();

		expect(stats.faultsInjected.errorAfterCommit).toBeGreaterThan(0);
		const firstDone = first.reports.filter((report) =>
			['created', 'replayed'].includes(report.outcome ?? ''),
		);
		expect(firstDone.length).toBe(items.length);
		for (const report of firstDone) {
			const again = second.reports[report.index];
			expect({ index: report.index, outcome: again.outcome, id: again.projectId }).toEqual({
				index: report.index,
				outcome: 'replayed',
				id: report.projectId,
			});
		}
		expect(stats.projectsStored).toBe(afterFirst);
		expect(stats.projectsStored).toBe(items.length);
		const names = await projectsByName();
		expect([...names.values()].every((count) => count === 1)).toBe(true);
	}, 120_000);
});

describe('two executions of the same workflow racing on overlapping input', () => {
	const scenario: Scenario = {
		...SCENARIOS.find((entry) => entry.id === 'c9')!,
		id: 'race',
		node: { maxAttempts: 8, retryDelayMs: 5, timeoutSeconds: 10 },
		rates: { errorAfterCommit: 0.1 },
	};
	const items = buildItems({ ...scenario, items: 400 });
	// Both start with the overlap (items 100-299), in the same order, so that they send the same keys at once.
	const overlap = items.slice(100, 300);
	const inputs = [
		[...overlap, ...items.slice(0, 100)],
		[...overlap, ...items.slice(300)],
	];

	// The two executions run as two n8n processes would (queue-mode workers): within one process the second would
	// wait for the first's request with the same key instead of sending its own (reliability/sameRequest.ts), and
	// the race this is about, at the API, would not happen.
	async function race() {
		return Promise.all(
			inputs.map((input, index) =>
				runner.runItems(
					scenario,
					input,
					1,
					nodeParameters(scenario),
					index === 0 ? undefined : OTHER_PROCESS_CREDENTIAL,
				),
			),
		);
	}

	it('add no duplicates: the project of an item both send is created once, and both report it', async () => {
		// Every first request of a key waits (up to 3 s) until the other execution's request with that key has met
		// it in flight: the race happens on every shared item, however fast or busy the machine is.
		await reset({
			faults: { seed: 9, rates: { ...noFaults(), ...scenario.rates }, slowMs: 100 },
			holdUntilOvertakenMs: 3000,
		});
		const [a, b] = await race();
		const stats = await runner.api.stats();

		// The race did happen: requests met the same key still in flight, on (nearly) every shared item.
		expect(stats.inFlightConflicts).toBeGreaterThanOrEqual(overlap.length / 2);
		const names = await projectsByName();
		expect(names.size).toBe(items.length);
		expect([...names.values()].every((count) => count === 1)).toBe(true);
		for (let index = 0; index < overlap.length; index++) {
			const pair = [a.reports[index], b.reports[index]];
			expect(pair.filter((report) => report.outcome === 'created').length).toBeLessThanOrEqual(1);
			const done = pair.filter((report) => report.outcome === 'created' || report.outcome === 'replayed');
			if (done.length === 2) expect(done[0].projectId).toBe(done[1].projectId);
			// Never "failed" while the other execution created it.
			expect(pair.map((report) => report.outcome)).not.toContain('failed');
		}
		for (const run of [a, b]) {
			expect(run.reports.every((report) => report.reports === 1)).toBe(true);
			expect(run.strayOutputs).toBe(0);
		}
	}, 120_000);

	it('the same race with idempotency keys ignored does create duplicates (the check can see them)', async () => {
		await reset({
			ignoreIdempotencyKeys: true,
			faults: { seed: 9, rates: { ...noFaults(), ...scenario.rates }, slowMs: 100 },
		});
		await race();
		const names = await projectsByName();
		const extra = [...names.values()].reduce((sum, count) => sum + count - 1, 0);
		expect(extra).toBeGreaterThanOrEqual(overlap.length);
	}, 120_000);

	it('an item that heard only "still in progress" from the API is reported unknown, not failed', async () => {
		// Execution A's request is held (slow); B sends the same item and gets 409 IN_USE on both its attempts.
		await reset({ faults: { rates: { ...noFaults(), slowBeforeCommit: 1 }, slowMs: 1500 } });
		const [item] = items;
		const parameters = nodeParameters({
			...scenario,
			node: { maxAttempts: 2, retryDelayMs: 5, timeoutSeconds: 5 },
		});
		const first = runner.runItems(scenario, [item], 1, parameters);
		await new Promise((resolve) => setTimeout(resolve, 300));
		// From another process: in the same one, it would wait for the first instead.
		const second = await runner.runItems(scenario, [item], 1, parameters, OTHER_PROCESS_CREDENTIAL);
		const [report] = second.reports;
		expect(report.outcome).toBe('unknown');
		expect(report.error).toMatch(/may or may not have been created/);
		expect((await first).reports[0].outcome).toBe('created');
		expect((await runner.api.stats()).projectsStored).toBe(1);
	}, 60_000);
});
