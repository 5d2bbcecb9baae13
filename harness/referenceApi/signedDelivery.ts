import type { IncomingHttpHeaders } from 'node:http';

import { newEventId } from '../../reference-api/src/webhooks/events';
import { signatureOf } from '../../reference-api/src/webhooks/signature';

/**
 * Deliveries signed by the reference API's own signer, as its dispatcher signs them (Standard Webhooks), for
 * tests that hand a delivery to the trigger directly: a genuine one, or one changed on purpose.
 */

export interface SignedDelivery {
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
}

/** A project event as the API sends it; `changes` only when given. */
export function projectEvent(
	type: string,
	project: Record<string, unknown>,
	changes?: Record<string, { from: unknown; to: unknown }>,
	id = newEventId(),
): Record<string, unknown> {
	return {
		id,
		type,
		occurredAt: new Date().toISOString(),
		data: { project },
		...(changes && { changes }),
	};
}

/** The event signed with `secret`, sent at `timestamp` (unix seconds; now by default). */
export function signedDelivery(
	secret: string,
	event: Record<string, unknown>,
	options: { timestamp?: number; id?: string } = {},
): SignedDelivery {
	const body = JSON.stringify(event);
	const id = options.id ?? String(event.id);
	const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
	return {
		headers: {
			'content-type': 'application/json',
			'webhook-id': id,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': signatureOf(secret, id, timestamp, body),
		},
		rawBody: Buffer.from(body, 'utf8'),
	};
}
