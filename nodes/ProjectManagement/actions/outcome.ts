import type { IDataObject } from 'n8n-workflow';

/**
 * How an item ended: the small record each output item carries beside the project (`_result`, built in
 * output.ts). A person reads its first field, `summary`, a sentence in plain words; automations read the rest,
 * which keeps its names and values from release to release.
 *
 * - `created`: a new project. `replayed`: an earlier attempt or run had done it (Create: created the project;
 *   Update: made the change) and the API answered from its idempotency store ("created earlier").
 * - `existing`: Create found a project with the name and returned it. `updated`: Update changed the project,
 *   or Create found one with the name and updated it (also when an earlier attempt of that update had).
 * - `found`: Get or Get Many read the project.
 * - `deleted`: Delete removed the project. `notFound`: Delete found no such project and was told to treat that
 *   as success (a cleanup that runs twice).
 * - `dryRun`: nothing was created or changed; the item shows the request instead.
 * - `failed`: the item failed (`reason`, `retryable`). `unknown`: no clear answer came back, the change may
 *   have happened.
 *
 * `attempts` counts how often the request that decided the item was sent (the create, the change, the delete,
 * the read; for Get Many every page): the attempts the API saw with the item's idempotency key. Lookups made on
 * the way (Create's name lookup before a create, an owner's email, team names, the check that a replayed project
 * still exists) are not attempts; their waits are in `waitedMs`, which is all the time the item waited.
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
	/** How the item ended, in a sentence for people; the first field of `_result`. */
	summary?: string;
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

/** A lookup on the way to the decisive request: its waits count, its attempts do not (see above). */
export function lookupCost(call: CallCost): CallCost {
	return { attempts: 0, waitedMs: call.waitedMs };
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

/** How people say an outcome, per operation: in counts ("2 created earlier") and at the start of a summary. */
export function outcomeWords(outcome: Outcome, operation: string): string {
	switch (outcome) {
		case 'replayed':
			return operation === 'update' ? 'updated earlier' : 'created earlier';
		case 'existing':
			return 'already existed';
		case 'notFound':
			return 'already gone';
		case 'dryRun':
			return 'checked by Dry Run';
		case 'unknown':
			return 'unclear';
		default:
			return outcome;
	}
}

const SUMMARIES: Partial<Record<Outcome, string>> = {
	created: 'Created.',
	existing: 'Already existed: a project with this name was there, returned unchanged.',
	found: 'Found.',
	deleted: 'Deleted.',
	notFound: 'Already gone: there is no project with this ID, which counts as deleted here.',
	dryRun: 'Dry Run: checked, nothing was created or changed. "request" shows what would be sent.',
};

function summaryOf(outcome: Outcome, operation: string): string {
	if (outcome === 'replayed') {
		return operation === 'update'
			? 'Updated earlier: an earlier attempt made this change; it was not made twice.'
			: 'Created earlier: an earlier run or attempt made this project; it was not created again.';
	}
	if (outcome === 'updated') {
		return operation === 'create'
			? 'Already existed: a project with this name was there, and was updated with the fields given.'
			: 'Updated.';
	}
	return SUMMARIES[outcome] ?? `${outcome}.`;
}

/** The cost in words, only when it is worth a person's attention: retries and waits of a second or more. */
function costWords(cost: CallCost): string {
	const words: string[] = [];
	if (cost.attempts > 1) words.push(`It took ${cost.attempts} tries.`);
	if (cost.waitedMs >= 1000) words.push(`It waited ${Math.round(cost.waitedMs / 1000)} s for the API.`);
	return words.length > 0 ? ` ${words.join(' ')}` : '';
}

/** The record of an item that ended well. */
export function recordOf(item: ItemDone, operation: string): OutcomeRecord {
	const note = item.note === undefined ? '' : ` ${item.note}`;
	const record: OutcomeRecord = {
		summary: `${summaryOf(item.outcome, operation)}${note}${costWords(item.cost)}`,
		outcome: item.outcome,
		attempts: item.cost.attempts,
		waitedMs: item.cost.waitedMs,
	};
	if (item.idempotencyKey !== undefined) record.idempotencyKey = item.idempotencyKey;
	if (item.note !== undefined) record.note = item.note;
	if (item.cost.rateLimited) record.rateLimited = item.cost.rateLimited;
	return record;
}

/** The summary of an item that failed or ended unclear, from its reason. */
export function failureSummary(record: OutcomeRecord, operation: string): string {
	const reason = (record.reason ?? '').replace(/\.$/, '');
	if (record.outcome === 'unknown') {
		const settle =
			operation === 'deleteProject'
				? 'Run again with Succeed If Already Deleted to settle it.'
				: 'Run again on the same input to settle it: nothing is made twice.';
		return `Unclear: ${reason}. ${settle}`;
	}
	const later = record.retryable ? ' Running again later may work.' : '';
	return `Failed: ${reason}.${later}`;
}
