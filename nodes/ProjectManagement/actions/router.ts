import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import * as project from './project';
import type { ItemFailure } from './itemErrors';
import { toItemFailure } from './itemErrors';
import type { BatchSettings } from '../descriptions/requestOptions';
import { readThroughputOptions } from '../descriptions/requestOptions';
import type { KeyedTask } from '../helpers/concurrency';
import { InOrder, KeyedSequencer, forEachLimited } from '../helpers/concurrency';
import { OUTCOME_KEY } from '../helpers/outcome';
import { Pacer } from '../helpers/pacing';

/**
 * An operation either runs an item at once (`execute`), or, when it creates or changes something, first reads
 * and checks it (`prepare`, synchronous by its type, so that items are prepared in input order) and says what
 * it touches; items that touch the same project then run in input order (see helpers/concurrency.ts).
 */
interface Operation {
	execute?(this: IExecuteFunctions, itemIndex: number, batch: BatchSettings): Promise<INodeExecutionData[]>;
	prepare?(this: IExecuteFunctions, itemIndex: number, batch: BatchSettings): KeyedTask<INodeExecutionData[]>;
}

const operations: Record<string, Record<string, Operation>> = {
	project: {
		create: project.create,
		deleteProject: project.deleteProject,
		get: project.get,
		getAll: project.getAll,
		update: project.update,
	},
};

/** How the items of a run ended, in counts; without Continue On Fail also which failed, and the first of them. */
interface Ended {
	outcomes: Record<string, number>;
	failedItems: number[];
	first?: ItemFailure;
}

/** How one item ended: its output items, or its failure (with the error item Continue On Fail puts out). */
type ItemResult =
	{ output: INodeExecutionData[]; outcome?: string } | { failure: ItemFailure; output: INodeExecutionData[] };

/**
 * The one loop over input items: runs the chosen operation per item, up to "Max Requests in Flight" items at a
 * time, with one pacer for the whole batch; pairs every output with its input and keeps the input's order;
 * and decides in one place what a failed item becomes (the node's error, or with Continue On Fail an error item
 * while the other items go on).
 *
 * When an item fails and the node is not to continue: no further item starts, the items already under way end
 * as they would have (their requests are not abandoned half-way, which could leave their outcome unknown), and
 * then the node fails with the error of the first failed item in input order, the one it would have failed with
 * had the items run one at a time. n8n keeps no output of a failed node, so the error says how the other items
 * that were sent ended; their projects stay, and running again returns them as replayed, not twice.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = operations[resource]?.[operation];
	const throughput = readThroughputOptions.call(this);
	const batch: BatchSettings = {
		pacer: new Pacer({
			maxPerSecond: throughput.maxRequestsPerSecond,
			maxPauseMs: throughput.maxPauseMs,
			now: Date.now,
			sleep,
		}),
	};
	const continueOnFail = this.continueOnFail();
	const sequencer = new KeyedSequencer();
	// The output is built in input order as items end; an item that ends before an earlier one waits in `ordered`.
	const returnData: INodeExecutionData[] = [];
	const ordered = new InOrder<ItemResult | undefined>((result) => {
		for (const item of result?.output ?? []) returnData.push(item);
	});
	// How the items ended, for the error of a node that stops (see withOtherItems).
	const ended: Ended = { outcomes: {}, failedItems: [] };
	// Without Continue On Fail: the lowest index of a failed item so far. Items after it that have not begun
	// (still waiting behind an item with the same name, say) are left out, as they would have been one at a time.
	let firstFailed = Infinity;

	/** The item's task: prepared (read and checked) at once, in input order, and run when its turn comes. */
	const taskFor = (itemIndex: number): KeyedTask<INodeExecutionData[]> => {
		if (chosen?.prepare) return chosen.prepare.call(this, itemIndex, batch);
		const execute = chosen?.execute;
		if (!execute) throw new Error(`The operation "${operation}" on "${resource}" is not supported`);
		return { keys: [], run: async () => await execute.call(this, itemIndex, batch) };
	};

	const failed = (itemIndex: number, error: unknown, options: IDataObject): ItemResult => {
		const failure = toItemFailure(this.getNode(), error, itemIndex, operation);
		const output = continueOnFail
			? [{ json: failedItemJson(this, failure, options), pairedItem: { item: itemIndex } }]
			: [];
		return { failure, output };
	};

	const settleItem = async (
		itemIndex: number,
		produce: () => Promise<INodeExecutionData[]>,
	): Promise<ItemResult> => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		try {
			const produced = await produce();
			const outcome = (produced[0]?.json[OUTCOME_KEY] as IDataObject | undefined)?.outcome;
			return {
				output: produced.map((result) => ({
					...result,
					json: withOutcome(result.json, options),
					pairedItem: { item: itemIndex },
				})),
				outcome: typeof outcome === 'string' ? outcome : undefined,
			};
		} catch (error) {
			return failed(itemIndex, error, options);
		}
	};

	const record = (itemIndex: number, result: ItemResult | undefined) => {
		if (result !== undefined) {
			const outcome = 'failure' in result ? result.failure.outcome.outcome : (result.outcome ?? 'ended');
			ended.outcomes[outcome] = (ended.outcomes[outcome] ?? 0) + 1;
			if ('failure' in result && !continueOnFail) {
				ended.failedItems.push(itemIndex);
				if (itemIndex < firstFailed) ended.first = result.failure;
				firstFailed = Math.min(firstFailed, itemIndex);
			}
		}
		ordered.put(itemIndex, result);
	};

	await forEachLimited(
		items.length,
		throughput.maxInFlight,
		async (itemIndex) => {
			let task: KeyedTask<INodeExecutionData[]>;
			try {
				task = taskFor(itemIndex);
			} catch (error) {
				// The item cannot be sent (a field that fails its check): it fails at once, without a request.
				record(
					itemIndex,
					failed(itemIndex, error, this.getNodeParameter('options', itemIndex, {}) as IDataObject),
				);
				return;
			}
			record(
				itemIndex,
				await sequencer.run(task.keys, async () =>
					itemIndex > firstFailed ? undefined : await settleItem(itemIndex, task.run),
				),
			);
		},
		() => firstFailed !== Infinity,
	);

	if (ended.first !== undefined) throw withOtherItems(ended, firstFailed);
	return [returnData];
}

function withOutcome(json: IDataObject, options: IDataObject): IDataObject {
	if (options.includeOutcome !== false) return json;
	const { [OUTCOME_KEY]: _omitted, ...rest } = json;
	return rest;
}

/**
 * The error of the first failed item, telling how the other items that were sent ended: n8n discards the output
 * of a node that fails, and with several items under way at once, items after the failed one may have been
 * done too. The counts also go in the error's context, for workflows that read it.
 */
function withOtherItems(ended: Ended, first: number): ItemFailure['error'] {
	const failure = ended.first as ItemFailure;
	const counts = { ...ended.outcomes };
	counts[failure.outcome.outcome] -= 1;
	if (counts[failure.outcome.outcome] === 0) delete counts[failure.outcome.outcome];
	const alsoFailed = ended.failedItems.filter((itemIndex) => itemIndex !== first).sort((a, b) => a - b);
	const error = failure.error;
	const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
	if (total === 0) return error;
	const summary = Object.entries(counts)
		.map(([outcome, count]) => `${count} ${outcome}`)
		.join(', ');
	const shown = alsoFailed.slice(0, 10).join(', ');
	const more = alsoFailed.length > 10 ? ` and ${alsoFailed.length - 10} more` : '';
	const failedToo =
		alsoFailed.length > 0
			? ` ${alsoFailed.length === 1 ? 'Item' : 'Items'} ${shown}${more} did not succeed either.`
			: '';
	const note = `Before the node stopped, ${total} other item${total === 1 ? '' : 's'} had ended (${summary}); n8n keeps none of their output.${failedToo} What they changed stays in the project-management system, and running the node again on the same input recognises it by the idempotency keys instead of doing it twice.`;
	error.description = error.description ? `${error.description} ${note}` : note;
	error.context.otherItems = { ...counts };
	if (alsoFailed.length > 0) error.context.otherFailedItems = alsoFailed.slice(0, 100);
	return error;
}

/**
 * A failed item under Continue On Fail. n8n moves an item to the error output ("On Error → Continue (using error
 * output)") only when its json holds nothing but `error`, `message` and `details`, so there the description goes
 * in `message` and the outcome record in `details`; on the regular output it sits beside the error as `_result`.
 */
function failedItemJson(context: IExecuteFunctions, failure: ItemFailure, options: IDataObject): IDataObject {
	const includeOutcome = options.includeOutcome !== false;
	if (context.getNode().onError === 'continueErrorOutput') {
		const json: IDataObject = { error: failure.error.message };
		if (failure.error.description) json.message = failure.error.description;
		if (includeOutcome) json.details = failure.outcome as unknown as IDataObject;
		return json;
	}
	const json: IDataObject = {
		error: failure.error.message,
		errorDescription: failure.error.description ?? null,
	};
	if (includeOutcome) json[OUTCOME_KEY] = failure.outcome as unknown as IDataObject;
	return json;
}
