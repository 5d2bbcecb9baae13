import type { IncomingHttpHeaders } from 'node:http';

import { WebhookContext } from 'n8n-core';
import type { IDataObject, INodeExecutionData, IWebhookResponseData } from 'n8n-workflow';

import { TRIGGER_NAME, TRIGGER_NODE_TYPE, type TriggerWorkflow, type WebhookRun } from './triggerWorkflow';

/**
 * One HTTP delivery to the trigger, handled the way n8n's webhook server handles it: the request as n8n's body
 * parser leaves it (headers, the parsed JSON body, and the raw bytes as `rawBody`), the node's `webhook()` run
 * through n8n-core's WebhookContext with the workflow's saved static data, static data saved afterwards, and the
 * answer n8n would send: the node's own (a 401, say), the node's `webhookResponse` with 200, or, when the node
 * hands over items, 200 "Workflow was started" and one execution with those items.
 *
 * `staticDataOfStarts: 'lost'` does what n8n 2.x does: the static data a delivery changed is not saved when that
 * delivery starts an execution (preparing the execution clears the data's "changed" mark before n8n saves it).
 */

export interface DeliveryRequest {
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
}

export interface DeliveryAnswer {
	statusCode: number;
	body: unknown;
	/** The items of the execution the delivery started; undefined when it started none. */
	started?: INodeExecutionData[];
}

/** The part of Express's response the node uses, writing into an answer. */
function responseInto(answer: { statusCode: number; body: unknown; sent: boolean }) {
	const response = {
		headersSent: false,
		status(code: number) {
			answer.statusCode = code;
			return response;
		},
		json(body: unknown) {
			answer.body = body;
			answer.sent = true;
			response.headersSent = true;
			return response;
		},
		send(body: unknown) {
			return response.json(body);
		},
		end() {
			answer.sent = true;
			response.headersSent = true;
			return response;
		},
		setHeader() {
			return response;
		},
	};
	return response;
}

function parsed(raw: Buffer): IDataObject {
	try {
		const value: unknown = JSON.parse(raw.toString('utf8'));
		return value !== null && typeof value === 'object' ? (value as IDataObject) : {};
	} catch {
		return {};
	}
}

export interface DeliveryOptions {
	run?: WebhookRun;
	/** `saved` (n8n 1.x, the default) or `lost` (n8n 2.x): static data changed by a delivery that started an execution. */
	staticDataOfStarts?: 'saved' | 'lost';
}

export async function deliver(
	trigger: TriggerWorkflow,
	request: DeliveryRequest,
	options: DeliveryOptions = {},
): Promise<DeliveryAnswer> {
	const run = options.run ?? 'production';
	const written = { statusCode: 200, body: undefined as unknown, sent: false };
	const httpRequest = {
		method: 'POST',
		headers: request.headers,
		body: parsed(request.rawBody),
		rawBody: request.rawBody,
		params: {},
		query: {},
		header: (name: string) => request.headers[name.toLowerCase()],
	};
	const additionalData = trigger.additionalData({
		httpRequest: httpRequest as never,
		httpResponse: responseInto(written) as never,
	});
	const workflow = trigger.workflow(run);
	const context = new WebhookContext(
		workflow,
		workflow.getNode(TRIGGER_NAME)!,
		additionalData,
		run === 'test' ? 'manual' : 'webhook',
		trigger.webhookData(run, additionalData),
		[],
		null,
	);
	const nodeType = trigger.nodeTypes.getByNameAndVersion(TRIGGER_NODE_TYPE, 1);
	let result: IWebhookResponseData;
	try {
		result = await nodeType.webhook!.call(context);
	} catch (error) {
		// n8n answers 500 when the webhook function throws, and starts nothing.
		trigger.save(run, workflow);
		return { statusCode: 500, body: { message: (error as Error).message } };
	}
	if (result.workflowData === undefined || options.staticDataOfStarts !== 'lost') trigger.save(run, workflow);
	if (result.noWebhookResponse) return { statusCode: written.statusCode, body: written.body };
	if (result.workflowData === undefined) {
		return { statusCode: 200, body: result.webhookResponse ?? { message: 'Webhook call received' } };
	}
	return {
		statusCode: 200,
		body: { message: 'Workflow was started' },
		started: result.workflowData[0] ?? [],
	};
}
