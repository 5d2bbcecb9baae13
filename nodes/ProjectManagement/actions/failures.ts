import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { FieldError } from '../fields/fieldError';
import { BaseUrlProblem } from '../transport/connection';
import { EndlessList } from '../transport/paginate';
import { ApiCallFailure, UnexpectedAnswer, quoteApiText } from '../transport/response';
import type { Outcome, OutcomeRecord } from './outcome';
import { NO_CALLS, failureSummary, outcomeWords } from './outcome';

/**
 * Every way an item can fail, turned into an n8n error that says what went wrong, for which item, and what to
 * do, together with the outcome record for that item; and the error of a run that stops. Built from sanitised
 * data only: never from the HTTP client's error, whose request config carries the credential's headers.
 */
export interface ItemFailure {
	error: NodeApiError | NodeOperationError;
	outcome: OutcomeRecord;
}

/** What an operation would have changed, for messages such as "Nothing was created". */
const CHANGE: Record<string, { done: string; nothing: string }> = {
	create: { done: 'created', nothing: 'Nothing was created for this item.' },
	update: { done: 'updated', nothing: 'This item changed nothing.' },
	deleteProject: { done: 'deleted', nothing: 'This item deleted nothing.' },
};

/**
 * How a message names its item: counted from 1, as people count the rows they sent (n8n's own `itemIndex`, from
 * 0, stays in the error's context), with what they know it by when there is something: its project's name, or the
 * project's ID.
 */
export function itemName(itemIndex: number, label?: string): string {
	return `Item ${itemIndex + 1}${label ? ` (${label})` : ''}`;
}

const named = (itemIndex: number, label: string | undefined, message: string) =>
	`${itemName(itemIndex, label)}: ${message}`;

/**
 * The API answered 404 for a project: the ID is wrong, or the project was deleted. Thrown by the operations,
 * which know the ID; `failure` keeps the attempts and waits.
 */
export class ProjectNotFound extends Error {
	constructor(
		readonly projectId: string,
		readonly failure: ApiCallFailure,
	) {
		super(`No project with the ID ${projectId} exists`);
		this.name = 'ProjectNotFound';
	}
}

/** Create found more than one project with the name, so it cannot tell which one is meant. */
export class AmbiguousName extends Error {
	constructor(
		readonly projectName: string,
		readonly count: number,
	) {
		super(`${count} projects are named "${projectName}"; the node cannot tell which one is meant`);
		this.name = 'AmbiguousName';
	}
}

/** A Dry Run of Create with "Report an Error" found the name taken: the run would stop there too. */
export class NameTakenInDryRun extends Error {
	constructor(
		readonly projectName: string,
		readonly existingId: string,
	) {
		super(`A project with this name already exists: "${projectName}" is project ${existingId}`);
		this.name = 'NameTakenInDryRun';
	}
}

function advice(failure: ApiCallFailure, operation: string): { message: string; description: string } {
	const { statusCode, apiCode, fieldErrors, attempts, outcomeUnknown, retryable, idempotencyKey } =
		failure.details;
	const change = CHANGE[operation];
	const nothing = change ? `${change.nothing} ` : '';
	const said = quoteApiText(failure.details.apiMessage ?? failure.message);
	const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
	if (outcomeUnknown && change) {
		const settle =
			operation === 'deleteProject'
				? 'Run the workflow again with the option "Succeed If Already Deleted" turned on: a project that is gone then counts as deleted.'
				: `Run the workflow again on the same input: the idempotency key ${idempotencyKey ?? '(none)'} lets the API recognise this request if it was carried out, so it is not carried out twice.`;
		return {
			message: `No clear answer from the API after ${tries}; the project may or may not have been ${change.done}`,
			description: `Last problem: ${failure.message}. ${settle}`,
		};
	}
	if (failure.details.tokenRefused) {
		return {
			message: 'n8n could not get an access token: the token URL refused the client ID or secret',
			description: `${nothing}Nothing was sent to the API. Open the OAuth2 credential and check the Client ID and Client Secret (and the Access Token URL); use its Test button to confirm.`,
		};
	}
	if (failure.details.redirectedTo !== undefined) {
		return {
			message: `The API redirected the request to ${failure.details.redirectedTo} (HTTP ${statusCode})`,
			description: `${nothing}The node does not follow redirects, so that the credential is never sent anywhere but the Base URL. If that address is where the API now lives, put it (without /api/v1) into the credential's Base URL.`,
		};
	}
	if (failure.details.rateLimitWaitedSeconds !== undefined) {
		const asked = failure.details.askedToWaitSeconds ?? 0;
		return {
			message: `The API's rate limit: it asked to wait ${asked} s more, after this item had already waited ${failure.details.rateLimitWaitedSeconds} s for it`,
			description: `${nothing}The API is busy with more requests than it allows. Raise "Max Rate-Limit Wait (Seconds)" in the node's Options, lower "Max Requests per Second", or run the workflow again later.`,
		};
	}
	if (failure.details.askedToWaitSeconds !== undefined) {
		return {
			message: `The API asked to wait ${failure.details.askedToWaitSeconds} s before trying again (HTTP ${statusCode}), longer than Max Wait allows`,
			description: `${nothing}Raise "Max Wait (Seconds)" in the node's Options to at least ${failure.details.askedToWaitSeconds}, or run the workflow again later.`,
		};
	}
	if (statusCode === 400 || (statusCode === 422 && apiCode !== 'IDEMPOTENCY_KEY_MISMATCH')) {
		const fields = fieldErrors?.length
			? quoteApiText(fieldErrors.map((error) => `${error.field}: ${error.message}`).join('; '))
			: said;
		return {
			message: `The API rejected the project data: ${fields}`,
			description: `${nothing}Correct the fields named above in the node or in the incoming data.`,
		};
	}
	if (statusCode === 401) {
		return {
			message: 'The API did not accept the credentials (HTTP 401)',
			description: `${nothing}Open the credential and check the API key, or the client ID and secret; use its Test button to confirm.`,
		};
	}
	if (statusCode === 403) {
		return {
			message: `The credential is not allowed to do this: ${said}`,
			description: `${nothing}Ask the administrator of the project-management system to give this key or client the permission (scope) named above.`,
		};
	}
	if (failure.isDuplicateName()) {
		return {
			message: `A project with this name already exists: ${said}`,
			description:
				operation === 'create'
					? `${nothing}Give the project a different name, or set "If a Project With This Name Exists" to return or update the existing project.`
					: `${nothing}Give the project a name no other project has.`,
		};
	}
	if (apiCode === 'IDEMPOTENCY_KEY_MISMATCH') {
		return {
			message: 'This idempotency key was already used for a request with different data',
			description: `The key ${idempotencyKey ?? '(none)'} belongs to an earlier request with other values. If you set Idempotency Key yourself, make sure each change gets its own key; otherwise change nothing and report this.`,
		};
	}
	if (retryable) {
		return {
			message: `The API could not take the request after ${tries}: ${failure.message}`,
			description: `${nothing}The service is busy or down; run the workflow again later, or raise Max Attempts or Max Wait in the node's Options.`,
		};
	}
	return {
		message: `The API refused the request: ${failure.message}`,
		description: nothing.trim(),
	};
}

function apiError(
	node: INode,
	failure: ApiCallFailure,
	itemIndex: number,
	label: string | undefined,
	message: string,
	description: string,
): NodeApiError {
	const { statusCode, apiCode } = failure.details;
	const response: JsonObject = { message: failure.message };
	if (apiCode) response.code = apiCode;
	if (statusCode) response.httpCode = String(statusCode);
	return new NodeApiError(node, response, {
		message: named(itemIndex, label, message),
		description,
		httpCode: statusCode ? String(statusCode) : undefined,
		itemIndex,
	});
}

/**
 * The failure of one item: the error n8n shows (the item named, what went wrong, what to do) and its outcome
 * record, whose first field is a summary in words. `label` is what the user knows the item by (see itemName).
 */
export function toItemFailure(
	node: INode,
	error: unknown,
	itemIndex: number,
	operation = 'create',
	label?: string,
): ItemFailure {
	const failure = failureOf(node, error, itemIndex, operation, label);
	return {
		error: failure.error,
		outcome: { summary: failureSummary(failure.outcome, operation), ...failure.outcome },
	};
}

function failureOf(
	node: INode,
	error: unknown,
	itemIndex: number,
	operation: string,
	label: string | undefined,
): ItemFailure {
	if (error instanceof FieldError) {
		return {
			error: new NodeOperationError(node, named(itemIndex, label, error.message), {
				itemIndex,
				description: error.hint,
			}),
			outcome: { outcome: 'failed', ...NO_CALLS, reason: error.message, retryable: false },
		};
	}
	if (error instanceof ProjectNotFound) {
		const { attempts, waitedMs } = error.failure.details;
		const change = CHANGE[operation];
		const message =
			operation === 'deleteProject'
				? `No project with the ID ${error.projectId} exists: it may have been deleted already`
				: `No project with the ID ${error.projectId} exists`;
		const description =
			operation === 'deleteProject'
				? `${attempts > 1 ? 'An earlier attempt whose answer was lost may have deleted it. ' : ''}If the workflow cleans up projects and may run more than once, turn on "Succeed If Already Deleted" in the node's Options.`
				: `${change ? `${change.nothing} ` : ''}Check the project ID or address; the project may have been deleted.`;
		return {
			error: apiError(node, error.failure, itemIndex, label, message, description),
			outcome: { outcome: 'failed', attempts, waitedMs, reason: message, retryable: false },
		};
	}
	if (error instanceof AmbiguousName) {
		return {
			error: new NodeOperationError(node, named(itemIndex, label, error.message), {
				itemIndex,
				description:
					'Nothing was created or changed. Rename the duplicates in the project-management system, or use Update with the project ID.',
			}),
			outcome: { outcome: 'failed', ...NO_CALLS, reason: error.message, retryable: false },
		};
	}
	if (error instanceof NameTakenInDryRun) {
		return {
			error: new NodeOperationError(node, named(itemIndex, label, error.message), {
				itemIndex,
				description:
					'Dry Run: the run would stop here too. Give the project a different name, or set "If a Project With This Name Exists" to return or update the existing project.',
			}),
			outcome: { outcome: 'failed', ...NO_CALLS, reason: error.message, retryable: false },
		};
	}
	if (error instanceof EndlessList) {
		const message = `${error.message} while listing projects`;
		return {
			error: new NodeOperationError(node, named(itemIndex, label, message), {
				itemIndex,
				description:
					error.reason === 'repeatedCursor'
						? 'The list would never end, so the node stopped. Set a Limit instead of Return All, and report this to the administrator of the project-management system.'
						: 'The node stops there so that a list that never ends cannot hold the workflow. Turn off Return All and set a Limit, or narrow the list with Filters.',
			}),
			outcome: { outcome: 'failed', ...NO_CALLS, reason: message, retryable: false },
		};
	}
	if (error instanceof BaseUrlProblem) {
		return {
			error: new NodeOperationError(node, named(itemIndex, label, error.message), {
				itemIndex,
				description:
					'Nothing was sent. Open the credential and set Base URL to the address of the project-management system, such as https://pm.example.com (without /api/v1).',
			}),
			outcome: { outcome: 'failed', ...NO_CALLS, reason: error.message, retryable: false },
		};
	}
	if (error instanceof UnexpectedAnswer) {
		const change = CHANGE[operation];
		const message = named(itemIndex, label, error.message);
		const outcome: OutcomeRecord = {
			outcome: change ? 'unknown' : 'failed',
			...error.cost,
			reason: error.message,
			retryable: false,
		};
		if (error.idempotencyKey !== undefined) outcome.idempotencyKey = error.idempotencyKey;
		const description = change
			? `The API took the request but did not send the project back, so the node cannot tell which project it is or whether it was ${change.done}. Look in the project-management system before running this item again; if the answer is a web page, check that the credential's Base URL is the system's address.`
			: "Check that the credential's Base URL is the project-management system's address, not a web page or a proxy in front of it.";
		return { error: new NodeOperationError(node, message, { itemIndex, description }), outcome };
	}
	if (error instanceof ApiCallFailure) {
		const { message, description } = advice(error, operation);
		const { attempts, waitedMs, outcomeUnknown, retryable, idempotencyKey } = error.details;
		const unknown = outcomeUnknown && CHANGE[operation] !== undefined;
		const outcome: OutcomeRecord = {
			outcome: unknown ? 'unknown' : 'failed',
			attempts,
			waitedMs,
			reason: message,
			retryable,
		};
		if (idempotencyKey !== undefined) outcome.idempotencyKey = idempotencyKey;
		if (error.details.rateLimited > 0) outcome.rateLimited = error.details.rateLimited;
		return { error: apiError(node, error, itemIndex, label, message, description), outcome };
	}
	if (error instanceof NodeOperationError || error instanceof NodeApiError) {
		// n8n's own errors, such as an expression that cannot be evaluated: named like the node's own.
		if (!error.message.startsWith('Item ')) error.message = named(itemIndex, label, error.message);
		error.context.itemIndex ??= itemIndex;
		return {
			error,
			outcome: { outcome: 'failed', ...NO_CALLS, reason: error.message, retryable: false },
		};
	}
	const text = error instanceof Error ? error.message : String(error);
	return {
		error: new NodeOperationError(node, named(itemIndex, label, text), { itemIndex }),
		outcome: { outcome: 'failed', ...NO_CALLS, reason: text, retryable: false },
	};
}

/** How the items of a run ended, in counts; without Continue On Fail also which failed, and the first of them. */
export interface Ended {
	outcomes: Record<string, number>;
	failedItems: number[];
	first?: ItemFailure;
}

/** What the items that ended before a stop changed, and what running again does with it, per operation. */
const AFTER_A_STOP: Record<string, string> = {
	create:
		'Those projects exist: running the workflow again on the same input returns them as created earlier instead of creating them twice.',
	update: 'Their changes were made.',
	deleteProject:
		'Those projects are gone: to run the workflow again on the same input, turn on Succeed If Already Deleted, or they fail as not found.',
};

const CHANGED: Outcome[] = ['created', 'replayed', 'updated', 'deleted', 'unknown'];

/**
 * n8n's editor adds its own index, counted from 0, to the message of an error that carries `context.itemIndex`
 * when several items came in: "Item 2 ("Office move"): … [item 1]" (n8n 2.41, NodeErrorView). The message already
 * names the item as people count it, so the index moves to `context.n8nItemIndex` for workflows that read it.
 */
function countedOnce(error: ItemFailure['error']): ItemFailure['error'] {
	const { itemIndex } = error.context;
	if (typeof itemIndex === 'number') {
		error.context.n8nItemIndex = itemIndex;
		delete error.context.itemIndex;
	}
	return error;
}

/**
 * The error of a run that stops at its first failed item, telling how the other items that were sent ended:
 * n8n discards the output of a node that fails, and with several items under way at once, items after the failed
 * one may have been done too. The counts also go in the error's context, for workflows that read it (by outcome,
 * and the failed items by n8n's index, from 0), with the failed item's index as n8nItemIndex (see countedOnce).
 */
export function stoppedRunError(ended: Ended, first: number, operation = 'create'): ItemFailure['error'] {
	const failure = ended.first as ItemFailure;
	const counts = { ...ended.outcomes };
	counts[failure.outcome.outcome] -= 1;
	if (counts[failure.outcome.outcome] === 0) delete counts[failure.outcome.outcome];
	const alsoFailed = ended.failedItems.filter((itemIndex) => itemIndex !== first).sort((a, b) => a - b);
	const error = countedOnce(failure.error);
	const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
	if (total === 0) return error;
	const summary = Object.entries(counts)
		.map(([outcome, count]) => `${count} ${outcomeWords(outcome as Outcome, operation)}`)
		.join(', ');
	const shown = alsoFailed
		.slice(0, 10)
		.map((itemIndex) => itemIndex + 1)
		.join(', ');
	const more = alsoFailed.length > 10 ? ` and ${alsoFailed.length - 10} more` : '';
	const failedToo =
		alsoFailed.length > 0 ? ` ${alsoFailed.length === 1 ? 'Item' : 'Items'} ${shown}${more} failed too.` : '';
	const changedSome = Object.keys(counts).some((outcome) => CHANGED.includes(outcome as Outcome));
	const after = changedSome && AFTER_A_STOP[operation] ? ` ${AFTER_A_STOP[operation]}` : '';
	const note = `The node stopped here. ${total} other item${total === 1 ? '' : 's'} had ended before (${summary}); n8n shows no output of a node that stops.${failedToo}${after}`;
	error.description = error.description ? `${error.description} ${note}` : note;
	error.context.otherItems = { ...counts };
	if (alsoFailed.length > 0) error.context.otherFailedItems = alsoFailed.slice(0, 100);
	return error;
}
