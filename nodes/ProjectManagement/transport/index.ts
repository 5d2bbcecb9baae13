import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { PaceTicket, Pacer } from '../helpers/pacing';
import type { AttemptResult, HeaderBag, RetryPolicy } from '../helpers/retry';
import { decideRetry, headerValue, mayHaveCommitted, settlesOutcome, waitUntil } from '../helpers/retry';

/**
 * The only place that talks HTTP. Every call goes through n8n's `httpRequestWithAuthentication`, so that
 * n8n applies the credential (API key header, or an OAuth2 token it fetches and refreshes on 401 itself), and
 * every call is retried here by the policy in helpers/retry.ts with the same idempotency key. Every attempt of
 * a run waits for its turn at the run's pacer (helpers/pacing.ts) and tells it what the API answered.
 */

export type CredentialType = 'projectManagementApi' | 'projectManagementOAuth2Api';

export const API_PATH = '/api/v1';

export interface ApiCall {
	method: IHttpRequestMethods;
	/** Path below /api/v1, e.g. `/projects`. */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	idempotencyKey?: string;
}

export interface CallSettings {
	timeoutMs: number;
	policy: RetryPolicy;
	/** Shared by all items of one run of the node; absent for the editor's dropdowns. */
	pacer?: Pacer;
}

export interface ApiSuccess {
	statusCode: number;
	body: unknown;
	headers: HeaderBag;
	attempts: number;
	waitedMs: number;
	/** The API answered from its idempotency store: the work was done by an earlier request. */
	replayed: boolean;
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
			fieldErrors?: Array<{ field: string; message: string }>;
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
}

type Context = IExecuteFunctions | ILoadOptionsFunctions;

/** The credential chosen in the node's Authentication parameter. */
export function credentialType(context: Context): CredentialType {
	// The editor's dropdown methods read parameters without an item index; a workflow run reads item 0.
	const value =
		'getInputData' in context
			? context.getNodeParameter('authentication', 0, 'projectManagementApi')
			: context.getNodeParameter('authentication', 'projectManagementApi');
	return value === 'projectManagementOAuth2Api' ? value : 'projectManagementApi';
}

/**
 * The credential type and the API's base URL, read once per run of the node (per context object, which n8n
 * creates for each run) rather than for every request: reading a credential decrypts it and resolves its
 * expressions, which costs more than the request itself on a fast API. Keys and tokens are not kept: they are
 * read again when a message has to be cleaned of them, so that a token refreshed during the run is covered.
 */
const connections = new WeakMap<Context, Promise<{ type: CredentialType; baseUrl: string }>>();

function connectionOf(context: Context): Promise<{ type: CredentialType; baseUrl: string }> {
	let connection = connections.get(context);
	if (connection === undefined) {
		const type = credentialType(context);
		connection = context.getCredentials(type).then((credentials) => ({
			type,
			baseUrl: String(credentials.baseUrl ?? '')
				.trim()
				.replace(/\/+$/, ''),
		}));
		// A failed read is not kept: the next request tries again and reports its own error.
		connection.catch(() => connections.delete(context));
		connections.set(context, connection);
	}
	return connection;
}

/** Credential values that must never appear in a message: keys, secrets, tokens. */
function secretsOf(credentials: IDataObject): string[] {
	const secrets: string[] = [];
	for (const name of ['apiKey', 'clientSecret']) {
		const value = credentials[name];
		if (typeof value === 'string' && value.length >= 4) secrets.push(value);
	}
	const token = (credentials.oauthTokenData as IDataObject | undefined)?.access_token;
	if (typeof token === 'string' && token.length >= 4) secrets.push(token);
	return secrets;
}

export function redact(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) result = result.split(secret).join('[redacted]');
	return result;
}

/** What a thrown request error says, found on it or on its causes (n8n wraps the HTTP client's error). */
function inspectThrown(error: unknown): {
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

/** The API's error body, `{code, message, details}`, or a description of a body that is not one. */
function readErrorBody(body: unknown): {
	apiCode?: string;
	apiMessage?: string;
	fieldErrors?: Array<{ field: string; message: string }>;
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
function describeAttempt(
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

/**
 * Sends one API call, retrying what can safely be retried. Resolves with the successful response; rejects
 * with ApiCallFailure, whose message is safe to show (no headers, keys or tokens).
 */
export async function apiRequest(this: Context, call: ApiCall, settings: CallSettings): Promise<ApiSuccess> {
	const { type, baseUrl } = await connectionOf(this);
	const secrets = async () => secretsOf(await this.getCredentials(type));
	const headers: IDataObject = { Accept: 'application/json' };
	if (call.idempotencyKey) headers['Idempotency-Key'] = call.idempotencyKey;
	if ('getExecutionId' in this) headers['X-N8N-Execution-Id'] = this.getExecutionId();
	const signal = 'getExecutionCancelSignal' in this ? this.getExecutionCancelSignal() : undefined;

	let waitedMs = 0;
	// Whether some attempt so far may have been carried out by the API without an answer reaching us.
	let maybeCommitted = false;
	let tokenRefreshAsked = false;
	for (let attempt = 1; ; attempt++) {
		let ticket: PaceTicket | undefined;
		if (settings.pacer) {
			ticket = await settings.pacer.acquire();
			waitedMs += ticket.waitedMs;
		}
		const options: IHttpRequestOptions = {
			method: call.method,
			baseURL: `${baseUrl}${API_PATH}`,
			url: call.path,
			headers: { ...headers },
			qs: call.qs,
			body: call.body,
			json: true,
			timeout: settings.timeoutMs,
			returnFullResponse: true,
			// Every status comes back as a response to decide on, except 401: that one must reach n8n's OAuth2
			// code as an error, which fetches a new token and sends the request once more.
			ignoreHttpStatusErrors: { ignore: true, except: [401] },
		};

		let statusCode: number | undefined;
		let responseHeaders: HeaderBag = {};
		let body: unknown;
		let code: string | undefined;
		let thrownMessage = '';
		try {
			const send = async (sent: IHttpRequestOptions) =>
				(await this.helpers.httpRequestWithAuthentication.call(this, type, sent)) as {
					statusCode: number;
					headers: HeaderBag;
					body: unknown;
				};
			let response = await send(options);
			if (response.statusCode === 401 && type === 'projectManagementOAuth2Api' && !tokenRefreshAsked) {
				// n8n before 2.x reads `except` as "ignore every status" and hands the 401 back instead of
				// fetching a new token. Asked again with status errors on, its OAuth2 code sees the 401, fetches
				// a token and resends. A 401 was not carried out, so sending again is safe.
				tokenRefreshAsked = true;
				response = await send({ ...options, ignoreHttpStatusErrors: false });
			}
			statusCode = response.statusCode;
			responseHeaders = response.headers ?? {};
			body = response.body;
		} catch (error) {
			const seen = inspectThrown(error);
			statusCode = seen.statusCode;
			responseHeaders = seen.headers ?? {};
			body = seen.body;
			code = seen.code;
			thrownMessage = seen.message;
		}
		settings.pacer?.observe(ticket, statusCode, responseHeaders);

		// A success whose JSON body did not arrive whole (the connection dropped mid-body) leaves the HTTP client
		// with a fragment of text or nothing: the API may have committed, so it counts as a lost answer.
		const bodyMissing = body === null || typeof body !== 'object';
		if (statusCode !== undefined && statusCode < 300 && statusCode !== 204 && bodyMissing) {
			statusCode = undefined;
			code = 'TRUNCATED_BODY';
		}

		if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) {
			return {
				statusCode,
				body,
				headers: responseHeaders,
				attempts: attempt,
				waitedMs,
				replayed: headerValue(responseHeaders, 'idempotent-replayed') === 'true',
			};
		}

		const errorBody = readErrorBody(body);
		let result: AttemptResult;
		if (statusCode !== undefined) {
			result = { kind: 'response', statusCode, headers: responseHeaders, errorCode: errorBody.apiCode };
		} else if (code !== undefined) {
			result = { kind: 'network', code };
		} else {
			// Neither an HTTP answer nor a network failure: a configuration problem, such as a token
			// endpoint that refused the client. Retrying would not change it; an earlier attempt may still
			// have been carried out.
			throw new ApiCallFailure(redact(`The request could not be sent: ${thrownMessage}`, await secrets()), {
				retryable: false,
				outcomeUnknown: maybeCommitted,
				attempts: attempt,
				waitedMs,
				idempotencyKey: call.idempotencyKey,
			});
		}

		if (mayHaveCommitted(result)) maybeCommitted = true;

		const decision = decideRetry(result, attempt, settings.policy, Date.now(), Math.random);
		if (!decision.retry || signal?.aborted) {
			const summary = describeAttempt(statusCode, code, errorBody.apiMessage, errorBody.html);
			// "Unknown" unless the last answer proves that no attempt created anything (see settlesOutcome).
			const unknown = maybeCommitted && !settlesOutcome(result);
			const hidden = await secrets();
			throw new ApiCallFailure(redact(summary, hidden), {
				statusCode,
				apiCode: errorBody.apiCode,
				apiMessage: errorBody.apiMessage === undefined ? undefined : redact(errorBody.apiMessage, hidden),
				fieldErrors: errorBody.fieldErrors,
				retryable: decision.retry || decision.retryable,
				outcomeUnknown: unknown,
				attempts: attempt,
				waitedMs,
				idempotencyKey: call.idempotencyKey,
			});
		}
		const waitStarted = Date.now();
		await waitUntil(waitStarted + decision.delayMs, Date.now, sleep);
		waitedMs += Date.now() - waitStarted;
	}
}
