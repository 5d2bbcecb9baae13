import type { IDataObject } from 'n8n-workflow';

/**
 * How an item ended: the small record each output item carries beside the project (`_result`, built in
 * output.ts), so that a user can see how the item ended without reading logs: what happened, after how many
 * attempts and how long a wait, and the idempotency key that ties a later run to this one.
 *
 * - `created`: a new project. `replayed`: an earlier attempt had done it (Create: created the project; Update:
 *   made the change) and its answer was lost; the API answered from its idempotency store.
 * - `existing`: Create found a project with the name and returned it. `updated`: Update changed the project,
 *   or Create found one with the name and updated it (also when an earlier attempt of that update had).
 * - `found`: Get or Get Many read the project.
 * - `deleted`: Delete removed the project. `notFound`: Delete found no such project and was told to treat that
 *   as success (a cleanup that runs twice).
 * - `dryRun`: nothing was sent; the item shows the request instead.
 * - `failed`: the item failed (`reason`, `retryable`). `unknown`: no clear answer came back, the change may
 *   have happened.
 */

export type Outcome =
	| 'created'
	| 'replayed'
	| 'existing'
	| 'updated'
	| 'found'
	| 'deleted'
	| 'notFound'
	| 'dryRun'
	| 'failed'
	| 'unknown';

export interface OutcomeRecord {
	outcome: Outcome;
	attempts: number;
	waitedMs: number;
	/** The key of the request that changed something; reads and deletes carry none. */
	idempotencyKey?: string;
	reason?: string;
	retryable?: boolean;
	/** Something the user should know about an item that ended well, in a sentence. */
	note?: string;
	/** How often the API said it was busy and when to come back: waits, not attempts. Absent when never. */
	rateLimited?: number;
}

/** Attempts and waits of one or more API calls, added up. */
export interface CallCost {
	attempts: number;
	waitedMs: number;
	rateLimited?: number;
}

/** An item that sent nothing: a Dry Run, or one stopped by its own data. */
export const NO_CALLS: CallCost = { attempts: 0, waitedMs: 0 };

export function addCosts(...calls: CallCost[]): CallCost {
	return calls.reduce(
		(sum, call) => ({
			attempts: sum.attempts + call.attempts,
			waitedMs: sum.waitedMs + call.waitedMs,
			rateLimited: (sum.rateLimited ?? 0) + (call.rateLimited ?? 0),
		}),
		NO_CALLS,
	);
}

/**
 * What an operation returns for an item that succeeded: how it ended, what that cost, and what goes out (one
 * object per output item: the project, the projects of Get Many, or what a Dry Run would send). actions/output.ts
 * turns it into n8n's items.
 */
export interface ItemDone {
	outcome: Outcome;
	cost: CallCost;
	/** The key of the request that made the change, when there was one. */
	idempotencyKey?: string;
	json: IDataObject[];
	/** See OutcomeRecord. */
	note?: string;
}

export function done(
	outcome: Outcome,
	cost: CallCost,
	json: IDataObject | IDataObject[],
	idempotencyKey?: string,
): ItemDone {
	return { outcome, cost, json: Array.isArray(json) ? json : [json], idempotencyKey };
}

/** The record of an item that ended well. */
export function recordOf(item: ItemDone): OutcomeRecord {
	const record: OutcomeRecord = {
		outcome: item.outcome,
		attempts: item.cost.attempts,
		waitedMs: item.cost.waitedMs,
	};
	if (item.idempotencyKey !== undefined) record.idempotencyKey = item.idempotencyKey;
	if (item.note !== undefined) record.note = item.note;
	if (item.cost.rateLimited) record.rateLimited = item.cost.rateLimited;
	return record;
}
