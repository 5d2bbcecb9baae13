import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { RunResult } from '../engine/engineHarness';
import type { ItemKind, MatrixItem } from './items';

/** How one input item ended, as the node reported it. */
export interface ItemReport {
	index: number;
	kind: ItemKind;
	name: string;
	/** How many output items (regular and error output together) point at this input item. */
	reports: number;
	outcome?: string;
	attempts: number;
	/** Rate-limit waits: requests the API answered "busy, come back at …", which are not attempts. */
	rateLimited: number;
	waitedMs: number;
	idempotencyKey?: string;
	projectId?: string;
	retryable?: boolean;
	error?: string;
}

function pairedIndex(item: INodeExecutionData): number | undefined {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	if (Array.isArray(paired)) return paired.length === 1 ? paired[0].item : undefined;
	return paired?.item;
}

/**
 * What the node reported for each input item, from the outputs of the executions the items were split over
 * (`size` items each, in order): the outcome record in `_result`, or in `details` for an item on the error output.
 * Output items that point at no input item of their execution are counted as stray.
 */
export function reportsFromOutputs(
	items: MatrixItem[],
	size: number,
	results: RunResult[],
): { reports: ItemReport[]; strayOutputs: number } {
	const reports: ItemReport[] = items.map((item, index) => ({
		index,
		kind: item.kind,
		name: item.name,
		reports: 0,
		attempts: 0,
		rateLimited: 0,
		waitedMs: 0,
	}));
	let strayOutputs = 0;
	results.forEach((result, sliceIndex) => {
		const offset = sliceIndex * size;
		const sliceLength = Math.max(0, Math.min(size, items.length - offset));
		for (const output of [...result.output, ...result.errorOutput]) {
			const local = pairedIndex(output);
			const report = local === undefined ? undefined : reports[offset + local];
			if (!report || local! >= sliceLength) {
				strayOutputs++;
				continue;
			}
			report.reports++;
			// A failed item on the error output carries its outcome record in `details` (see actions/router.ts).
			const outcome = (output.json._result ?? output.json.details ?? {}) as IDataObject;
			report.outcome = outcome.outcome as string | undefined;
			report.attempts = Number(outcome.attempts ?? 0);
			report.rateLimited = Number(outcome.rateLimited ?? 0);
			report.waitedMs = Number(outcome.waitedMs ?? 0);
			report.idempotencyKey = outcome.idempotencyKey as string | undefined;
			report.retryable = outcome.retryable as boolean | undefined;
			if (typeof output.json.id === 'string') report.projectId = output.json.id;
			if (typeof output.json.error === 'string') report.error = output.json.error;
		}
	});
	return { reports, strayOutputs };
}
