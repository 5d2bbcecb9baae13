import type { IDataObject, ILoadOptionsFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_RETRY_POLICY } from '../reliability/retry';
import type { Page } from '../transport/paginate';
import { asPage, paginate } from '../transport/paginate';
import type { ApiCall, CallSettings } from '../transport/request';
import { apiRequest, settle } from '../transport/request';
import { ApiCallFailure, UnexpectedAnswer } from '../transport/response';

/**
 * Requests for the editor's dropdowns, pickers and the custom-field form. Someone is waiting on the screen, so a
 * busy API gets one more try and short waits; a failure becomes one plain sentence the editor shows in place of
 * the list (what could not be loaded, why, and what to do), never a stack trace or a credential.
 */

const DROPDOWN_SETTINGS: CallSettings = {
	timeoutMs: 15_000,
	policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2, maxWaitMs: 5_000 },
};

/** Most entries a dropdown loads; a directory larger than this is better searched or given by ID. */
const MAX_ENTRIES = 2_000;

export function dropdownError(node: INode, what: string, error: unknown): NodeOperationError {
	if (error instanceof ApiCallFailure) {
		const { statusCode } = error.details;
		const apiMessage = error.details.apiMessage?.trim().replace(/\.$/, '');
		if (statusCode === 401) {
			return new NodeOperationError(
				node,
				`Could not load ${what}: the API did not accept the credentials. Open the credential and check it with its Test button.`,
			);
		}
		if (statusCode === 403) {
			return new NodeOperationError(
				node,
				`Could not load ${what}: the credential is not allowed to read them${apiMessage ? ` (${apiMessage})` : ''}. Ask the administrator of the project-management system for that permission, or enter the value by ID or with an expression.`,
			);
		}
		return new NodeOperationError(
			node,
			`Could not load ${what}: ${error.message}. Check the Base URL in the credential, or try again in a moment.`,
		);
	}
	if (error instanceof UnexpectedAnswer) {
		return new NodeOperationError(
			node,
			`Could not load ${what}: ${error.message}. Check that the credential's Base URL is the project-management system's address.`,
		);
	}
	const text = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, `Could not load ${what}: ${text}`);
}

/** One page of a list the API pages with `limit` and `cursor`, or a NodeOperationError with a plain message. */
export async function fetchPage(
	this: ILoadOptionsFunctions,
	what: string,
	path: string,
	qs: IDataObject,
	cursor?: string,
): Promise<Page> {
	const query: IDataObject = { limit: 100, ...qs };
	if (cursor) query.cursor = cursor;
	const call: ApiCall = { method: 'GET', path, qs: query };
	try {
		return asPage(await apiRequest.call(this, call, DROPDOWN_SETTINGS));
	} catch (error) {
		throw dropdownError(this.getNode(), what, error);
	}
}

/** Every entry of a paged list (up to MAX_ENTRIES), following `nextCursor` to the end. */
export async function fetchAllPages(
	this: ILoadOptionsFunctions,
	what: string,
	path: string,
): Promise<IDataObject[]> {
	const result = await settle(
		paginate(async (cursor) => await fetchPage.call(this, what, path, {}, cursor), MAX_ENTRIES),
	);
	if ('value' in result) return result.value;
	// fetchPage's own failures are worded already; a list that would never end is not.
	throw result.failure instanceof NodeOperationError
		? result.failure
		: dropdownError(this.getNode(), what, result.failure);
}
