import { randomBytes } from 'node:crypto';

import type { EventType } from './events';
import { newSecret } from './signature';

export interface Subscription {
	id: string;
	clientId: string;
	url: string;
	events: EventType[];
	/** Shown once, in the answer of POST /webhooks. */
	secret: string;
	createdAt: string;
	/** Creation order: the list's cursor key. */
	seq: number;
}

/** What GET /webhooks shows: never the secret. */
export interface PublicSubscription {
	id: string;
	url: string;
	events: EventType[];
	createdAt: string;
}

export function publicSubscription(subscription: Subscription): PublicSubscription {
	const { id, url, events, createdAt } = subscription;
	return { id, url, events: [...events], createdAt };
}

/** Subscriptions of every client; each client sees and deletes only its own. */
export class SubscriptionStore {
	private readonly byId = new Map<string, Subscription>();
	private seq = 0;

	get size(): number {
		return this.byId.size;
	}

	create(clientId: string, url: string, events: EventType[]): Subscription {
		const subscription: Subscription = {
			id: `whk_${randomBytes(6).toString('hex')}`,
			clientId,
			url,
			events: [...events],
			secret: newSecret(),
			createdAt: new Date().toISOString(),
			seq: ++this.seq,
		};
		this.byId.set(subscription.id, subscription);
		return subscription;
	}

	get(id: string): Subscription | undefined {
		return this.byId.get(id);
	}

	/** A client's own subscription, or undefined (also when it belongs to another client). */
	getOwn(clientId: string, id: string): Subscription | undefined {
		const subscription = this.byId.get(id);
		return subscription?.clientId === clientId ? subscription : undefined;
	}

	/** A client's subscriptions in creation order. */
	listOwn(clientId: string): Subscription[] {
		return [...this.byId.values()].filter((subscription) => subscription.clientId === clientId);
	}

	matching(type: EventType): Subscription[] {
		return [...this.byId.values()].filter((subscription) => subscription.events.includes(type));
	}

	delete(id: string): boolean {
		return this.byId.delete(id);
	}

	countByClient(): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const { clientId } of this.byId.values()) counts[clientId] = (counts[clientId] ?? 0) + 1;
		return counts;
	}

	clear(): void {
		this.byId.clear();
	}
}
