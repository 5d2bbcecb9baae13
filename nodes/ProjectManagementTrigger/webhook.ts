import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { eventItem, readEvent, statusOf } from './delivery/eventOutput';
import { takeInProcess } from './delivery/processRecord';
import { wasSeen, withSeen } from './delivery/seenEvents';
import { REFUSAL_TEXT, singleHeader, verifyDelivery } from './delivery/signature';
import { selectedEvents, selectedStatuses } from './descriptions/triggerFields';
import { seenEventsOf, storeSeenEvents, storedSubscription } from './subscription/subscriptionStore';

/**
 * One delivery from the API. In this order:
 * 1. The signature and the timestamp (delivery/signature.ts): missing, wrong or out of tolerance → 401, nothing
 *    starts (the API retries a genuine delivery; a forged or replayed one stays refused).
 * 2. The body: signed, but not a project event → 400, nothing starts.
 * 3. The event id against those taken lately (delivery/seenEvents.ts in static data, delivery/processRecord.ts in
 *    the process's memory): seen before → 200, nothing starts, so the API stops sending it.
 * 4. The events and statuses chosen in the node: another → 200, nothing starts.
 * 5. Otherwise one execution, with the event as its item.
 * The id is recorded before the answer: in the process's record at once, and in static data, which n8n saves
 * before it answers the API (n8n 2.x not when the delivery starts an execution; see processRecord.ts). So a
 * redelivery that follows the answer finds it.
 */

type RawRequest = { rawBody?: unknown };

/** The body's bytes as they arrived; n8n keeps them beside the parsed body. */
function rawBodyOf(this: IWebhookFunctions): Buffer {
	const raw = (this.getRequestObject() as unknown as RawRequest).rawBody;
	if (Buffer.isBuffer(raw)) return raw;
	if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
	// Without the bytes, the compact JSON the API sends is the closest; a mismatch fails the signature.
	return Buffer.from(JSON.stringify(this.getBodyData() ?? {}), 'utf8');
}

function answer(this: IWebhookFunctions, statusCode: number, body: IDataObject): IWebhookResponseData {
	this.getResponseObject().status(statusCode).json(body);
	return { noWebhookResponse: true };
}

function parseJson(raw: Buffer): unknown {
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		return undefined;
	}
}

export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const staticData = this.getWorkflowStaticData('node');
	const subscription = storedSubscription(staticData);
	const headers = this.getHeaderData();
	const raw = rawBodyOf.call(this);
	const verdict = verifyDelivery(
		subscription?.secret,
		{
			id: singleHeader(headers['webhook-id']),
			timestamp: singleHeader(headers['webhook-timestamp']),
			signature: singleHeader(headers['webhook-signature']),
		},
		raw,
		Math.floor(Date.now() / 1000),
	);
	if (!verdict.ok) {
		const why = REFUSAL_TEXT[verdict.reason];
		this.logger.warn(`Project Management Trigger refused a delivery: ${why}`, {
			workflowId: this.getWorkflow().id,
			node: this.getNode().name,
		});
		return answer.call(this, 401, { message: `Delivery refused: ${why}` });
	}

	const event = readEvent(parseJson(raw));
	if ('problem' in event) {
		return answer.call(this, 400, { message: `Delivery refused: ${event.problem}` });
	}

	const now = Date.now();
	const seen = seenEventsOf(staticData);
	// A verified delivery means a subscription with its secret is stored; its id keeps test runs apart.
	const inProcess = takeInProcess(
		`${this.getWorkflow().id}/${this.getNode().id}/${subscription?.id}`,
		verdict.eventId,
		now,
	);
	if (inProcess === 'seen' || wasSeen(seen, verdict.eventId, now)) {
		return { webhookResponse: { received: true, duplicate: true } };
	}
	storeSeenEvents(staticData, withSeen(seen, verdict.eventId, now));

	const statuses = selectedStatuses.call(this).map((status) => status.toLowerCase());
	const status = statusOf(event)?.toLowerCase();
	const wanted =
		selectedEvents.call(this).includes(event.type) &&
		(statuses.length === 0 || (status !== undefined && statuses.includes(status)));
	if (!wanted) return { webhookResponse: { received: true, started: false } };

	return { workflowData: [[{ json: eventItem(event) as IDataObject }]] };
}
