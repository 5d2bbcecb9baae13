/**
 * The small record each output item carries beside the project, so that a user can see how the item ended
 * without reading logs: what happened, after how many attempts and how long a wait, and the idempotency key
 * that ties a later run to this one.
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

export const OUTCOME_KEY = '_result';

export interface OutcomeRecord {
	outcome: Outcome;
	attempts: number;
	waitedMs: number;
	/** The key of the request that changed something; reads and deletes carry none. */
	idempotencyKey?: string;
	reason?: string;
	retryable?: boolean;
}

/** Attempts and waits of one or more API calls, added up. */
export interface CallCost {
	attempts: number;
	waitedMs: number;
}

export const NO_CALLS: CallCost = { attempts: 0, waitedMs: 0 };

export function addCosts(...calls: CallCost[]): CallCost {
	return calls.reduce(
		(sum, call) => ({ attempts: sum.attempts + call.attempts, waitedMs: sum.waitedMs + call.waitedMs }),
		NO_CALLS,
	);
}

export function outcomeOf(
	outcome: Outcome,
	call: CallCost,
	idempotencyKey?: string,
	failure?: { reason: string; retryable: boolean },
): { [OUTCOME_KEY]: OutcomeRecord } {
	const record: OutcomeRecord = {
		outcome,
		attempts: call.attempts,
		waitedMs: call.waitedMs,
	};
	if (idempotencyKey !== undefined) record.idempotencyKey = idempotencyKey;
	if (failure) {
		record.reason = failure.reason;
		record.retryable = failure.retryable;
	}
	return { [OUTCOME_KEY]: record };
}
