import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { HeaderBag } from '../reliability/headers';
import { headerValue } from '../reliability/headers';
import type { PaceTicket, Pacer } from '../reliability/pacing';
import type { AttemptResult, RetryPolicy } from '../reliability/retry';
import { decideRetry, mayHaveCommitted, settlesOutcome } from '../reliability/retry';
import { waitUntil } from '../reliability/waitUntil';
import type { Connection, Context, CredentialType } from './connection';
import { connectionOf, requestTarget } from './connection';
import type { ApiSuccess } from './response';
import {
	ApiCallFailure,
	describeAttempt,
	inspectThrown,
	isTruncatedSuccess,
	readErrorBody,
} from './response';
import { currentSecrets, redact } from './secrets';

/**
 * The only place that sends requests. Every call goes through n8n's `httpRequestWithAuthentication`, so that
 * n8n applies the credential (API key header, or an OAuth2 token it fetches and refreshes on 401 itself), and
 * every call is retried here by the policy in reliability/retry.ts with the same idempotency key. Every attempt
 * of a run waits for its turn at the run's pacer (reliability/pacing.ts) and tells it what the API answered.
 */

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

interface RawResponse {
	statusCode: number;
	headers: HeaderBag;
	body: unknown;
}

/** One attempt as it came back: an HTTP answer, a network failure, or neither (a configuration problem). */
interface Attempt {
	statusCode?: number;
	headers: HeaderBag;
	body?: unknown;
	code?: string;
	thrownMessage: string;
}

async function send(
	context: Context,
	type: CredentialType,
	options: IHttpRequestOptions,
): Promise<RawResponse> {
	return (await context.helpers.httpRequestWithAuthentication.call(context, type, options)) as RawResponse;
}

/**
 * n8n before 2.x reads `ignoreHttpStatusErrors: {except: [401]}` as "ignore every status" and hands an OAuth2
 * 401 back instead of fetching a new token. Asked again with status errors on, its OAuth2 code sees the 401,
 * fetches a token and resends. A 401 was not carried out, so sending again is safe. Once per call.
 */
async function resendForNewToken(
	context: Context,
	type: CredentialType,
	options: IHttpRequestOptions,
): Promise<RawResponse> {
	return await send(context, type, { ...options, ignoreHttpStatusErrors: false });
}

/**
 * Sends one API call, retrying what can safely be retried. Resolves with the successful response; rejects
 * with ApiCallFailure, whose message is safe to show (no headers, keys or tokens).
 */
export async function apiRequest(this: Context, call: ApiCall, settings: CallSettings): Promise<ApiSuccess> {
	const connection: Connection = await connectionOf(this);
	const headers: IDataObject = { Accept: 'application/json' };
	if (call.idempotencyKey) headers['Idempotency-Key'] = call.idempotencyKey;
	if ('getExecutionId' in this) headers['X-N8N-Execution-Id'] = this.getExecutionId();
	const signal = 'getExecutionCancelSignal' in this ? this.getExecutionCancelSignal() : undefined;

	let waitedMs = 0;
	// Whether some attempt so far may have been carried out by the API without an answer reaching us.
	let maybeCommitted = false;
	let tokenRenewalAsked = false;
	for (let attempt = 1; ; attempt++) {
		let ticket: PaceTicket | undefined;
		if (settings.pacer) {
			ticket = await settings.pacer.acquire();
			waitedMs += ticket.waitedMs;
		}
		const options: IHttpRequestOptions = {
			method: call.method,
			...requestTarget(connection, call.path),
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

		const seen: Attempt = { headers: {}, thrownMessage: '' };
		try {
			let response = await send(this, connection.type, options);
			if (
				response.statusCode === 401 &&
				connection.type === 'projectManagementOAuth2Api' &&
				!tokenRenewalAsked
			) {
				tokenRenewalAsked = true;
				response = await resendForNewToken(this, connection.type, options);
			}
			seen.statusCode = response.statusCode;
			seen.headers = response.headers ?? {};
			seen.body = response.body;
		} catch (error) {
			const thrown = inspectThrown(error);
			seen.statusCode = thrown.statusCode;
			seen.headers = thrown.headers ?? {};
			seen.body = thrown.body;
			seen.code = thrown.code;
			seen.thrownMessage = thrown.message;
		}
		settings.pacer?.observe(ticket, seen.statusCode, seen.headers);

		if (isTruncatedSuccess(seen.statusCode, seen.body)) {
			seen.statusCode = undefined;
			seen.code = 'TRUNCATED_BODY';
		}
		const { statusCode, code } = seen;

		if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) {
			return {
				statusCode,
				body: seen.body,
				headers: seen.headers,
				attempts: attempt,
				waitedMs,
				replayed: headerValue(seen.headers, 'idempotent-replayed') === 'true',
			};
		}

		const errorBody = readErrorBody(seen.body);
		let result: AttemptResult;
		if (statusCode !== undefined) {
			result = { kind: 'response', statusCode, headers: seen.headers, errorCode: errorBody.apiCode };
		} else if (code !== undefined) {
			result = { kind: 'network', code };
		} else {
			// Neither an HTTP answer nor a network failure: a configuration problem, such as a token
			// endpoint that refused the client. Retrying would not change it; an earlier attempt may still
			// have been carried out.
			throw new ApiCallFailure(
				redact(`The request could not be sent: ${seen.thrownMessage}`, await currentSecrets(this)),
				{
					retryable: false,
					outcomeUnknown: maybeCommitted,
					attempts: attempt,
					waitedMs,
					idempotencyKey: call.idempotencyKey,
				},
			);
		}

		if (mayHaveCommitted(result)) maybeCommitted = true;

		const decision = decideRetry(result, attempt, settings.policy, Date.now(), Math.random);
		if (!decision.retry || signal?.aborted) {
			const summary = describeAttempt(statusCode, code, errorBody.apiMessage, errorBody.html);
			// "Unknown" unless the last answer proves that no attempt created anything (see settlesOutcome).
			const unknown = maybeCommitted && !settlesOutcome(result);
			const hidden = await currentSecrets(this);
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

/**
 * A call's result or its failure as a value, so that an expected answer such as 404 or a taken name is handled
 * where it is expected. Every other failure is thrown on as it is and ends in the router (actions/failures.ts),
 * which turns it into the message for the user.
 */
export async function settle<T>(promise: Promise<T>): Promise<{ value: T } | { failure: unknown }> {
	try {
		return { value: await promise };
	} catch (failure) {
		return { failure };
	}
}
