import type {
	DeepPartial,
	DeliveryLogEntry,
	EventLogEntry,
	ReferenceApiOptions,
	RequestLogEntry,
	RunningReferenceApi,
} from '../../reference-api/src';
import { DEMO_CREDENTIALS, startReferenceApi } from '../../reference-api/src';

/**
 * The reference API as the engine tests, the demo and the benchmarks use it: started on a free loopback port,
 * read and steered through its admin routes over HTTP, as any outside observer would.
 */
export class ReferenceApi {
	private constructor(private readonly running: RunningReferenceApi) {}

	static async start(options?: DeepPartial<ReferenceApiOptions>): Promise<ReferenceApi> {
		return new ReferenceApi(await startReferenceApi(options));
	}

	/** One started elsewhere (another process, say), steered through its admin routes all the same. */
	static attach(running: RunningReferenceApi): ReferenceApi {
		return new ReferenceApi(running);
	}

	get url(): string {
		return this.running.url;
	}

	async close(): Promise<void> {
		await this.running.close();
	}

	private async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.url}/_admin${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(10_000),
		});
		if (!response.ok) throw new Error(`admin ${method} ${path}: HTTP ${response.status}`);
		return (await response.json()) as T;
	}

	configure(patch: DeepPartial<ReferenceApiOptions>) {
		return this.admin<unknown>('PATCH', '/config', patch);
	}

	reset() {
		return this.admin<unknown>('POST', '/reset', {});
	}

	/**
	 * Empties the API (projects, idempotency records, request log, counters), then changes its settings, which a
	 * reset keeps as they are.
	 */
	async resetAndConfigure(patch: DeepPartial<ReferenceApiOptions>) {
		await this.reset();
		await this.configure(patch);
	}

	expireTokens() {
		return this.admin<unknown>('POST', '/tokens/expire', {});
	}

	stats() {
		return this.admin<AdminStats>('GET', '/stats');
	}

	async requests(): Promise<RequestLogEntry[]> {
		return (await this.admin<{ entries: RequestLogEntry[] }>('GET', '/requests')).entries;
	}

	/** Every project the server holds, read page by page through the public API. */
	async projects(): Promise<Array<Record<string, unknown>>> {
		const all: Array<Record<string, unknown>> = [];
		let cursor: string | null = null;
		for (let page = 0; page < 1000; page++) {
			const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
			const response = await fetch(`${this.url}/api/v1/projects?${query}`, {
				headers: { 'X-API-Key': DEMO_CREDENTIALS.apiKey },
				signal: AbortSignal.timeout(10_000),
			});
			const body = (await response.json()) as {
				data: Array<Record<string, unknown>>;
				nextCursor: string | null;
			};
			all.push(...body.data);
			cursor = body.nextCursor;
			if (!cursor) return all;
		}
		throw new Error('projects(): more pages than expected');
	}

	/** The webhook counters: subscriptions, events, deliveries and the delivery faults injected. */
	webhookStats() {
		return this.admin<WebhookStats>('GET', '/webhooks');
	}

	/** Every delivery attempt made so far, with the status its target answered. */
	async webhookDeliveries(): Promise<DeliveryLogEntry[]> {
		return (await this.admin<{ entries: DeliveryLogEntry[] }>('GET', '/webhooks/deliveries')).entries;
	}

	/** Every event emitted so far, with the subscriptions it was queued for. */
	async webhookEvents(): Promise<EventLogEntry[]> {
		return (await this.admin<{ entries: EventLogEntry[] }>('GET', '/webhooks/events')).entries;
	}

	/**
	 * One send of an event (by default the subscription's last) to the subscription's URL, signed genuinely
	 * (`valid`), with a wrong secret (`forged`) or with an old timestamp (`stale`); answers once the target did.
	 */
	async sendWebhook(
		subscriptionId: string,
		kind: 'valid' | 'forged' | 'stale',
		eventId?: string,
	): Promise<DeliveryLogEntry> {
		const body = { subscriptionId, kind, ...(eventId ? { eventId } : {}) };
		return (await this.admin<{ delivery: DeliveryLogEntry }>('POST', '/webhooks/send', body)).delivery;
	}

	/** The subscriptions of the client an API key belongs to, as that client lists them (GET /webhooks). */
	async subscriptions(apiKey: string): Promise<Array<{ id: string; url: string; events: string[] }>> {
		const response = await fetch(`${this.url}/api/v1/webhooks?limit=100`, {
			headers: { 'X-API-Key': apiKey },
			signal: AbortSignal.timeout(10_000),
		});
		if (!response.ok) throw new Error(`GET /webhooks: HTTP ${response.status}`);
		return ((await response.json()) as { data: Array<{ id: string; url: string; events: string[] }> }).data;
	}

	/** POST /projects attempts the server saw, whatever their answer. */
	async createAttempts(): Promise<RequestLogEntry[]> {
		return (await this.requests()).filter(
			(entry) => entry.method === 'POST' && entry.route === '/api/v1/projects',
		);
	}
}

export interface AdminStats {
	requests: { total: number; byStatus: Record<string, number>; byRoute: Record<string, number> };
	projectsCreated: number;
	projectsStored: number;
	projectsDeleted: number;
	replays: number;
	inFlightConflicts: number;
	keyMismatches: number;
	faultsInjected: Record<string, number>;
	tokensIssued: number;
	/** API requests under way now, and the most at once since the last reset. */
	inFlight: { now: number; max: number };
	/** Requests a fault still holds (see the reference API's stats). */
	held: number;
}

export interface WebhookStats {
	subscriptions: number;
	subscriptionsByClient: Record<string, number>;
	eventsEmitted: number;
	pendingDeliveries: number;
	attempts: number;
	delivered: number;
	gaveUp: number;
	faultsInjected: Record<string, number>;
}
