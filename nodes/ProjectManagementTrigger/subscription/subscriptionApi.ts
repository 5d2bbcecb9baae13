import type { IDataObject, IHookFunctions } from 'n8n-workflow';

import { DEFAULT_RETRY_POLICY } from '../../ProjectManagement/reliability/retry';
import { asPage, paginate } from '../../ProjectManagement/transport/paginate';
import type { CallSettings } from '../../ProjectManagement/transport/request';
import { apiRequest, settle } from '../../ProjectManagement/transport/request';
import { UnexpectedAnswer, describeBody, isNotFound } from '../../ProjectManagement/transport/response';
import { isSigningSecret } from '../delivery/signature';

/**
 * The API's webhook subscriptions (`/webhooks`, scope webhooks:write), through the package's transport: the
 * credential applied by n8n, retries on a busy or unreachable API, redirects not followed, secrets kept out of
 * every message. A subscription belongs to the credential's client; the list shows only that client's own.
 */

/** Activating a workflow waits on these calls: fewer and shorter retries than a workflow run's. */
const SUBSCRIPTION_CALLS: CallSettings = {
	timeoutMs: 30_000,
	policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, maxWaitMs: 10_000, maxRateLimitWaitMs: 60_000 },
};

/** More subscriptions than this for one client are not looked through. */
const MAX_SUBSCRIPTIONS = 10_000;

export interface Subscription {
	id: string;
	url: string;
	events: string[];
}

function asSubscription(entry: IDataObject): Subscription | undefined {
	const { id, url, events } = entry;
	if (typeof id !== 'string' || typeof url !== 'string') return undefined;
	return { id, url, events: Array.isArray(events) ? events.map(String) : [] };
}

/** Every subscription of the credential's client, oldest first. */
export async function listSubscriptions(this: IHookFunctions): Promise<Subscription[]> {
	const entries = await paginate(
		async (cursor) => {
			const qs: IDataObject = { limit: 100, ...(cursor ? { cursor } : {}) };
			return asPage(
				await apiRequest.call(this, { method: 'GET', path: '/webhooks', qs }, SUBSCRIPTION_CALLS),
			);
		},
		MAX_SUBSCRIPTIONS,
		MAX_SUBSCRIPTIONS / 100,
	);
	return entries.map(asSubscription).filter((entry): entry is Subscription => entry !== undefined);
}

/** A new subscription, with its signing secret (which the API shows only in this answer). */
export async function createSubscription(
	this: IHookFunctions,
	url: string,
	events: string[],
): Promise<Subscription & { secret: string }> {
	const response = await apiRequest.call(
		this,
		{ method: 'POST', path: '/webhooks', body: { url, events } },
		SUBSCRIPTION_CALLS,
	);
	const body = response.body;
	const isData = body !== null && typeof body === 'object' && !Array.isArray(body);
	const created = isData ? asSubscription(body as IDataObject) : undefined;
	const secret = isData ? (body as IDataObject).secret : undefined;
	if (created === undefined || !isSigningSecret(secret)) {
		throw new UnexpectedAnswer(
			response.statusCode,
			isData ? 'data without a subscription ID and signing secret' : describeBody(response.statusCode, body),
			'the new subscription',
			response,
		);
	}
	return { ...created, secret };
}

/** Deletes a subscription; one the API does not know (any more) counts as deleted. */
export async function deleteSubscription(this: IHookFunctions, id: string): Promise<'deleted' | 'notFound'> {
	const result = await settle(
		apiRequest.call(
			this,
			{ method: 'DELETE', path: `/webhooks/${encodeURIComponent(id)}` },
			SUBSCRIPTION_CALLS,
		),
	);
	if ('value' in result) return 'deleted';
	if (isNotFound(result.failure)) return 'notFound';
	throw result.failure;
}
