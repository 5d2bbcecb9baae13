import type { IDataObject } from 'n8n-workflow';

import type { SeenEvents } from '../delivery/seenEvents';
import { readSeenEvents } from '../delivery/seenEvents';
import { isSigningSecret } from '../delivery/signature';

/**
 * What the trigger keeps in the workflow's static data (`getWorkflowStaticData('node')`), which n8n stores with
 * the workflow and hands back on every activation and delivery: the subscription at the API, its signing secret
 * (shown by the API only once, when the subscription is made), and the event ids taken lately. Nothing of it
 * goes into an output item or a log line. Static data of a test run ("Listen for test event") is its own and ends
 * with the run.
 */

export interface StoredSubscription {
	id: string;
	secret: string;
	/** The address the API delivers to, and the events, as subscribed. */
	url: string;
	events: string[];
}

const KEYS = ['subscriptionId', 'secret', 'url', 'events'] as const;

/** The subscription this trigger made, when static data holds all of it. */
export function storedSubscription(staticData: IDataObject): StoredSubscription | undefined {
	const { subscriptionId, secret, url, events } = staticData;
	if (typeof subscriptionId !== 'string' || subscriptionId === '') return undefined;
	if (!isSigningSecret(secret) || typeof url !== 'string' || !Array.isArray(events)) return undefined;
	return { id: subscriptionId, secret, url, events: events.map(String) };
}

/** The id of a subscription this trigger made, also when the rest of what was kept is missing. */
export function storedSubscriptionId(staticData: IDataObject): string | undefined {
	const id = staticData.subscriptionId;
	return typeof id === 'string' && id !== '' ? id : undefined;
}

export function storeSubscription(staticData: IDataObject, subscription: StoredSubscription): void {
	staticData.subscriptionId = subscription.id;
	staticData.secret = subscription.secret;
	staticData.url = subscription.url;
	staticData.events = [...subscription.events];
}

export function forgetSubscription(staticData: IDataObject): void {
	for (const key of KEYS) delete staticData[key];
}

export function seenEventsOf(staticData: IDataObject): SeenEvents {
	return readSeenEvents(staticData.seenEvents);
}

/** Replaces the record (a new list each time: n8n notices assignments, not changes inside a list). */
export function storeSeenEvents(staticData: IDataObject, seen: SeenEvents): void {
	staticData.seenEvents = seen as unknown as IDataObject[];
}
