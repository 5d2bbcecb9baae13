/**
 * The small record each output item carries beside the project, so that a user can see how the item ended
 * without reading logs: what happened, after how many attempts and how long a wait, and the idempotency key
 * that ties a later run to this one.
 */

export type Outcome = 'created' | 'replayed' | 'existing' | 'failed' | 'unknown';

export const OUTCOME_KEY = '_result';

export interface OutcomeRecord {
	outcome: Outcome;
	attempts: number;
	waitedMs: number;
	idempotencyKey: string;
	reason?: string;
	retryable?: boolean;
}

export function outcomeOf(
	outcome: Outcome,
	call: { attempts: number; waitedMs: number },
	idempotencyKey: string,
	failure?: { reason: string; retryable: boolean },
): { [OUTCOME_KEY]: OutcomeRecord } {
	const record: OutcomeRecord = {
		outcome,
		attempts: call.attempts,
		waitedMs: call.waitedMs,
		idempotencyKey,
	};
	if (failure) {
		record.reason = failure.reason;
		record.retryable = failure.retryable;
	}
	return { [OUTCOME_KEY]: record };
}
