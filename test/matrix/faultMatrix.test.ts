import type { ScenarioResult } from '../../harness/faultMatrix/runner';
import { SCENARIOS, type Scenario } from '../../harness/faultMatrix/scenarios';
import { useMatrixRunner } from '../../harness/testSetup';

/**
 * The fault matrix (see harness/faultMatrix/scenarios.ts): 1,000 items per scenario through n8n's engine
 * against the reference API with seeded faults, measured from the node's output and from the server.
 * `npm run matrix` prints the table.
 */

const runner = useMatrixRunner();

const SCENARIO_TIMEOUT = 180_000;

function reportedProjectIds(result: ScenarioResult): Set<string> {
	const ids = new Set<string>();
	for (const report of result.reports) {
		if ((report.outcome === 'created' || report.outcome === 'replayed') && report.projectId) {
			ids.add(report.projectId);
		}
	}
	return ids;
}

const AFTER_COMMIT = ['errorAfterCommit', 'resetAfterCommit', 'timeoutAfterCommit', 'truncatedBody'];

describe.each(
	SCENARIOS.filter((scenario) => scenario.expect === 'clean').map((scenario) => [scenario.title, scenario]),
)('%s', (_title, scenario: Scenario) => {
	let result: ScenarioResult;

	beforeAll(async () => {
		result = await runner.run(scenario);
	}, SCENARIO_TIMEOUT);

	it('injected the faults it is about', () => {
		const missing = Object.entries(scenario.rates)
			.filter(([fault, rate]) => rate > 0 && !((result.faultsInjected[fault] ?? 0) > 0))
			.map(([fault]) => fault);
		expect(missing).toEqual([]);
	});

	it('reports every input item exactly once, and nothing else', () => {
		expect(result.unreported).toBe(0);
		expect(result.reportedTwice).toBe(0);
		expect(result.strayOutputs).toBe(0);
		const { created, replayed, existing, failed, unknown } = result.counts;
		expect(created + replayed + existing + failed + unknown).toBe(scenario.items);
	});

	it('creates no duplicate and leaves no project unreported', () => {
		expect(result.duplicates).toBe(0);
		expect(result.orphans).toBe(0);
		expect(result.falseFailures).toBe(0);
		expect(result.wrongReports).toBe(0);
	});

	it("agrees with the server's count of projects", () => {
		// Created and replayed items name distinct projects; "unknown" ones may have been created too, which
		// the settling run below finds out.
		expect(result.serverProjects).toBe(reportedProjectIds(result).size + result.settle.wereCreated);
	});

	it('never retries before Retry-After, and reports attempts and waits as the server saw them', () => {
		const { earlyRetries, attemptMismatches, waitUnderreported } = result;
		expect({ earlyRetries, attemptMismatches, waitUnderreported }).toEqual({
			earlyRetries: 0,
			attemptMismatches: 0,
			waitUnderreported: 0,
		});
		expect(result.maxAttempts).toBeLessThanOrEqual(scenario.node.maxAttempts);
		if (scenario.api.retryAfterSeconds > 0) expect(result.retriesAfterRetryAfter).toBeGreaterThan(50);
	});

	it('fails business errors at once and for good', () => {
		expect(result.businessViolations).toBe(0);
		const business = result.reports.filter((report) => report.kind !== 'ok');
		const shares = Object.values(scenario.business).reduce((sum, share) => sum + (share ?? 0), 0);
		expect(business.length).toBe(Math.round(shares * scenario.items));
	});

	it('settles every "unknown" item on a second run, without duplicates', () => {
		expect(result.settle.wereCreated + result.settle.createdNow).toBe(result.settle.unknown);
		expect(result.settle.duplicatesAfter).toBe(0);
		expect(result.settle.orphansAfter).toBe(0);
	});

	it('shows no secret in outputs, errors or run data', () => {
		expect(result.secretHits).toBe(0);
	});

	if (Object.keys(scenario.rates).some((fault) => AFTER_COMMIT.includes(fault))) {
		it('recovers lost answers from the idempotency store', () => {
			expect(result.counts.replayed).toBeGreaterThan(0);
		});
	}

	if (scenario.id === 'c9') {
		it('had retries overtake their original (409 in progress)', () => {
			expect(result.inFlightConflicts).toBeGreaterThan(0);
		});
	}

	if (!scenario.id.startsWith('stress') && Object.keys(scenario.business).length === 0) {
		it('at this fault rate, every item made it', () => {
			expect(result.counts.failed + result.counts.unknown).toBe(0);
		});
	}
});

describe('negative controls: the same checks see damage when idempotency is off', () => {
	const control = (id: string) => SCENARIOS.find((scenario) => scenario.id === id)!;

	it(
		'keys ignored, duplicate names allowed: retries after lost answers create duplicates',
		async () => {
			const result = await runner.run(control('nc-dup'));
			expect(result.duplicates).toBeGreaterThan(0);
			// The first project of such an item is reported by no output.
			expect(result.orphans).toBeGreaterThan(0);
			expect(result.counts.replayed).toBe(0);
			expect(result.secretHits).toBe(0);
		},
		SCENARIO_TIMEOUT,
	);

	it(
		'keys ignored, unique names: items are reported failed ("already exists") while their project exists',
		async () => {
			const result = await runner.run(control('nc-orphan'));
			expect(result.duplicates).toBe(0);
			expect(result.orphans).toBeGreaterThan(0);
			expect(result.falseFailures).toBeGreaterThan(0);
		},
		SCENARIO_TIMEOUT,
	);
});

describe('secrets', () => {
	it('n8n logged something during the runs, and no secret in it', () => {
		expect(runner.harness.logs.length).toBeGreaterThan(0);
		expect(runner.countSecrets(runner.harness.logs.join('\n'))).toBe(0);
	});

	it('the search does find a secret that is there (OAuth2 tokens included)', async () => {
		expect(runner.tokens.size).toBeGreaterThan(0);
		const [token] = runner.tokens;
		const scenario = { ...SCENARIOS[0], id: 'canary', items: 2, rates: {} };
		const planted = [
			{ kind: 'ok' as const, name: 'canary 0', json: { name: 'canary 0', note: token } },
			{ kind: 'ok' as const, name: 'canary 1', json: { name: 'canary 1' } },
		];
		const run = await runner.runItems(scenario, planted, 1);
		expect(run.secretHits).toBe(1);
	});
});
