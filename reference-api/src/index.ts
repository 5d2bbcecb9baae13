import type { AddressInfo } from 'node:net';

import { resolveOptions, type DeepPartial, type ReferenceApiOptions } from './config';
import { buildServer } from './server';
import { createState } from './state';

export {
	ALL_SCOPES,
	DEMO_CREDENTIALS,
	FAULT_CLASSES,
	noFaults,
	noWebhookFaults,
	WEBHOOK_FAULT_CLASSES,
	type ApiKeyCredential,
	type DeepPartial,
	type FaultClass,
	type FaultOptions,
	type OAuthClient,
	type RateLimitOptions,
	type ReferenceApiOptions,
	type Scope,
	type WebhookFaultClass,
	type WebhookFaultOptions,
	type WebhookOptions,
} from './config';
export type { Project, ProjectStatus, ProjectPriority, Budget } from './store';
export type { RequestLogEntry } from './stats';
export { EVENT_TYPES, type Changes, type EventType, type WebhookEvent } from './webhooks/events';
export type { DeliveryLogEntry, EventLogEntry } from './webhooks/dispatcher';
export { SEED_CUSTOM_FIELDS, SEED_TEAMS, SEED_USERS } from './seed';

export interface RunningReferenceApi {
	/** 'http://127.0.0.1:<port>', no trailing slash; the API base is `${url}/api/v1`. */
	url: string;
	port: number;
	/** Closes the server, every open socket and every pending timer; safe to call twice. */
	close(): Promise<void>;
}

export async function startReferenceApi(
	options?: DeepPartial<ReferenceApiOptions>,
): Promise<RunningReferenceApi> {
	const state = createState(resolveOptions(options));
	const app = await buildServer(state);
	await app.listen({ host: state.options.host, port: state.options.port });
	const { port } = app.server.address() as AddressInfo;
	const host = state.options.host.includes(':') ? `[${state.options.host}]` : state.options.host;
	let closing: Promise<void> | undefined;
	return {
		url: `http://${host}:${port}`,
		port,
		close: () =>
			(closing ??= (async () => {
				state.sleeper.close();
				await state.webhooks.close();
				await app.close();
			})()),
	};
}
