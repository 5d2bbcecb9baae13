import type { ItemReport } from '../../harness/faultMatrix/itemReports';
import { measure } from '../../harness/faultMatrix/measure';
import { SCENARIOS } from '../../harness/faultMatrix/scenarios';
import type { RequestLogEntry } from '../../reference-api/src';

/**
 * The matrix's checks, fed with made-up evidence: each must see the damage it is there to see. (The negative
 * controls prove the same for duplicates and orphans against the real API and node.)
 */

const scenario = SCENARIOS[0];

function report(index: number, fields: Partial<ItemReport>): ItemReport {
	return {
		index,
		kind: 'ok',
		name: `deal ${index}`,
		reports: 1,
		attempts: 1,
		rateLimited: 0,
		waitedMs: 0,
		...fields,
	};
}

function entry(seq: number, fields: Partial<RequestLogEntry>): RequestLogEntry {
	return {
		seq,
		at: 1000 * seq,
		receivedAt: 1000 * seq,
		method: 'POST',
		route: '/api/v1/projects',
		status: 201,
		clientId: 'c',
		idempotencyKey: 'k0',
		fault: null,
		retryAfterSeconds: null,
		retryNotBefore: null,
		replayed: false,
		executionId: '1',
		...fields,
	};
}

const project = (id: string, name: string) => ({ id, name });

describe('the checks of the fault matrix', () => {
	it('a clean run passes all of them', () => {
		const measured = measure(
			scenario,
			[report(0, { outcome: 'created', projectId: 'p0', idempotencyKey: 'k0' })],
			[project('p0', 'deal 0')],
			[entry(1, {})],
		);
		expect(measured).toEqual(
			expect.objectContaining({
				duplicates: 0,
				orphans: 0,
				falseFailures: 0,
				wrongReports: 0,
				attemptMismatches: 0,
				earlyRetries: 0,
			}),
		);
	});

	it('sees a retry sent before Retry-After allowed it, and one just in time as fine', () => {
		const reports = [report(0, { outcome: 'created', projectId: 'p0', idempotencyKey: 'k0', attempts: 3 })];
		const log = [
			entry(1, { status: 429, retryAfterSeconds: 1, retryNotBefore: 5000, receivedAt: 3990, at: 4000 }),
			entry(2, { status: 503, retryAfterSeconds: 1, retryNotBefore: 6000, receivedAt: 4999, at: 5000 }),
			entry(3, { receivedAt: 6000 }),
		];
		const measured = measure(scenario, reports, [project('p0', 'deal 0')], log);
		expect(measured.earlyRetries).toBe(1);
		expect(measured.retriesAfterRetryAfter).toBe(2);
		expect(measured.minRetryAfterMarginMs).toBe(-1);
		// The item reported waiting 0 ms while the server asked for 2 s.
		expect(measured.waitUnderreported).toBe(1);
	});

	it('keeps racing executions apart: a retry counts only after an answer to the same execution', () => {
		const reports = [report(0, { outcome: 'created', projectId: 'p0', idempotencyKey: 'k0' })];
		const log = [
			entry(1, { status: 429, retryAfterSeconds: 1, retryNotBefore: 5000, executionId: 'A' }),
			entry(2, { receivedAt: 1500, executionId: 'B' }),
		];
		expect(measure(scenario, reports, [project('p0', 'deal 0')], log).earlyRetries).toBe(0);
	});

	it('sees attempts the node did not report', () => {
		const reports = [report(0, { outcome: 'created', projectId: 'p0', idempotencyKey: 'k0', attempts: 1 })];
		const log = [entry(1, { status: 500 }), entry(2, {})];
		expect(measure(scenario, reports, [project('p0', 'deal 0')], log).attemptMismatches).toBe(1);
	});

	it('allows an attempt the API never saw only where the node gives up on attempts at a short timeout', () => {
		const reports = [report(0, { outcome: 'created', projectId: 'p0', idempotencyKey: 'k0', attempts: 2 })];
		const log = [entry(1, {})];
		const projects = [project('p0', 'deal 0')];
		const timingOut = SCENARIOS.find((row) => row.node.timeoutSeconds <= 1)!;
		expect(scenario.node.timeoutSeconds).toBeGreaterThan(1);
		expect(measure(scenario, reports, projects, log).attemptMismatches).toBe(1);
		expect(measure(timingOut, reports, projects, log).attemptMismatches).toBe(0);
		// More attempts at the API than the node reported are a mismatch in every row.
		const fewer = [report(0, { outcome: 'created', projectId: 'p0', idempotencyKey: 'k0', attempts: 1 })];
		expect(
			measure(timingOut, fewer, projects, [entry(1, { status: 500 }), entry(2, {})]).attemptMismatches,
		).toBe(1);
	});

	it('sees a second project for an item, a project nobody reported, and a "failed" item whose project exists', () => {
		const reports = [
			report(0, { outcome: 'created', projectId: 'p0' }),
			report(1, { outcome: 'failed' }),
			report(2, { outcome: 'unknown' }),
		];
		const projects = [
			project('p0', 'deal 0'),
			project('p0b', 'deal 0'),
			project('p1', 'deal 1'),
			project('p2', 'deal 2'),
		];
		const measured = measure(scenario, reports, projects, []);
		expect(measured.duplicates).toBe(1);
		// p0b and p1; p2 belongs to the item reported "unknown", which says it may exist.
		expect(measured.orphans).toBe(2);
		expect(measured.falseFailures).toBe(1);
	});

	it('sees an item reporting a project that is not its own, or two items reporting one project', () => {
		const reports = [
			report(0, { outcome: 'created', projectId: 'p1' }),
			report(1, { outcome: 'replayed', projectId: 'p1' }),
			report(2, { outcome: 'existing', projectId: 'nowhere' }),
		];
		const measured = measure(scenario, reports, [project('p1', 'deal 1')], []);
		expect(measured.wrongReports).toBe(3);
	});
});
