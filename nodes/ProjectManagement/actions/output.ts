import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ItemFailure } from './failures';
import type { ItemDone } from './outcome';
import { recordOf } from './outcome';

/**
 * Every item the node puts out, built from what an operation returned or how the item failed, and paired with
 * its input item. The outcome record goes in `_result` (unless "Include Outcome Metadata" is off).
 */

export const OUTCOME_KEY = '_result';

/** The items of an item that ended well: the project (or projects, or the Dry Run) with its `_result`. */
export function successItems(
	done: ItemDone,
	itemIndex: number,
	includeOutcome: boolean,
	operation: string,
): INodeExecutionData[] {
	const record = includeOutcome ? (recordOf(done, operation) as unknown as IDataObject) : undefined;
	return done.json.map((json) => ({
		json: record ? { ...json, [OUTCOME_KEY]: record } : json,
		pairedItem: { item: itemIndex },
	}));
}

/**
 * A failed item under Continue On Fail. n8n moves an item to the error output ("On Error → Continue (using error
 * output)") only when its json holds nothing but `error`, `message` and `details`, so there the description goes
 * in `message` and the outcome record in `details`; on the regular output it sits beside the error as `_result`.
 */
export function failureItem(
	failure: ItemFailure,
	itemIndex: number,
	includeOutcome: boolean,
	toErrorOutput: boolean,
): INodeExecutionData {
	const record = failure.outcome as unknown as IDataObject;
	let json: IDataObject;
	if (toErrorOutput) {
		json = { error: failure.error.message };
		if (failure.error.description) json.message = failure.error.description;
		if (includeOutcome) json.details = record;
	} else {
		json = { error: failure.error.message, errorDescription: failure.error.description ?? null };
		if (includeOutcome) json[OUTCOME_KEY] = record;
	}
	return { json, pairedItem: { item: itemIndex } };
}
