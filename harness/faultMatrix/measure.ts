import type { RequestLogEntry } from '../../reference-api/src';
import type { ItemReport } from './itemReports';
import type { Scenario } from './scenarios';

/** What the node reported, held against what the server holds and logged. */
export interface Measured {
	/** Projects on the server made during the run (projects that existed before are left out). */
	serverProjects: number;
	/** Projects beyond the first for one item. */
	duplicates: number;
	/** Projects no output item reported, not even as "unknown". */
	orphans: number;
	/** Items reported failed although a project for them exists. */
	falseFailures: number;
	/** Items reported created/replayed whose id is not on the server or belongs to another item's project. */
	wrongReports: number;
	/** Business-error items that did not fail as they must (failed, not retryable, 1 attempt when faults allow). */
	businessViolations: number;
	/** Items whose reported attempts differ from the requests the server saw with their key (401 resends aside). */
	attemptMismatches: number;
	/** Retries that reached the server before the Retry-After of the answer before them allowed. */
	earlyRetries: number;
	/** Retries that followed an answer with Retry-After (how much the check above had to check). */
	retriesAfterRetryAfter: number;
	/** Smallest margin by which such a retry came after the moment Retry-After allowed, in ms. */
	minRetryAfterMarginMs: number | null;
	/** Items whose waitedMs falls short of the Retry-After waits the server asked of them (see WAIT_SLACK_MS). */
	waitUnderreported: number;
}

const nameKey = (name: unknown) => String(name).trim().toLowerCase();

/**
 * The node measures a wait from when it has read the answer, the server from when it sent it; the difference
 * (transit, parsing, a busy event loop) is allowed per wait. A node that did not report its waits at all would
 * still fall short by far more: the waits checked are whole seconds, or 0.
 */
export const WAIT_SLACK_MS = 250;

/** Compares what the node reported with what the server holds and logged. */
export function measure(
	scenario: Scenario,
	reports: ItemReport[],
	projects: Array<Record<string, unknown>>,
	log: RequestLogEntry[],
	/** Projects that existed before the run, id → name. */
	before: Map<string, string> = new Map(),
): Measured {
	const byName = new Map<string, Array<Record<string, unknown>>>();
	for (const project of projects) {
		const key = nameKey(project.name);
		byName.set(key, [...(byName.get(key) ?? []), project]);
	}
	const byId = new Map(projects.map((project) => [String(project.id), project]));

	let duplicates = 0;
	for (const list of byName.values()) duplicates += Math.max(0, list.length - 1);

	const reportedIds = new Map<string, number>();
	const unknownNames = new Set<string>();
	let falseFailures = 0;
	let wrongReports = 0;
	let businessViolations = 0;
	for (const report of reports) {
		const exists = (byName.get(nameKey(report.name)) ?? []).length > 0;
		if (report.outcome === 'created' || report.outcome === 'replayed' || report.outcome === 'existing') {
			const id = report.projectId ?? '';
			// "existing" names a project from before the run; the others one made during it.
			const name = report.outcome === 'existing' ? before.get(id) : byId.get(id)?.name;
			if (name === undefined || nameKey(name) !== nameKey(report.name)) wrongReports++;
			if (report.projectId !== undefined) {
				reportedIds.set(report.projectId, (reportedIds.get(report.projectId) ?? 0) + 1);
			}
		}
		if (report.outcome === 'unknown') unknownNames.add(nameKey(report.name));
		if (report.outcome === 'failed' && exists && report.kind !== 'duplicateName') falseFailures++;
		if (report.kind === 'duplicateName' && scenario.ifExists === 'returnExisting') {
			// Find or create: the name lookup finds the project, nothing is sent after it.
			if (report.outcome !== 'existing' || report.attempts !== 1) businessViolations++;
		} else if (report.kind !== 'ok') {
			const failedForGood = report.outcome === 'failed' && report.retryable === false;
			// With transient faults the one decisive answer may come after retries, or never (then "unknown").
			const clean = Object.keys(scenario.rates).length === 0;
			if (
				clean ? !(failedForGood && report.attempts === 1) : !(failedForGood || report.outcome === 'unknown')
			) {
				businessViolations++;
			}
		}
	}
	for (const count of reportedIds.values()) if (count > 1) wrongReports += count - 1;

	let orphans = 0;
	for (const project of projects) {
		if (reportedIds.has(String(project.id))) continue;
		if (unknownNames.has(nameKey(project.name))) continue;
		orphans++;
	}

	// Retries per item and execution, in the order they arrived.
	const byAttemptChain = new Map<string, RequestLogEntry[]>();
	for (const entry of log) {
		if (!entry.idempotencyKey) continue;
		const chain = `${entry.executionId ?? ''}|${entry.idempotencyKey}`;
		byAttemptChain.set(chain, [...(byAttemptChain.get(chain) ?? []), entry]);
	}
	let earlyRetries = 0;
	let retriesAfterRetryAfter = 0;
	let minRetryAfterMarginMs: number | null = null;
	const requestedWaitMs = new Map<string, number>();
	const attemptsSeen = new Map<string, number>();
	for (const entries of byAttemptChain.values()) {
		entries.sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
		const key = entries[0].idempotencyKey!;
		// n8n-core sends a request once more itself after a 401 (new token); the node counts that as one attempt.
		attemptsSeen.set(
			key,
			(attemptsSeen.get(key) ?? 0) + entries.filter((entry) => entry.status !== 401).length,
		);
		for (let index = 1; index < entries.length; index++) {
			const previous = entries[index - 1];
			if (previous.retryNotBefore === null) continue;
			retriesAfterRetryAfter++;
			const margin = entries[index].receivedAt - previous.retryNotBefore;
			minRetryAfterMarginMs =
				minRetryAfterMarginMs === null ? margin : Math.min(minRetryAfterMarginMs, margin);
			if (margin < 0) earlyRetries++;
			const asked = Math.max(0, previous.retryNotBefore - previous.at - WAIT_SLACK_MS);
			requestedWaitMs.set(key, (requestedWaitMs.get(key) ?? 0) + asked);
		}
	}
	let attemptMismatches = 0;
	let waitUnderreported = 0;
	// In the rows where the node gives up on attempts at a short timeout, an attempt it gave up on may never reach
	// the API at all (n8n 2.41 replaces the node's abort signal with its own, so the node cannot take the request
	// back, nor tell whether it arrived): there the API may see fewer attempts than the node started, never more.
	const givesUpOnAttempts = scenario.node.timeoutSeconds <= 1;
	// An item's attempts are those of its keyed request; lookups on the way (find or create's name lookup, a GET
	// without a key) are not attempts (actions/outcome.ts).
	if (log.length > 0) {
		for (const report of reports) {
			if (!report.idempotencyKey || report.attempts === 0) continue;
			const reported = report.attempts + report.rateLimited;
			const seen = attemptsSeen.get(report.idempotencyKey) ?? 0;
			if (givesUpOnAttempts ? seen > reported : seen !== reported) attemptMismatches++;
			if (report.waitedMs < (requestedWaitMs.get(report.idempotencyKey) ?? 0)) waitUnderreported++;
		}
	}

	return {
		serverProjects: projects.length,
		duplicates,
		orphans,
		falseFailures,
		wrongReports,
		businessViolations,
		attemptMismatches,
		earlyRetries,
		retriesAfterRetryAfter,
		minRetryAfterMarginMs,
		waitUnderreported,
	};
}
