import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { getStatuses } from '../ProjectManagement/methods/loadOptions';
import { triggerProperties } from './descriptions/triggerFields';
import { subscribe, subscriptionExists, unsubscribe } from './subscription/lifecycle';
import { receiveDelivery } from './webhook';

export class ProjectManagementTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Project Management Trigger',
		name: 'projectManagementTrigger',
		icon: { light: 'file:projectManagement.svg', dark: 'file:projectManagement.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ [].concat($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when a project is created, changed or deleted in your project-management system',
		eventTriggerDescription:
			'Waiting for you to create, change or delete a project in your project-management system',
		activationMessage: 'Project changes in your project-management system will now start this workflow.',
		defaults: {
			name: 'Project Management Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'projectManagementApi',
				required: true,
				displayOptions: { show: { authentication: ['projectManagementApi'] } },
			},
			{
				name: 'projectManagementOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['projectManagementOAuth2Api'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: triggerProperties,
	};

	methods = { loadOptions: { getStatuses } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await subscriptionExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await subscribe.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await unsubscribe.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}
}
