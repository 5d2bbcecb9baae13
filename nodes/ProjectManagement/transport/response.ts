import type { IDataObject } from 'n8n-workflow';

import type { HeaderBag } from '../reliability/headers';
import { headerValue } from '../reliability/headers';

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
	/** How often the API said it was busy and when to come back (waits that are not attempts). */
	rateLimited: number;
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
			/** Where the API redirected the request (shown without user name, password or query). */
			redirectedTo?: string;
			/** n8n could not get an OAuth2 access token: nothing was sent to the API. */
			tokenRefused?: boolean;
			/** The API asked to wait longer than Max Wait (or than the item's rate-limit budget left), in seconds. */
			askedToWaitSeconds?: number;
			/** How often the API said it was busy and when to come back (waits that are not attempts). */
			rateLimited: number;
			/** Set when the call ended because the rate-limit waits would have gone past Max Rate-Limit Wait. */
			rateLimitWaitedSeconds?: number;
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

/**
 * A complete answer with a success status that is not what was asked for: a create answered with an empty body, a
 * web page or a queue ticket, a list answered with something else. Not a lost answer (so not sent again), and
 * not proof of what happened: operations that change something report it as unknown.
 */
export class UnexpectedAnswer extends Error {
	constructor(
		readonly statusCode: number,
		/** What came instead, in words: "an empty body", "a web page". */
		readonly received: string,
		/** What was asked for: "the project", "a list". */
		readonly expected: string,
		readonly cost: { attempts: number; waitedMs: number },
		readonly idempotencyKey?: string,
	) {
		super(`The API answered HTTP ${statusCode} with ${received} instead of ${expected}`);
		this.name = 'UnexpectedAnswer';
	}
}

/** What a success's body is, in words, for UnexpectedAnswer (never its text: it could hold anything). */
export function describeBody(statusCode: number, body: unknown): string {
	if (body === undefined || body === '') return 'an empty body';
	if (body === null) return 'null';
	if (typeof body === 'string') {
		return /<\s*(html|!doctype|body|head)/i.test(body) ? 'a web page' : 'plain text';
	}
	if (Array.isArray(body)) return 'a list';
	if (typeof body === 'object') {
		return statusCode === 202
			? 'a note that it accepted the request for later'
			: 'data that holds no project ID';
	}
	return `the ${typeof body} ${String(body)}`;
}

/** An attempt that ran past its Timeout, however the answer was coming along (or not at all). */
export class AttemptTimedOut extends Error {
	constructor(readonly cancelled: boolean) {
		super(cancelled ? 'The execution was cancelled' : 'The attempt ran past its timeout');
		this.name = 'AttemptTimedOut';
	}
}

/** What a thrown request error says, found on it or on its causes (n8n wraps the HTTP client's error). */
export function inspectThrown(error: unknown): {
	statusCode?: number;
	headers?: HeaderBag;
	body?: unknown;
	code?: string;
	message: string;
} {
	if (error instanceof AttemptTimedOut) return { code: 'TIMEOUT', message: error.message };
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
 * A success whose body did not arrive whole (the connection dropped mid-body): the HTTP client is left with a
 * fragment of JSON text, or with less than the Content-Length promised, or with nothing where something was
 * promised. The API may have committed, so it counts as a lost answer. A complete answer that is not what was
 * asked for (text, a web page, `null`, nothing at all with nothing promised) is not lost: the operation decides
 * what it means.
 */
export function isTruncatedSuccess(
	statusCode: number | undefined,
	headers: HeaderBag,
	body: unknown,
): boolean {
	if (statusCode === undefined || statusCode < 200 || statusCode >= 300 || statusCode === 204) return false;
	if (body !== null && typeof body === 'object') return false;
	const promised = Number(headerValue(headers, 'content-length'));
	const text = typeof body === 'string' ? body : body === null ? 'null' : '';
	if (Number.isFinite(promised) && promised > Buffer.byteLength(text, 'utf8')) return true;
	return /^\s*[[{]/.test(text);
}

/**
 * Where a 3xx points, for a message: the address without user name, password, query or fragment (they may hold
 * secrets or tokens), resolved against the address the request went to.
 */
export function redirectTarget(headers: HeaderBag, requestedUrl: string): string {
	const location = headerValue(headers, 'location');
	if (location === undefined || location.trim() === '') return '(no address given)';
	try {
		const target = new URL(location.trim(), requestedUrl);
		return `${target.protocol}//${target.host}${target.pathname}`;
	} catch {
		return '(an address that cannot be read)';
	}
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
		// The whole text: it is cleaned of secrets before it is cut for a message (see MAX_API_TEXT).
		return { apiMessage: html || body.trim() === '' ? undefined : body, html };
	}
	return { html: false };
}

/** How much of a text from the API a message quotes, after it has been cleaned of secrets. */
export const MAX_API_TEXT = 300;

export function quoteApiText(text: string): string {
	return text.length > MAX_API_TEXT ? `${text.slice(0, MAX_API_TEXT)}…` : text;
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
		if (code === 'EAUTH')
			return 'n8n could not get an access token: the token URL refused the client ID or secret';
		return `the connection failed (${code ?? 'network error'})`;
	}
	if (statusCode >= 300 && statusCode < 400) return `the API answered HTTP ${statusCode}, a redirect`;
	if (html)
		return `the API answered HTTP ${statusCode} with a web page instead of data, usually from a proxy or gateway in front of it`;
	return `the API answered HTTP ${statusCode}${apiMessage ? `: ${apiMessage}` : ''}`;
}
