import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { INodeExecutionData } from 'n8n-workflow';

import type { TriggerWorkflow, WebhookRun } from './triggerWorkflow';
import { deliver, type DeliveryAnswer } from './webhookDelivery';

/**
 * n8n's webhook server in miniature, on loopback: it takes the deliveries the reference API sends to a trigger's
 * addresses (`/webhook/<id>/webhook`, and `/webhook-test/<id>/webhook` for a test run), hands each to the
 * trigger (webhookDelivery.ts) and answers what n8n would. It counts as an execution each delivery that started
 * one; anything else at another path is a 404, as n8n answers for a webhook it does not serve.
 */

export interface Received {
	run: WebhookRun;
	webhookId: string | undefined;
	answer: DeliveryAnswer;
}

export class WebhookReceiver {
	readonly received: Received[] = [];
	private readonly triggers = new Map<string, TriggerWorkflow>();

	private constructor(
		private readonly server: Server,
		/** The base to give a trigger (`TriggerSetup.baseUrl`): `http://127.0.0.1:<port>`. */
		readonly url: string,
	) {}

	static async start(): Promise<WebhookReceiver> {
		let receiver: WebhookReceiver | undefined;
		const server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				receiver!.handle(request.url ?? '', request.headers, Buffer.concat(chunks)).then(
					(answer) =>
						response
							.writeHead(answer.statusCode, { 'content-type': 'application/json' })
							.end(JSON.stringify(answer.body ?? {})),
					() => response.writeHead(500).end(),
				);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
		return receiver;
	}

	/** Serves a trigger's addresses (both runs) from now on. */
	serve(trigger: TriggerWorkflow): void {
		this.triggers.set(String(trigger.node.webhookId), trigger);
	}

	private async handle(
		path: string,
		headers: Parameters<typeof deliver>[1]['headers'],
		rawBody: Buffer,
	): Promise<DeliveryAnswer> {
		const match = /^\/(webhook|webhook-test)\/([^/]+)\/webhook$/.exec(path.split('?')[0]);
		const run: WebhookRun = match?.[1] === 'webhook-test' ? 'test' : 'production';
		const trigger = match ? this.triggers.get(match[2]) : undefined;
		const answer: DeliveryAnswer = trigger
			? await deliver(trigger, { headers, rawBody }, { run })
			: { statusCode: 404, body: { message: 'The requested webhook is not registered.' } };
		this.received.push({ run, webhookId: match?.[2], answer });
		return answer;
	}

	/** The items of every execution started so far, one entry per execution, in the order they started. */
	executions(run?: WebhookRun): INodeExecutionData[][] {
		return this.received
			.filter((entry) => entry.answer.started !== undefined && (run === undefined || entry.run === run))
			.map((entry) => entry.answer.started!);
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
