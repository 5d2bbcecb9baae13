import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { KeyedTask } from '../reliability/concurrency';
import { InOrder, KeyedSequencer, forEachLimited } from '../reliability/concurrency';
import { RateCeiling } from '../reliability/pacing';
import { connectionOf } from '../transport/connection';
import { settle } from '../transport/request';
import { sharedPacer } from '../transport/sharedPace';
import type { Ended, ItemFailure } from './failures';
import { stoppedRunError, toItemFailure } from './failures';
import type { ItemDone } from './outcome';
import { failureItem, successItems } from './output';
import * as project from './project';
import type { ItemSettings, Pacing, RunFacts } from './settings';
import { itemSettingsOf, readOptions, runSettingsOf } from './settings';

/**
 * An operation either runs an item at once (`execute`), or, when it creates or changes something, first reads
 * and checks it (`prepare`, synchronous by its type, so that items are prepared in input order) and says what
 * it touches; items that touch the same project then run in input order (see reliability/concurrency.ts).
 * Either way it returns what happened (actions/outcome.ts), or throws why the item failed.
 */
interface Operation {
	/** What the operation reads once for the whole run, before the items (settings: the first item's). */
	setUp?(this: IExecuteFunctions, settings: ItemSettings): Promise<Partial<RunFacts>>;
	execute?(this: IExecuteFunctions, itemIndex: number, settings: ItemSettings): Promise<ItemDone>;
	prepare?(this: IExecuteFunctions, itemIndex: number, settings: ItemSettings): KeyedTask<ItemDone>;
	/** What the user knows the item by, for messages: the project's name or ID (read only when an item fails). */
	label?(this: IExecuteFunctions, itemIndex: number): string | undefined;
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

/** How one item ended: its output items, and its outcome or its failure. */
type ItemResult =
	{ output: INodeExecutionData[]; outcome: string } | { failure: ItemFailure; output: INodeExecutionData[] };

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
 * that were sent ended (failures.ts); their projects stay, and running again returns them as replayed, not twice.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = operations[resource]?.[operation];
	const firstOptions = readOptions.call(this, 0);
	const run = runSettingsOf(firstOptions);
	// The API's pace is shared with every other execution in this n8n process that calls it. Without a usable
	// credential there is none: each item then fails with the credential's own message.
	const connection = await settle(connectionOf(this));
	const pacing: Pacing = {
		pacer: 'value' in connection ? sharedPacer(connection.value) : undefined,
		ceiling:
			run.maxRequestsPerSecond > 0 ? new RateCeiling(run.maxRequestsPerSecond, Date.now, sleep) : undefined,
	};
	const node = this.getNode();
	const facts: RunFacts = { workflowId: String(this.getWorkflow().id ?? ''), nodeId: node.id };
	const settingsOf = (itemIndex: number) =>
		itemSettingsOf(itemIndex === 0 ? firstOptions : readOptions.call(this, itemIndex), facts, pacing);
	if (chosen?.setUp) Object.assign(facts, await chosen.setUp.call(this, settingsOf(0)));
	const continueOnFail = this.continueOnFail();
	const toErrorOutput = node.onError === 'continueErrorOutput';
	const sequencer = new KeyedSequencer();
	// The output is built in input order as items end; an item that ends before an earlier one waits in `ordered`.
	const returnData: INodeExecutionData[] = [];
	const ordered = new InOrder<ItemResult | undefined>((result) => {
		for (const item of result?.output ?? []) returnData.push(item);
	});
	// How the items ended, for the error of a node that stops (see stoppedRunError).
	const ended: Ended = { outcomes: {}, failedItems: [] };
	// Without Continue On Fail: the lowest index of a failed item so far. Items after it that have not begun
	// (still waiting behind an item with the same name, say) are left out, as they would have been one at a time.
	let firstFailed = Infinity;

	/** The item's task: prepared (read and checked) at once, in input order, and run when its turn comes. */
	const taskFor = (itemIndex: number, settings: ItemSettings): KeyedTask<ItemDone> => {
		if (chosen?.prepare) return chosen.prepare.call(this, itemIndex, settings);
		const execute = chosen?.execute;
		if (!execute) throw new Error(`The operation "${operation}" on "${resource}" is not supported`);
		return { keys: [], run: async () => await execute.call(this, itemIndex, settings) };
	};

	const labelOf = (itemIndex: number): string | undefined => {
		try {
			return chosen?.label?.call(this, itemIndex);
		} catch {
			// A name that cannot be read (its own expression fails) leaves the item named by its number only.
			return undefined;
		}
	};

	const failed = (itemIndex: number, error: unknown, includeOutcome: boolean): ItemResult => {
		const failure = toItemFailure(node, error, itemIndex, operation, labelOf(itemIndex));
		const output = continueOnFail ? [failureItem(failure, itemIndex, includeOutcome, toErrorOutput)] : [];
		return { failure, output };
	};

	const settleItem = async (
		itemIndex: number,
		settings: ItemSettings,
		task: KeyedTask<ItemDone>,
	): Promise<ItemResult> => {
		try {
			const done = await task.run();
			return {
				output: successItems(done, itemIndex, settings.includeOutcome, operation),
				outcome: done.outcome,
			};
		} catch (error) {
			return failed(itemIndex, error, settings.includeOutcome);
		}
	};

	const record = (itemIndex: number, result: ItemResult | undefined) => {
		if (result !== undefined) {
			const outcome = 'failure' in result ? result.failure.outcome.outcome : result.outcome;
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
		run.maxInFlight,
		async (itemIndex) => {
			let settings: ItemSettings | undefined;
			let task: KeyedTask<ItemDone>;
			try {
				settings = settingsOf(itemIndex);
				task = taskFor(itemIndex, settings);
			} catch (error) {
				// The item cannot be sent (a field that fails its check): it fails at once, without a request.
				record(itemIndex, failed(itemIndex, error, settings?.includeOutcome ?? true));
				return;
			}
			const ready = settings;
			record(
				itemIndex,
				await sequencer.run(task.keys, async () =>
					itemIndex > firstFailed ? undefined : await settleItem(itemIndex, ready, task),
				),
			);
		},
		() => firstFailed !== Infinity,
	);

	if (ended.first !== undefined) throw stoppedRunError(ended, firstFailed, operation);
	return [returnData];
}
