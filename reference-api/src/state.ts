import type { ReferenceApiOptions } from './config';
import { Credentials } from './credentials';
import { IdempotencyStore } from './idempotencyStore';
import { RateLimiter } from './rateLimiter';
import { Prng } from './prng';
import { Sleeper } from './sleeper';
import { Stats } from './stats';
import { Directory, ProjectStore } from './store';
import { WebhookDispatcher } from './webhooks/dispatcher';

/** Everything one running server holds; `options` is live and changed by the admin routes. */
export interface ServerState {
	options: ReferenceApiOptions;
	directory: Directory;
	projects: ProjectStore;
	credentials: Credentials;
	idempotency: IdempotencyStore;
	rateLimiter: RateLimiter;
	prng: Prng;
	stats: Stats;
	sleeper: Sleeper;
	/** Webhook subscriptions and the delivery of project events to them. */
	webhooks: WebhookDispatcher;
	/** Idempotency keys whose last request got the tokenExpiry 401: their next request is n8n's resend. */
	tokenExpiryKeys: Set<string>;
	/** Requests held by holdUntilOvertakenMs, by their idempotency scope: aborting one lets it go on. */
	overtakers: Map<string, AbortController>;
}

export function createState(options: ReferenceApiOptions): ServerState {
	const sleeper = new Sleeper();
	return {
		options,
		directory: new Directory(),
		projects: new ProjectStore(),
		credentials: new Credentials(
			() => options.apiKeys,
			() => options.oauthClients,
		),
		idempotency: new IdempotencyStore(() => options.idempotencyTtlSeconds),
		rateLimiter: new RateLimiter(),
		prng: new Prng(options.faults.seed),
		stats: new Stats(),
		sleeper,
		webhooks: new WebhookDispatcher(() => options.webhooks, sleeper),
		tokenExpiryKeys: new Set(),
		overtakers: new Map(),
	};
}
