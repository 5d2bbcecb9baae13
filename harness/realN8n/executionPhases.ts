import { parse } from 'flatted';

import { executionsWith, type ExecutionStatus } from './executions';
import type { N8nServer } from './server';

/**
 * Where the time of a burst's executions went, from n8n's own records: when each execution was created and
 * started, and when each of its nodes started and how long it ran (the run data the editor shows). Tells n8n's
 * intake (delivery to the node) from the node's own time (the node's start to its end).
 */

export interface ExecutionPhases {
	/** Executions read. */
	count: number;
	/** Milliseconds after the first delivery, per execution, sorted: when the named node started. */
	nodeStartMs: Record<string, number[]>;
	/** Per execution, sorted: how long the named node ran. */
	nodeRunMs: Record<string, number[]>;
	/** Per execution, sorted: when n8n created the execution record, after the first delivery. */
	createdMs: number[];
}

interface ExecutionRecord {
	data?: string;
	createdAt?: string;
}

interface RunData {
	resultData?: { runData?: Record<string, Array<{ startTime?: number; executionTime?: number }>> };
}

const SUCCESS: ExecutionStatus[] = ['success'];

/** Reads every successful execution of the workflow (bounded by the number n8n lists). */
export async function executionPhases(
	server: N8nServer,
	workflowId: string,
	firstDeliveryAt: number,
): Promise<ExecutionPhases> {
	const phases: ExecutionPhases = { count: 0, nodeStartMs: {}, nodeRunMs: {}, createdMs: [] };
	const seen = new Set<string>();
	for (const summary of await executionsWith(server, workflowId, SUCCESS)) {
		// Pages of a list that grew while it was read can repeat an execution.
		if (seen.has(summary.id)) continue;
		seen.add(summary.id);
		const record = await server.rest<ExecutionRecord>('GET', `/rest/executions/${summary.id}`);
		phases.count++;
		if (record.createdAt) phases.createdMs.push(Date.parse(record.createdAt) - firstDeliveryAt);
		const runData = record.data ? (parse(record.data) as RunData).resultData?.runData : undefined;
		for (const [node, runs] of Object.entries(runData ?? {})) {
			const run = runs[0];
			if (run?.startTime === undefined) continue;
			(phases.nodeStartMs[node] ??= []).push(run.startTime - firstDeliveryAt);
			(phases.nodeRunMs[node] ??= []).push(run.executionTime ?? 0);
		}
	}
	for (const list of [
		phases.createdMs,
		...Object.values(phases.nodeStartMs),
		...Object.values(phases.nodeRunMs),
	])
		list.sort((a, b) => a - b);
	return phases;
}

/** "min / 10 % / median / 90 % / max" of a sorted list, in seconds. */
export function spread(sorted: number[]): string {
	if (!sorted.length) return '–';
	const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
	return [sorted[0], at(0.1), at(0.5), at(0.9), sorted[sorted.length - 1]]
		.map((ms) => (ms / 1000).toFixed(2))
		.join(' / ');
}
