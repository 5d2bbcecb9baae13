import type { IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ApiCallFailure, UnexpectedAnswer } from '../../ProjectManagement/transport/response';
import { selectedEvents } from '../descriptions/triggerFields';
import type { Subscription } from './subscriptionApi';
import { createSubscription, deleteSubscription, listSubscriptions } from './subscriptionApi';
import {
	forgetSubscription,
	storeSubscription,
	storedSubscription,
	storedSubscriptionId,
} from './subscriptionStore';

/**
 * n8n's webhook set-up for the trigger (`webhookMethods.default`). n8n calls `checkExists` when the workflow is
 * activated (and when "Listen for test event" starts, with the test address), then `create` if it answered false;
 * `delete` when the workflow is deactivated (or the test listening ends).
 *
 * One subscription per address: the API shows a subscription's signing secret only when it is made, so a
 * subscription for this address whose secret the workflow does not hold (static data lost, a copy of the
 * workflow, an earlier create whose answer got lost) cannot be verified against. `create` deletes every
 * subscription for the address and makes a new one, rather than stacking another beside it.
 */

function webhookUrl(this: IHookFunctions): string {
	const url = this.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(this.getNode(), 'n8n gave no webhook address for this trigger');
	return url;
}

const sameEvents = (a: string[], b: string[]) =>
	a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');

/** A failed call turned into what n8n shows when the workflow cannot be activated. */
function subscriptionError(this: IHookFunctions, action: string, error: unknown): NodeOperationError {
	const node = this.getNode();
	if (error instanceof ApiCallFailure) {
		const { statusCode } = error.details;
		if (statusCode === 401) {
			return new NodeOperationError(
				node,
				`Could not ${action}: the API did not accept the credentials (HTTP 401)`,
				{ description: 'Open the credential and check it with its Test button.' },
			);
		}
		if (statusCode === 403) {
			return new NodeOperationError(
				node,
				`Could not ${action}: the credential is not allowed to manage webhooks (it needs the webhooks:write permission)`,
				{
					description:
						'For OAuth2, add webhooks:write to the Scope of the credential; for an API key, ask the administrator of the project-management system to grant it.',
				},
			);
		}
		return new NodeOperationError(node, `Could not ${action}: ${error.message}`, {
			description: 'Check the Base URL in the credential, or try again in a moment.',
		});
	}
	if (error instanceof UnexpectedAnswer) {
		return new NodeOperationError(node, `Could not ${action}: ${error.message}`, {
			description: "Check that the credential's Base URL is the project-management system's address.",
		});
	}
	if (error instanceof NodeOperationError) return error;
	const text = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, `Could not ${action}: ${text}`);
}

async function attempt<T>(context: IHookFunctions, action: string, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		throw subscriptionError.call(context, action, error);
	}
}

/**
 * Whether the subscription this workflow made is still at the API, for this address and these events, with its
 * secret at hand. A subscription that is gone is forgotten; one for other events or another address is left
 * for `create` to replace.
 */
export async function subscriptionExists(this: IHookFunctions): Promise<boolean> {
	const staticData = this.getWorkflowStaticData('node');
	const stored = storedSubscription(staticData);
	if (stored === undefined) return false;
	const subscriptions = await attempt(this, 'check the webhook subscription', async () =>
		listSubscriptions.call(this),
	);
	const current = subscriptions.find((subscription) => subscription.id === stored.id);
	if (current === undefined) {
		forgetSubscription(staticData);
		return false;
	}
	return current.url === webhookUrl.call(this) && sameEvents(current.events, selectedEvents.call(this));
}

/** Replaces whatever subscription exists for this address with a new one, and keeps its secret. */
export async function subscribe(this: IHookFunctions): Promise<boolean> {
	const staticData = this.getWorkflowStaticData('node');
	const url = webhookUrl.call(this);
	const events = selectedEvents.call(this);
	const storedId = storedSubscriptionId(staticData);
	const isOurs = (subscription: Subscription) => subscription.url === url || subscription.id === storedId;

	await attempt(this, 'replace the earlier webhook subscription', async () => {
		for (const subscription of (await listSubscriptions.call(this)).filter(isOurs)) {
			await deleteSubscription.call(this, subscription.id);
		}
	});
	forgetSubscription(staticData);

	const created = await attempt(this, 'subscribe to project events', async () =>
		createSubscription.call(this, url, events),
	);
	storeSubscription(staticData, { id: created.id, secret: created.secret, url, events: created.events });

	// A create retried after its answer was lost may have left a second subscription for this address.
	await attempt(this, 'subscribe to project events', async () => {
		for (const subscription of await listSubscriptions.call(this)) {
			if (subscription.url === url && subscription.id !== created.id) {
				await deleteSubscription.call(this, subscription.id);
			}
		}
	});
	return true;
}

/**
 * Deletes this workflow's subscription, and any other for its address. When the API cannot be reached, the
 * workflow is deactivated all the same and the subscription is kept in mind: the next activation replaces it.
 */
export async function unsubscribe(this: IHookFunctions): Promise<boolean> {
	const staticData = this.getWorkflowStaticData('node');
	const url = webhookUrl.call(this);
	const storedId = storedSubscriptionId(staticData);
	try {
		const subscriptions = await listSubscriptions.call(this);
		const ours = subscriptions.filter(
			(subscription) => subscription.url === url || subscription.id === storedId,
		);
		for (const subscription of ours) await deleteSubscription.call(this, subscription.id);
	} catch (error) {
		const failure = subscriptionError.call(this, 'delete the webhook subscription', error);
		this.logger.warn(`Project Management Trigger: ${failure.message}`, {
			workflowId: this.getWorkflow().id,
			node: this.getNode().name,
		});
		return false;
	}
	forgetSubscription(staticData);
	return true;
}
