import { pollUntil } from '../waitFor';
import type { N8nServer } from './server';

/**
 * The executions n8n recorded, read through its REST API as the owner (what the editor's Executions list shows),
 * from the main process; in queue mode the workers write them into the same database.
 */

export type ExecutionStatus =
	'new' | 'running' | 'waiting' | 'success' | 'error' | 'crashed' | 'canceled' | 'unknown';

/** Statuses of an execution that has not ended yet. */
export const UNFINISHED: ExecutionStatus[] = ['new', 'running', 'waiting'];
/** Statuses of an execution that ended without succeeding. */
export const FAILED: ExecutionStatus[] = ['error', 'crashed', 'canceled', 'unknown'];
const ALL: ExecutionStatus[] = [...UNFINISHED, 'success', ...FAILED];

export interface ExecutionSummary {
	id: string;
	status: ExecutionStatus;
	workflowId: string;
	startedAt?: string | null;
	stoppedAt?: string | null;
}

interface Page {
	results: ExecutionSummary[];
	count: number;
	nextCursor?: string | null;
}

function listRoute(workflowId: string, statuses: ExecutionStatus[], limit: number, after?: string) {
	const query = new URLSearchParams({
		filter: JSON.stringify({ workflowId, status: statuses }),
		limit: String(limit),
	});
	// 2.x pages with an opaque cursor; 1.x with the last id seen.
	if (after !== undefined)
		query.set(after.startsWith('id:') ? 'lastId' : 'cursor', after.replace(/^id:/, ''));
	return `/rest/executions?${query}`;
}

/** How many executions of a workflow n8n holds with each status. */
export async function countByStatus(
	server: N8nServer,
	workflowId: string,
): Promise<Partial<Record<ExecutionStatus, number>>> {
	const counts: Partial<Record<ExecutionStatus, number>> = {};
	for (const status of ALL) {
		const page = await server.rest<Page>('GET', listRoute(workflowId, [status], 1));
		if (page.count > 0) counts[status] = page.count;
	}
	return counts;
}

/** Every execution of a workflow with one of these statuses. */
export async function executionsWith(
	server: N8nServer,
	workflowId: string,
	statuses: ExecutionStatus[],
): Promise<ExecutionSummary[]> {
	const all: ExecutionSummary[] = [];
	let after: string | undefined;
	for (let page = 0; page < 1000; page++) {
		const { results, nextCursor } = await server.rest<Page>(
			'GET',
			listRoute(workflowId, statuses, 100, after),
		);
		all.push(...results);
		if (results.length < 100) return all;
		after = nextCursor ?? `id:${results[results.length - 1].id}`;
	}
	throw new Error('executionsWith: more pages than expected');
}

/** One execution with its data, as the editor opens it; the data is n8n's serialised run data (text). */
export async function executionText(server: N8nServer, id: string): Promise<string> {
	return JSON.stringify(await server.rest<unknown>('GET', `/rest/executions/${id}`));
}

/** How long the count of executions must stay the same, none unfinished, to be taken as final. */
const STABLE_MS = 15_000;

/**
 * Waits until n8n holds at least `expected` executions of the workflow (or fewer that have stayed the same for
 * STABLE_MS) and none of them is still new, running or waiting (bounded polling); answers the counts by status.
 */
export async function waitUntilSettled(
	server: N8nServer,
	workflowId: string,
	expected: number,
	timeoutMs: number,
): Promise<Partial<Record<ExecutionStatus, number>>> {
	let counts: Partial<Record<ExecutionStatus, number>> = {};
	// A delivery n8n refused without starting an execution never adds one: once nothing is unfinished and the
	// total has stayed the same for a while, there is nothing more to wait for.
	let lastTotal = -1;
	let sameSince = Date.now();
	await pollUntil(
		async () => {
			counts = await countByStatus(server, workflowId);
			const total = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
			if (total !== lastTotal) {
				lastTotal = total;
				sameSince = Date.now();
			}
			const ended = UNFINISHED.every((status) => !counts[status]);
			return ended && (total >= expected || Date.now() - sameSince >= STABLE_MS);
		},
		{
			timeoutMs,
			everyMs: 1_000,
			describe: () =>
				`n8n's executions of ${workflowId} did not settle within ${timeoutMs} ms: ${JSON.stringify(counts)}`,
		},
	);
	return counts;
}
