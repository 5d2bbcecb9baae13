import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { OutcomeRecord } from '../helpers/outcome';
import { FieldError } from '../helpers/projectFields';
import { ApiCallFailure } from '../transport';

/**
 * Every way an item can fail, turned into an n8n error that says what went wrong, for which item, and what to
 * do, together with the outcome record for that item. Built from sanitised data only: never from the HTTP
 * client's error, whose request config carries the credential's headers.
 */
export interface ItemFailure {
	error: NodeApiError | NodeOperationError;
	outcome: Omit<OutcomeRecord, 'idempotencyKey'> & { idempotencyKey?: string };
}

function advice(failure: ApiCallFailure): { message: string; description: string } {
	const { statusCode, apiCode, fieldErrors, attempts, outcomeUnknown, retryable, idempotencyKey } =
		failure.details;
	const said = failure.details.apiMessage ?? failure.message;
	const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
	if (outcomeUnknown) {
		return {
			message: `No clear answer from the API after ${tries}; the project may or may not have been created`,
			description: `Last problem: ${failure.message}. Run the workflow again on the same input: the idempotency key ${idempotencyKey ?? '(none)'} lets the API recognise this project if it was created, so it is not created twice.`,
		};
	}
	if (statusCode === 400 || (statusCode === 422 && apiCode !== 'IDEMPOTENCY_KEY_MISMATCH')) {
		const fields = fieldErrors?.length
			? fieldErrors.map((error) => `${error.field}: ${error.message}`).join('; ')
			: said;
		return {
			message: `The API rejected the project data: ${fields}`,
			description: 'Nothing was created. Correct the fields named above in the node or in the incoming data.',
		};
	}
	if (statusCode === 401) {
		return {
			message: 'The API did not accept the credentials (HTTP 401)',
			description:
				'Nothing was created. Open the credential and check the API key, or the client ID and secret; use its Test button to confirm.',
		};
	}
	if (statusCode === 403) {
		return {
			message: `The credential is not allowed to do this: ${said}`,
			description:
				'Nothing was created. Ask the administrator of the project-management system to give this key or client the permission (scope) named above.',
		};
	}
	if (statusCode === 409 && apiCode === 'DUPLICATE_RESOURCE') {
		return {
			message: `A project with this name already exists: ${said}`,
			description:
				'Nothing was created. Give the project a different name, or remove this item if the project is already there.',
		};
	}
	if (apiCode === 'IDEMPOTENCY_KEY_MISMATCH') {
		return {
			message: 'This idempotency key was already used for a project with different data',
			description: `The key ${idempotencyKey ?? '(none)'} belongs to an earlier request with other values. If you set Idempotency Key yourself, make sure each project gets its own key; otherwise change nothing and report this.`,
		};
	}
	if (retryable) {
		return {
			message: `The API could not take the request after ${tries}: ${failure.message}`,
			description:
				"Nothing was created. The service is busy or down; run the workflow again later, or raise Max Attempts or Max Wait in the node's Options.",
		};
	}
	return {
		message: `The API refused the request: ${failure.message}`,
		description: 'Nothing was created.',
	};
}

export function toItemFailure(node: INode, error: unknown, itemIndex: number): ItemFailure {
	if (error instanceof FieldError) {
		return {
			error: new NodeOperationError(node, `${error.message} [item ${itemIndex}]`, {
				itemIndex,
				description: error.hint,
			}),
			outcome: { outcome: 'failed', attempts: 0, waitedMs: 0, reason: error.message, retryable: false },
		};
	}
	if (error instanceof ApiCallFailure) {
		const { message, description } = advice(error);
		const { statusCode, apiCode, attempts, waitedMs, outcomeUnknown, retryable, idempotencyKey } =
			error.details;
		const response: JsonObject = { message: error.message };
		if (apiCode) response.code = apiCode;
		if (statusCode) response.httpCode = String(statusCode);
		return {
			error: new NodeApiError(node, response, {
				message: `${message} [item ${itemIndex}]`,
				description,
				httpCode: statusCode ? String(statusCode) : undefined,
				itemIndex,
			}),
			outcome: {
				outcome: outcomeUnknown ? 'unknown' : 'failed',
				attempts,
				waitedMs,
				idempotencyKey,
				reason: message,
				retryable,
			},
		};
	}
	if (error instanceof NodeOperationError || error instanceof NodeApiError) {
		error.context.itemIndex ??= itemIndex;
		return {
			error,
			outcome: { outcome: 'failed', attempts: 0, waitedMs: 0, reason: error.message, retryable: false },
		};
	}
	const text = error instanceof Error ? error.message : String(error);
	return {
		error: new NodeOperationError(node, `${text} [item ${itemIndex}]`, { itemIndex }),
		outcome: { outcome: 'failed', attempts: 0, waitedMs: 0, reason: text, retryable: false },
	};
}
