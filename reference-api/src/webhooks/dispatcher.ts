import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { WEBHOOK_FAULT_CLASSES, type WebhookFaultClass, type WebhookOptions } from '../config';
import { Prng } from '../prng';
import type { Sleeper } from '../sleeper';
import type { EventType, WebhookEvent } from './events';
import { newSecret, signatureOf } from './signature';
import { SubscriptionStore, type Subscription } from './subscriptions';

/** How a send is signed: with the subscription's secret, with a wrong one, or correctly but long ago. */
export type Signing = 'valid' | 'forged' | 'stale';

/** One attempt to deliver one event to one subscription, as `GET /_admin/webhooks/deliveries` lists it. */
export interface DeliveryLogEntry {
	seq: number;
	/** When the attempt was sent and when it ended (answer, error or timeout), ms since the epoch. */
	sentAt: number;
	at: number;
	eventId: string;
	type: EventType;
	subscriptionId: string;
	clientId: string;
	/** The target URL. */
	url: string;
	/** 1 for the first attempt of a delivery, 2 for its first redelivery, … */
	attempt: number;
	/** 2 for the second copy of a `duplicate` delivery, else 1. */
	copy: number;
	/** The Webhook-Timestamp header sent (unix seconds). */
	timestamp: number;
	/** `valid`: signed with the subscription's secret; `forged`: with another one. */
	signature: 'valid' | 'forged';
	/** The delivery fault that shaped this send, or null. */
	fault: WebhookFaultClass | null;
	/** Sent by POST /_admin/webhooks/send rather than by an event. */
	manual: boolean;
	/** The target's status, or null when it gave none (connection error, timeout). */
	status: number | null;
	error: string | null;
	/** 2xx: the delivery is done. */
	ok: boolean;
	/** Another attempt of this delivery will follow (after the backoff). */
	willRetry: boolean;
}

export interface EventLogEntry {
	seq: number;
	/** The subscriptions the event was queued for. */
	subscriptionIds: string[];
	event: WebhookEvent;
}

export const DELIVERY_LOG_LIMIT = 100_000;
export const EVENT_LOG_LIMIT = 10_000;

interface Delivery {
	event: WebhookEvent;
	/** The raw body, the same bytes on every attempt. */
	body: string;
	subscription: Subscription;
	signing: Signing;
	fault: WebhookFaultClass | null;
	copy: number;
	/** Genuine deliveries are retried; forged and stale extra sends are sent once. */
	retry: boolean;
	manual: boolean;
}

/**
 * One subscription's deliveries: a FIFO worked off one delivery (with its retries) at a time, so that events
 * arrive in the order they happened unless a fault says otherwise. Its controller is a child of the server's
 * Sleeper: unsubscribing, a reset and the server's close all abort it, which ends every wait and request.
 */
class Channel {
	readonly queue: Delivery[] = [];
	/** An `outOfOrder` delivery waiting for a later event to overtake it. */
	held: Delivery | null = null;
	heldTimer: AbortController | null = null;
	current: Delivery | null = null;
	/** Late deliveries not yet queued, and admin sends under way. */
	waiting = 0;
	working = false;

	constructor(readonly controller: AbortController) {}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	get pending(): number {
		return this.queue.length + (this.held ? 1 : 0) + (this.current ? 1 : 0) + this.waiting;
	}

	abort(): void {
		this.heldTimer?.abort();
		this.controller.abort();
		this.queue.length = 0;
		this.held = null;
	}
}

interface AttemptResult {
	sentAt: number;
	timestamp: number;
	status: number | null;
	error: string | null;
}

/** Subscriptions, the events sent to them, and their at-least-once delivery with retries and faults. */
export class WebhookDispatcher {
	readonly subscriptions = new SubscriptionStore();
	private readonly channels = new Map<string, Channel>();
	/** Every loop, wait and send under way, so that close() can wait for them to end. */
	private readonly tasks = new Set<Promise<unknown>>();
	private readonly prng: Prng;
	private deliveries: DeliveryLogEntry[] = [];
	private events: EventLogEntry[] = [];
	private deliverySeq = 0;
	private eventSeq = 0;
	eventsEmitted = 0;
	attempts = 0;
	delivered = 0;
	gaveUp = 0;
	faultsInjected: Record<WebhookFaultClass, number> = zeroFaults();

	constructor(
		private readonly options: () => WebhookOptions,
		private readonly sleeper: Sleeper,
	) {
		this.prng = new Prng(options().faults.seed);
	}

	subscribe(clientId: string, url: string, events: EventType[]): Subscription {
		const subscription = this.subscriptions.create(clientId, url, events);
		this.channels.set(subscription.id, new Channel(this.sleeper.child()));
		return subscription;
	}

	/** Deletes a client's own subscription and drops its pending deliveries at once; false if it has none such. */
	unsubscribe(clientId: string, id: string): boolean {
		if (!this.subscriptions.getOwn(clientId, id)) return false;
		this.subscriptions.delete(id);
		this.channels.get(id)?.abort();
		this.channels.delete(id);
		return true;
	}

	/**
	 * Queues the events for every subscription that wants them; never waits for a delivery. The events are built
	 * only while there is a subscription at all, so that a server nobody subscribed to does no work for them.
	 */
	emit(build: () => WebhookEvent[]): void {
		if (this.sleeper.closed || this.subscriptions.size === 0) return;
		for (const event of build()) {
			const targets = this.subscriptions.matching(event.type);
			this.eventsEmitted++;
			this.events.push({ seq: ++this.eventSeq, subscriptionIds: targets.map(({ id }) => id), event });
			if (this.events.length > EVENT_LOG_LIMIT + 1000) this.events = this.events.slice(-EVENT_LOG_LIMIT);
			const body = JSON.stringify(event);
			for (const subscription of targets) this.enqueue(subscription, event, body);
		}
	}

	get pending(): number {
		let pending = 0;
		for (const channel of this.channels.values()) pending += channel.pending;
		return pending;
	}

	deliveriesSince(since: number): DeliveryLogEntry[] {
		return this.deliveries.filter((entry) => entry.seq > since).slice(-DELIVERY_LOG_LIMIT);
	}

	eventsSince(since: number): EventLogEntry[] {
		return this.events.filter((entry) => entry.seq > since).slice(-EVENT_LOG_LIMIT);
	}

	/** The event with this id, or else the last one queued for the subscription. */
	findEvent(subscriptionId: string, eventId?: string): WebhookEvent | undefined {
		for (let index = this.events.length - 1; index >= 0; index--) {
			const entry = this.events[index];
			if (eventId === undefined ? entry.subscriptionIds.includes(subscriptionId) : entry.event.id === eventId)
				return entry.event;
		}
		return undefined;
	}

	/**
	 * One send of an event to a subscription, signed as `signing` says, never retried; resolves with its log entry
	 * once the target answered (or null if the subscription went away meanwhile).
	 */
	async sendOnce(
		subscription: Subscription,
		event: WebhookEvent,
		signing: Signing,
	): Promise<DeliveryLogEntry | null> {
		const channel = this.channels.get(subscription.id);
		if (!channel || channel.signal.aborted) return null;
		const delivery: Delivery = {
			event,
			body: JSON.stringify(event),
			subscription,
			signing,
			fault: signing === 'valid' ? null : signing,
			copy: 1,
			retry: false,
			manual: true,
		};
		channel.waiting++;
		return this.track(
			(async () => {
				try {
					const result = await this.attempt(channel, delivery, this.options());
					if (channel.signal.aborted) return null;
					return this.record(delivery, 1, result, false);
				} finally {
					channel.waiting--;
				}
			})(),
		);
	}

	reseed(seed: number): void {
		this.prng.reseed(seed);
	}

	/** Subscriptions, pending deliveries (aborted at once), logs and counters cleared; the PRNG re-seeded. */
	reset(): void {
		for (const channel of this.channels.values()) channel.abort();
		this.channels.clear();
		this.subscriptions.clear();
		this.deliveries = [];
		this.events = [];
		this.eventsEmitted = 0;
		this.attempts = 0;
		this.delivered = 0;
		this.gaveUp = 0;
		this.faultsInjected = zeroFaults();
		this.prng.reseed(this.options().faults.seed);
		// The sequence numbers keep counting, so that a poller holding an old `since` still sees what comes next.
	}

	/** Aborts every wait and send and resolves once all of them have ended. */
	async close(): Promise<void> {
		for (const channel of this.channels.values()) channel.abort();
		// A task ending may not start another once its channel is aborted, so this settles in a round or two.
		for (let round = 0; round < 10 && this.tasks.size > 0; round++) await Promise.allSettled([...this.tasks]);
	}

	private drawFault(): WebhookFaultClass | null {
		const rates = this.options().faults.rates;
		const draw = this.prng.next();
		let threshold = 0;
		for (const name of WEBHOOK_FAULT_CLASSES) {
			threshold += rates[name] ?? 0;
			if (draw < threshold) return name;
		}
		return null;
	}

	private enqueue(subscription: Subscription, event: WebhookEvent, body: string): void {
		const channel = this.channels.get(subscription.id);
		if (!channel || channel.signal.aborted) return;
		const delivery = (fault: WebhookFaultClass | null, extra: Partial<Delivery> = {}): Delivery => ({
			event,
			body,
			subscription,
			signing: 'valid',
			fault,
			copy: 1,
			retry: true,
			manual: false,
			...extra,
		});
		const fault = this.drawFault();
		const faults = this.options().faults;
		switch (fault) {
			case 'late':
				this.faultsInjected.late++;
				this.queueLater(channel, delivery('late'), faults.lateMs);
				return;
			case 'outOfOrder':
				// One held at a time: with one already held, this event goes now and the held one follows it.
				if (channel.held === null) {
					this.faultsInjected.outOfOrder++;
					this.hold(channel, delivery('outOfOrder'), faults.holdMs);
					return;
				}
				this.queue(channel, [delivery(null)]);
				return;
			case 'duplicate':
				this.faultsInjected.duplicate++;
				this.queue(channel, [delivery('duplicate'), delivery('duplicate', { copy: 2 })]);
				return;
			case 'forged':
			case 'stale':
				this.faultsInjected[fault]++;
				this.queue(channel, [delivery(fault, { signing: fault, retry: false }), delivery(null)]);
				return;
			default:
				this.queue(channel, [delivery(null)]);
		}
	}

	/** Appends to the queue; a held (outOfOrder) delivery follows the first later one. */
	private queue(channel: Channel, deliveries: Delivery[]): void {
		if (channel.signal.aborted) return;
		channel.queue.push(...deliveries);
		if (channel.held) {
			channel.queue.push(channel.held);
			channel.held = null;
			channel.heldTimer?.abort();
			channel.heldTimer = null;
		}
		this.work(channel);
	}

	private queueLater(channel: Channel, delivery: Delivery, ms: number): void {
		channel.waiting++;
		void this.track(
			(async () => {
				const waited = await this.sleeper.sleep(ms, channel.signal);
				channel.waiting--;
				if (waited) this.queue(channel, [delivery]);
			})(),
		);
	}

	/** Holds the delivery until a later event is queued, or at most `ms`. */
	private hold(channel: Channel, delivery: Delivery, ms: number): void {
		channel.held = delivery;
		const timer = this.sleeper.child();
		channel.heldTimer = timer;
		void this.track(
			(async () => {
				const waited = await this.sleeper.sleep(ms, AbortSignal.any([timer.signal, channel.signal]));
				if (!waited || channel.held !== delivery) return;
				channel.held = null;
				channel.heldTimer = null;
				timer.abort();
				this.queue(channel, [delivery]);
			})(),
		);
	}

	/** Starts the channel's worker unless it runs: one delivery at a time, until the queue is empty. */
	private work(channel: Channel): void {
		if (channel.working || channel.signal.aborted) return;
		channel.working = true;
		void this.track(
			(async () => {
				try {
					for (let next = channel.queue.shift(); next; next = channel.queue.shift()) {
						if (channel.signal.aborted) return;
						channel.current = next;
						await this.deliver(channel, next);
						channel.current = null;
					}
				} finally {
					channel.current = null;
					channel.working = false;
				}
			})(),
		);
	}

	/** Attempts until a 2xx, or until the attempts or the retry window run out; waits grow exponentially. */
	private async deliver(channel: Channel, delivery: Delivery): Promise<void> {
		const firstSentAt = Date.now();
		for (let attempt = 1; ; attempt++) {
			const options = this.options();
			const result = await this.attempt(channel, delivery, options);
			// An attempt cut off by unsubscribing, a reset or the server's close is not logged.
			if (channel.signal.aborted) return;
			const ok = isSuccess(result.status);
			const maxAttempts = delivery.retry ? Math.min(options.maxAttempts, 100) : 1;
			const wait = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (attempt - 1));
			const willRetry =
				!ok && attempt < maxAttempts && Date.now() + wait - firstSentAt <= options.retryWindowMs;
			this.record(delivery, attempt, result, willRetry);
			if (ok) {
				if (delivery.retry) this.delivered++;
				return;
			}
			if (!willRetry) {
				if (delivery.retry) this.gaveUp++;
				return;
			}
			if (!(await this.sleeper.sleep(wait, channel.signal))) return;
		}
	}

	private async attempt(
		channel: Channel,
		delivery: Delivery,
		options: WebhookOptions,
	): Promise<AttemptResult> {
		const stale = delivery.signing === 'stale' ? Math.round(options.faults.staleSeconds) : 0;
		const timestamp = Math.floor(Date.now() / 1000) - stale;
		const secret = delivery.signing === 'forged' ? newSecret() : delivery.subscription.secret;
		const headers = {
			'content-type': 'application/json',
			'user-agent': 'reference-api-webhooks/1.0',
			'webhook-id': delivery.event.id,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': signatureOf(secret, delivery.event.id, timestamp, delivery.body),
		};
		const sentAt = Date.now();
		this.attempts++;
		const answer = await post(
			delivery.subscription.url,
			headers,
			delivery.body,
			options.requestTimeoutMs,
			channel.signal,
		);
		return { sentAt, timestamp, ...answer };
	}

	private record(
		delivery: Delivery,
		attempt: number,
		result: AttemptResult,
		willRetry: boolean,
	): DeliveryLogEntry {
		const entry: DeliveryLogEntry = {
			seq: ++this.deliverySeq,
			sentAt: result.sentAt,
			at: Date.now(),
			eventId: delivery.event.id,
			type: delivery.event.type,
			subscriptionId: delivery.subscription.id,
			clientId: delivery.subscription.clientId,
			url: delivery.subscription.url,
			attempt,
			copy: delivery.copy,
			timestamp: result.timestamp,
			signature: delivery.signing === 'forged' ? 'forged' : 'valid',
			fault: delivery.fault,
			manual: delivery.manual,
			status: result.status,
			error: result.error,
			ok: isSuccess(result.status),
			willRetry,
		};
		this.deliveries.push(entry);
		if (this.deliveries.length > DELIVERY_LOG_LIMIT + 10_000)
			this.deliveries = this.deliveries.slice(-DELIVERY_LOG_LIMIT);
		return entry;
	}

	private track<T>(task: Promise<T>): Promise<T> {
		this.tasks.add(task);
		const forget = () => this.tasks.delete(task);
		task.then(forget, forget);
		return task;
	}
}

function isSuccess(status: number | null): boolean {
	return status !== null && status >= 200 && status < 300;
}

function zeroFaults(): Record<WebhookFaultClass, number> {
	return Object.fromEntries(WEBHOOK_FAULT_CLASSES.map((name) => [name, 0])) as Record<
		WebhookFaultClass,
		number
	>;
}

/**
 * POSTs the body on a connection of its own (no keep-alive pool that could outlive the server) and resolves
 * with the status as soon as it arrives (the answer's body is read and dropped), or with the error. Never
 * rejects; ends within `timeoutMs` or when `signal` aborts.
 */
function post(
	url: string,
	headers: Record<string, string>,
	body: string,
	timeoutMs: number,
	signal: AbortSignal,
): Promise<{ status: number | null; error: string | null }> {
	return new Promise((resolve) => {
		let settled = false;
		const settle = (status: number | null, error: string | null) => {
			if (settled) return;
			settled = true;
			resolve({ status, error });
		};
		let target: URL;
		try {
			target = new URL(url);
		} catch {
			settle(null, 'invalid URL');
			return;
		}
		const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
		const request = send(
			target,
			{
				method: 'POST',
				agent: false,
				signal,
				headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
			},
			(response) => {
				response.on('error', () => undefined);
				response.resume();
				settle(response.statusCode ?? null, null);
			},
		);
		const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
		request.once('close', () => clearTimeout(timer));
		request.on('error', (error) => settle(null, error.message));
		request.end(body);
	});
}
