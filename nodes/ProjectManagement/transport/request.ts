import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { HeaderBag } from '../reliability/headers';
import { headerValue } from '../reliability/headers';
import type { PaceTicket, Pacer, RateCeiling } from '../reliability/pacing';
import { HoldTooLong } from '../reliability/pacing';
import type { AttemptResult, RetryDecision, RetryPolicy } from '../reliability/retry';
import { decideRetry, mayHaveCommitted, settlesOutcome } from '../reliability/retry';
import { waitUntil } from '../reliability/waitUntil';
import type { Connection, Context } from './connection';
import { connectionOf, requestTarget, shownUrl } from './connection';
import type { ApiSuccess } from './response';
import {
	ApiCallFailure,
	AttemptTimedOut,
	describeAttempt,
	inspectThrown,
	isTruncatedSuccess,
	quoteApiText,
	readErrorBody,
	redirectTarget,
} from './response';
import { currentSecrets, redact } from './secrets';

/**
 * The only place that sends requests. Every call goes through n8n's `httpRequestWithAuthentication`, so that
 * n8n applies the credential (API key, or an OAuth2 token it fetches and refreshes on 401 itself), and every call
 * is retried here by the policy in reliability/retry.ts with the same idempotency key. Every attempt of a run
 * waits for its turn at the run's pacer (reliability/pacing.ts) and tells it what the API answered.
 *
 * Redirects are not followed: n8n's helper would send the credential to wherever the API points, and turn a
 * create into a read on 301, 302 and 303. A redirect ends the call with a message naming the address.
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
	/** The longest one attempt may take, from sending to the last byte of the answer (an OAuth2 token fetch included). */
	timeoutMs: number;
	policy: RetryPolicy;
	/** The API's pace, shared in the process (transport/sharedPace.ts); absent for the editor's dropdowns. */
	pacer?: Pacer;
	/** The run's own ceiling (Max Requests per Second), when the user set one. */
	ceiling?: RateCeiling;
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
	connection: Connection,
	options: IHttpRequestOptions,
): Promise<RawResponse> {
	const read = connection.credential ? { credentialsDecrypted: connection.credential } : undefined;
	return (await context.helpers.httpRequestWithAuthentication.call(
		context,
		connection.type,
		options,
		read,
	)) as RawResponse;
}

/**
 * One request, bounded end to end by `timeoutMs`: n8n's own timeout only notices a connection that goes quiet,
 * not an answer that trickles in byte by byte, nor an OAuth2 token endpoint that never answers. The deadline
 * aborts the request and ends the wait for it; the execution's cancellation does the same.
 */
async function sendWithin(
	context: Context,
	connection: Connection,
	options: IHttpRequestOptions,
	timeoutMs: number,
	cancel: AbortSignal | undefined,
): Promise<RawResponse> {
	const deadline = AbortSignal.timeout(timeoutMs);
	const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
	const ended = new Promise<never>((_resolve, reject) => {
		const stop = () => reject(new AttemptTimedOut(!deadline.aborted));
		if (signal.aborted) stop();
		else signal.addEventListener('abort', stop, { once: true });
	});
	const sending = send(context, connection, { ...options, abortSignal: signal });
	// Whichever loses the race is left to end on its own, without an unhandled rejection.
	ended.catch(() => undefined);
	sending.catch(() => undefined);
	return await Promise.race([sending, ended]);
}

/**
 * n8n before 2.x reads `ignoreHttpStatusErrors: {except: [401]}` as "ignore every status" and hands an OAuth2
 * 401 back instead of fetching a new token. Asked again with status errors on, its OAuth2 code sees the 401,
 * fetches a token and resends. A 401 was not carried out, so sending again is safe. Once per call.
 */
async function resendForNewToken(
	context: Context,
	connection: Connection,
	options: IHttpRequestOptions,
	timeoutMs: number,
	cancel: AbortSignal | undefined,
): Promise<RawResponse> {
	return await sendWithin(
		context,
		connection,
		{ ...options, ignoreHttpStatusErrors: false },
		timeoutMs,
		cancel,
	);
}

/**
 * The failure a call ends with, every text from the API cleaned of the credential's secrets before it is used
 * (and only then cut to length).
 */
async function failureOf(
	context: Context,
	seen: Attempt,
	decision: Extract<RetryDecision, { retry: false }> | { retry: true },
	facts: {
		attempt: number;
		waitedMs: number;
		rateLimited: number;
		rateLimitWaitedMs: number;
		unknown: boolean;
		idempotencyKey?: string;
		redirectedTo?: string;
		/** The API holds every request longer than the item may still wait (HoldTooLong). */
		holdMs?: number;
	},
): Promise<ApiCallFailure> {
	const secrets = await currentSecrets(context);
	const clean = (text: string | undefined) => (text === undefined ? undefined : redact(text, secrets));
	const errorBody = readErrorBody(seen.body);
	const apiMessage = clean(errorBody.apiMessage);
	const summary = describeAttempt(
		seen.statusCode,
		seen.code,
		apiMessage === undefined ? undefined : quoteApiText(apiMessage),
		errorBody.html,
	);
	const askedToWaitMs = facts.holdMs ?? (decision.retry ? undefined : decision.askedToWaitMs);
	const rateLimitStop = facts.holdMs !== undefined || (!decision.retry && decision.rateLimited === true);
	return new ApiCallFailure(clean(summary) as string, {
		statusCode: seen.statusCode,
		apiCode: clean(errorBody.apiCode),
		apiMessage,
		fieldErrors: errorBody.fieldErrors?.map((problem) => ({
			field: redact(problem.field, secrets),
			message: redact(problem.message, secrets),
		})),
		retryable: decision.retry || decision.retryable,
		outcomeUnknown: facts.unknown,
		attempts: facts.attempt,
		waitedMs: facts.waitedMs,
		idempotencyKey: facts.idempotencyKey,
		redirectedTo: clean(facts.redirectedTo),
		tokenRefused: seen.code === 'EAUTH' ? true : undefined,
		askedToWaitSeconds: askedToWaitMs === undefined ? undefined : Math.ceil(askedToWaitMs / 1000),
		rateLimited: facts.rateLimited,
		rateLimitWaitedSeconds: rateLimitStop ? Math.round(facts.rateLimitWaitedMs / 1000) : undefined,
	});
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
	const cancel = 'getExecutionCancelSignal' in this ? this.getExecutionCancelSignal() : undefined;

	let waitedMs = 0;
	// Attempts count errors; a rate limit that says when to come back is a wait (counted in rateLimited) instead.
	let attempt = 1;
	let rateLimited = 0;
	let rateLimitWaitedMs = 0;
	// Whether some attempt so far may have been carried out by the API without an answer reaching us.
	let maybeCommitted = false;
	let tokenRenewalAsked = false;
	for (;;) {
		if (settings.ceiling) waitedMs += await settings.ceiling.take();
		let ticket: PaceTicket | undefined;
		if (settings.pacer) {
			const left = settings.policy.maxRateLimitWaitMs - rateLimitWaitedMs;
			const turn = await settle(settings.pacer.acquire(left));
			if ('failure' in turn) {
				if (!(turn.failure instanceof HoldTooLong)) throw turn.failure;
				const facts = { attempt, waitedMs, rateLimited, rateLimitWaitedMs, unknown: maybeCommitted };
				const stop = { retry: false as const, reason: 'rate limit', retryable: true };
				throw await failureOf(this, { headers: {}, thrownMessage: '', statusCode: 429 }, stop, {
					...facts,
					idempotencyKey: call.idempotencyKey,
					holdMs: turn.failure.holdMs,
				});
			}
			ticket = turn.value;
			waitedMs += ticket.waitedMs;
			rateLimitWaitedMs += ticket.heldMs;
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
			disableFollowRedirect: true,
			// Every status comes back as a response to decide on, except 401: that one must reach n8n's OAuth2
			// code as an error, which fetches a new token and sends the request once more.
			ignoreHttpStatusErrors: { ignore: true, except: [401] },
		};

		const seen: Attempt = { headers: {}, thrownMessage: '' };
		try {
			let response = await sendWithin(this, connection, options, settings.timeoutMs, cancel);
			if (
				response.statusCode === 401 &&
				connection.type === 'projectManagementOAuth2Api' &&
				!tokenRenewalAsked
			) {
				tokenRenewalAsked = true;
				response = await resendForNewToken(this, connection, options, settings.timeoutMs, cancel);
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

		if (isTruncatedSuccess(seen.statusCode, seen.headers, seen.body)) {
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
				rateLimited,
			};
		}

		const facts = { attempt, waitedMs, rateLimited, rateLimitWaitedMs, idempotencyKey: call.idempotencyKey };
		if (statusCode !== undefined && statusCode >= 300 && statusCode < 400) {
			// A redirect did nothing with the request; following it is not this node's call to make.
			const redirectedTo = redirectTarget(seen.headers, shownUrl(connection, call.path));
			throw await failureOf(
				this,
				seen,
				{ retry: false, reason: 'redirect', retryable: false },
				{
					...facts,
					unknown: maybeCommitted,
					redirectedTo,
				},
			);
		}

		const apiCode = readErrorBody(seen.body).apiCode;
		let result: AttemptResult;
		if (statusCode !== undefined) {
			result = { kind: 'response', statusCode, headers: seen.headers, errorCode: apiCode };
		} else if (code !== undefined) {
			result = { kind: 'network', code };
		} else {
			// Neither an HTTP answer nor a network failure: a configuration problem. Retrying would not change it;
			// an earlier attempt may still have been carried out.
			const secrets = await currentSecrets(this);
			throw new ApiCallFailure(redact(`The request could not be sent: ${seen.thrownMessage}`, secrets), {
				retryable: false,
				outcomeUnknown: maybeCommitted,
				attempts: attempt,
				waitedMs,
				idempotencyKey: call.idempotencyKey,
				rateLimited,
			});
		}

		if (mayHaveCommitted(result)) maybeCommitted = true;

		const decision = decideRetry(
			result,
			{ attempt, rateLimitWaitedMs, rateLimitWaits: rateLimited },
			settings.policy,
			Date.now(),
			Math.random,
		);
		if (!decision.retry || cancel?.aborted) {
			// "Unknown" unless the last answer proves that no attempt created anything (see settlesOutcome).
			throw await failureOf(this, seen, decision, {
				...facts,
				unknown: maybeCommitted && !settlesOutcome(result),
			});
		}
		const waitStarted = Date.now();
		await waitUntil(waitStarted + decision.delayMs, Date.now, sleep);
		const waited = Date.now() - waitStarted;
		waitedMs += waited;
		if (decision.rateLimited) {
			rateLimited++;
			rateLimitWaitedMs += waited;
		} else {
			attempt++;
		}
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
