import type { IHookFunctions, INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { EventType } from '../delivery/eventOutput';
import { EVENT_TYPES, isEventType } from '../delivery/eventOutput';

/** The trigger's fields in the editor, and how they are read. */

export const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{
			name: 'API Key',
			value: 'projectManagementApi',
		},
		{
			name: 'OAuth2 (Client Credentials)',
			value: 'projectManagementOAuth2Api',
		},
	],
	default: 'projectManagementApi',
};

export const events: INodeProperties = {
	displayName: 'Events',
	name: 'events',
	type: 'multiOptions',
	required: true,
	options: [
		{
			name: 'Project Created',
			value: 'project.created',
			description: 'A project was created',
		},
		{
			name: 'Project Deleted',
			value: 'project.deleted',
			description: 'A project was deleted; the output holds the project as it was',
		},
		{
			name: 'Project Status Changed',
			value: 'project.status_changed',
			description: 'The status of a project changed, such as from Active to Completed',
		},
		{
			name: 'Project Updated',
			value: 'project.updated',
			description:
				'Any field of a project changed, its status included (a status change also sends Project Status Changed)',
		},
	],
	default: ['project.created'],
	description: 'The changes that start the workflow, one execution for each',
};

export const statuses: INodeProperties = {
	displayName: 'Only Project Status Names or IDs',
	name: 'statuses',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getStatuses' },
	default: [],
	description:
		'Start only for projects in one of these statuses after the change (for Project Deleted: the status it had). Leave empty for every status. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const triggerProperties: INodeProperties[] = [authentication, events, statuses];

/** The events chosen, in the API's order, each once; none is a mistake the user has to correct. */
export function selectedEvents(this: IHookFunctions | IWebhookFunctions): EventType[] {
	const value = this.getNodeParameter('events', []) as unknown;
	const chosen = new Set((Array.isArray(value) ? value : [value]).filter(isEventType));
	if (chosen.size === 0) {
		throw new NodeOperationError(this.getNode(), 'Choose at least one event under "Events"');
	}
	return EVENT_TYPES.filter((type) => chosen.has(type));
}

/** The statuses chosen; empty for every status. */
export function selectedStatuses(this: IWebhookFunctions): string[] {
	const value = this.getNodeParameter('statuses', []) as unknown;
	return (Array.isArray(value) ? value : [value])
		.filter((status): status is string => typeof status === 'string')
		.map((status) => status.trim())
		.filter((status) => status !== '');
}
