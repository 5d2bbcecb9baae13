import { createHash } from 'node:crypto';

import type { CredentialRef } from './credentials';
import { N8nHome, type WorkflowImport } from './home';

/**
 * The workflow users build for "one execution per event": a production Webhook (POST, answering when the last
 * node finishes) and the Project Management node creating a project with its defaults, the name and a couple of
 * fields mapped from the delivered body. Every delivery is one execution with one item.
 */

export const WEBHOOK_NODE = 'Deal won';
export const CREATE_NODE = 'Create project';

/** What a CRM delivers when a deal is won: the body of one webhook delivery. */
export interface DealEvent {
	dealId: string;
	dealName: string;
	company: string;
	amount: number;
}

/** The n8n path of the production webhook (`/webhook/<path>`). */
export function webhookPath(workflowId: string): string {
	return `deal-won-${workflowId.toLowerCase()}`;
}

/** A UUID-shaped id made from the workflow id, so that importing the same workflow again keeps its webhook id. */
function webhookIdOf(workflowId: string): string {
	const hex = createHash('sha256').update(workflowId).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function dealWebhookWorkflow(options: { id: string; credential: CredentialRef }): WorkflowImport {
	return {
		id: options.id,
		name: `Deal won → project (${options.id})`,
		nodes: [
			{
				id: 'wh1',
				name: WEBHOOK_NODE,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: webhookIdOf(options.id),
				parameters: {
					httpMethod: 'POST',
					path: webhookPath(options.id),
					responseMode: 'lastNode',
					options: {},
				},
			},
			{
				id: 'pm1',
				name: CREATE_NODE,
				type: N8nHome.NODE_TYPE,
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					authentication: 'projectManagementApi',
					resource: 'project',
					operation: 'create',
					name: '={{ $json.body.dealName }}',
					additionalFields: {
						description:
							'={{ $json.body.company }}: deal {{ $json.body.dealId }} won ({{ $json.body.amount }})',
						customFieldsUi: { field: [{ key: 'crmDealId', value: '={{ $json.body.dealId }}' }] },
					},
					options: {},
				},
				credentials: { projectManagementApi: options.credential },
			},
		],
		connections: {
			[WEBHOOK_NODE]: { main: [[{ node: CREATE_NODE, type: 'main', index: 0 }]] },
		},
	};
}

/**
 * The deliveries of one burst: `distinct` deals, every one of `repeated` of them (spread evenly) delivered a
 * second time right after the first, as webhook senders do when they retry or fire the same event twice.
 * `tag` keeps the deals of one burst apart from another's.
 */
export function dealDeliveries(options: { distinct: number; repeated: number; tag: string }): DealEvent[] {
	const { distinct, repeated, tag } = options;
	const every = repeated > 0 ? distinct / repeated : Infinity;
	const deliveries: DealEvent[] = [];
	let repeatsLeft = repeated;
	for (let index = 1; index <= distinct; index++) {
		const number = String(index).padStart(4, '0');
		const deal: DealEvent = {
			dealId: `${tag}-D${number}`,
			dealName: `${tag} deal ${number}`,
			company: COMPANIES[index % COMPANIES.length],
			amount: 1000 + ((index * 7919) % 90_000),
		};
		deliveries.push(deal);
		if (repeatsLeft > 0 && index % every < 1) {
			deliveries.push({ ...deal });
			repeatsLeft--;
		}
	}
	return deliveries;
}

const COMPANIES = [
	'Acme Corp',
	'Globex',
	'Initech',
	'Umbrella',
	'Hooli',
	'Stark Industries',
	'Wayne Enterprises',
];
