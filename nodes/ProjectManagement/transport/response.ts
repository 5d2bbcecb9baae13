import type { IDataObject } from 'n8n-workflow';

import type { HeaderBag } from '../reliability/headers';

/**
 * What came back from the API, read: a success, or a failure with the facts a message for the user is built
 * from (status, the API's code and message, field errors, attempts, whether the change may have happened).
 * Also where an error thrown by n8n's request helper is searched for its status or network code.
 */

export interface ApiSuccess {
	statusCode: number;
	body: unknown;
	headers: HeaderBag;
	attempts: number;
	waitedMs: number;
	/** The API answered from its idempotency store: the work was done by an earlier request. */
	replayed: boolean;
}

export interface FieldProblem {
	field: string;
	message: string;
}

/** Why a call ended without success, in terms a message for the user can be built from. */
export class ApiCallFailure extends Error {
	constructor(
		message: string,
		readonly details: {
			statusCode?: number;
			apiCode?: string;
			/** The API's own message, when it sent one. */
			apiMessage?: string;
			fieldErrors?: FieldProblem[];
			/** Whether running the item again later could succeed. */
			retryable: boolean;
			/** An attempt may have reached the API and been committed without an answer coming back. */
			outcomeUnknown: boolean;
			attempts: number;
			waitedMs: number;
			idempotencyKey?: string;
		},
	) {
		super(message);
		this.name = 'ApiCallFailure';
	}

	/** The API has no such resource (404): a wrong ID, or a project deleted since. */
	isNotFound(): boolean {
		return this.details.statusCode === 404;
	}

	/** The API refused a project name that another project has (409 DUPLICATE_RESOURCE). */
	isDuplicateName(): boolean {
		return this.details.statusCode === 409 && this.details.apiCode === 'DUPLICATE_RESOURCE';
	}
}

export const isNotFound = (failure: unknown): failure is ApiCallFailure =>
	failure instanceof ApiCallFailure && failure.isNotFound();

export const isDuplicateName = (failure: unknown): failure is ApiCallFailure =>
	failure instanceof ApiCallFailure && failure.isDuplicateName();

/** What a thrown request error says, found on it or on its causes (n8n wraps the HTTP client's error). */
export function inspectThrown(error: unknown): {
	statusCode?: number;
	headers?: HeaderBag;
	body?: unknown;
	code?: string;
	message: string;
} {
	let current: unknown = error;
	let code: string | undefined;
	for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth++) {
		const candidate = current as {
			response?: { status?: unknown; headers?: HeaderBag; data?: unknown };
			code?: unknown;
			message?: unknown;
			cause?: unknown;
		};
		if (candidate.response && typeof candidate.response.status === 'number') {
			return {
				statusCode: candidate.response.status,
				headers: candidate.response.headers ?? {},
				body: candidate.response.data,
				message: String(candidate.message ?? ''),
			};
		}
		if (
			code === undefined &&
			typeof candidate.code === 'string' &&
			/^(E[A-Z]+|ERR_|UND_)/.test(candidate.code)
		) {
			code = candidate.code;
			if (code === 'ECONNABORTED' && /timeout/i.test(String(candidate.message))) code = 'TIMEOUT';
		}
		current = candidate.cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	if (code === undefined && /timeout/i.test(message)) code = 'TIMEOUT';
	if (code === undefined && /aborted|socket hang up|premature close/i.test(message)) code = 'ECONNRESET';
	return { code, message };
}

/**
 * A success whose JSON body did not arrive whole (the connection dropped mid-body) leaves the HTTP client with
 * a fragment of text or nothing: the API may have committed, so it counts as a lost answer.
 */
export function isTruncatedSuccess(statusCode: number | undefined, body: unknown): boolean {
	const bodyMissing = body === null || typeof body !== 'object';
	return statusCode !== undefined && statusCode < 300 && statusCode !== 204 && bodyMissing;
}

/** The API's error body, `{code, message, details}`, or a description of a body that is not one. */
export function readErrorBody(body: unknown): {
	apiCode?: string;
	apiMessage?: string;
	fieldErrors?: FieldProblem[];
	html: boolean;
} {
	if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
		const data = body as IDataObject;
		const fieldErrors = Array.isArray(data.details)
			? (data.details as IDataObject[])
					.filter((detail) => detail && typeof detail === 'object')
					.map((detail) => ({ field: String(detail.field ?? ''), message: String(detail.message ?? '') }))
			: undefined;
		return {
			apiCode:
				typeof data.code === 'string' ? data.code : typeof data.error === 'string' ? data.error : undefined,
			apiMessage:
				typeof data.message === 'string'
					? data.message
					: typeof data.error_description === 'string'
						? data.error_description
						: undefined,
			fieldErrors,
			html: false,
		};
	}
	if (typeof body === 'string') {
		const html = /<\s*(html|!doctype|body|head)/i.test(body);
		return { apiMessage: html ? undefined : body.slice(0, 300), html };
	}
	return { html: false };
}

/** Plain-words summary of a failed attempt, for the final error message. */
export function describeAttempt(
	statusCode: number | undefined,
	code: string | undefined,
	apiMessage: string | undefined,
	html: boolean,
): string {
	if (statusCode === undefined) {
		if (code === 'TIMEOUT') return 'the API did not answer before the timeout';
		if (code === 'ECONNREFUSED')
			return 'the API refused the connection (is the Base URL right and the service up?)';
		if (code === 'ENOTFOUND') return 'the host in the Base URL could not be found';
		if (code === 'TRUNCATED_BODY') return 'the answer broke off before it was complete';
		return `the connection failed (${code ?? 'network error'})`;
	}
	if (html)
		return `the API answered HTTP ${statusCode} with a web page instead of data, usually from a proxy or gateway in front of it`;
	return `the API answered HTTP ${statusCode}${apiMessage ? `: ${apiMessage}` : ''}`;
}
