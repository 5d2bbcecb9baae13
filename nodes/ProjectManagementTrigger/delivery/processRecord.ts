import type { SeenEvents } from './seenEvents';
import { wasSeen, withSeen } from './seenEvents';

/**
 * The record of event ids taken, also kept in this n8n process's memory, beside the one in static data.
 *
 * n8n 2.x does not save the static data a webhook function changed when that delivery starts an execution: before
 * it saves, preparing the execution wraps the same static data object again and clears its "changed" mark
 * (WorkflowRunner.establishContextForPersistence, seen in n8n 2.41). A redelivery of that event would then find
 * no trace of it. n8n loads a node's module once per process, so this record, kept per subscription, catches
 * those redeliveries for as long as the process runs; static data still holds the record where n8n saves it
 * (n8n 1.x, and deliveries that start nothing). Checking and recording happen without an `await` between them,
 * so two deliveries of one event at the same moment cannot both pass in one n8n process at once.
 *
 * Bounded like static data's record (seenEvents.ts), and at most MAX_SUBSCRIPTIONS subscriptions, the least
 * recently used forgotten first. It holds event ids and times only, never a secret, and starts no timer.
 */

export const MAX_SUBSCRIPTIONS = 200;

const records = new Map<string, SeenEvents>();

/** Whether the event was taken for this subscription lately (in this process), and records it if not. */
export function takeInProcess(subscription: string, eventId: string, nowMs: number): 'new' | 'seen' {
	const seen = records.get(subscription) ?? [];
	records.delete(subscription);
	if (wasSeen(seen, eventId, nowMs)) {
		records.set(subscription, seen);
		return 'seen';
	}
	records.set(subscription, withSeen(seen, eventId, nowMs));
	while (records.size > MAX_SUBSCRIPTIONS) records.delete(records.keys().next().value as string);
	return 'new';
}

/** Forgets every subscription's record: for tests that stand for a restarted n8n. */
export function forgetInProcess(): void {
	records.clear();
}
