import type { NodeSettings } from '../nodeSettings';
import { API_KEY_CREDENTIAL, OAUTH2_CREDENTIAL } from './credentials';
import { N8nHome, type WorkflowImport } from './home';

/**
 * Workflows as a user builds them in the editor and n8n saves them: a Manual Trigger, the items made by core
 * nodes (Edit Fields in JSON mode, then Split Out), and the Project Management node mapping their fields with
 * expressions.
 */

export const TRIGGER = 'When clicking Execute';
export const ROWS = 'Rows';
export const SPLIT = 'One item per row';
export const NODE = 'Create project';

export type Credential = 'apiKey' | 'oauth2';

export function credentialsFor(kind: Credential) {
	return kind === 'apiKey'
		? { authentication: 'projectManagementApi', credentials: { projectManagementApi: API_KEY_CREDENTIAL } }
		: {
				authentication: 'projectManagementOAuth2Api',
				credentials: { projectManagementOAuth2Api: OAUTH2_CREDENTIAL },
			};
}

/** n8n's Manual Trigger, where `n8n execute` and the editor's Execute button start a workflow. */
export function manualTrigger(id: string, name: string) {
	return { id, name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
}

/** A workflow that turns `rows` into items and creates one project per item. */
export function createProjectsWorkflow(options: {
	id: string;
	rows: Array<Record<string, unknown>>;
	credential: Credential;
	parameters: Record<string, unknown>;
	settings?: NodeSettings;
}): WorkflowImport {
	const { authentication, credentials } = credentialsFor(options.credential);
	return {
		id: options.id,
		name: `e2e ${options.id}`,
		nodes: [
			manualTrigger('n1', TRIGGER),
			{
				id: 'n2',
				name: ROWS,
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows: options.rows }), options: {} },
			},
			{
				id: 'n3',
				name: SPLIT,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [440, 0],
				parameters: { fieldToSplitOut: 'rows', options: {} },
			},
			{
				id: 'n4',
				name: NODE,
				type: N8nHome.NODE_TYPE,
				typeVersion: 1,
				position: [660, 0],
				parameters: { authentication, resource: 'project', operation: 'create', ...options.parameters },
				credentials,
				...options.settings,
			},
		],
		connections: {
			[TRIGGER]: { main: [[{ node: ROWS, type: 'main', index: 0 }]] },
			[ROWS]: { main: [[{ node: SPLIT, type: 'main', index: 0 }]] },
			[SPLIT]: { main: [[{ node: NODE, type: 'main', index: 0 }]] },
		},
	};
}

export const EVENTS_TRIGGER = 'When a project changes';
export const FOLLOW_UP = 'Create follow-up project';

/**
 * A workflow that starts with the Project Management Trigger and hands each event to the Project Management node,
 * which creates a follow-up project mapping the trigger's fields with expressions. `webhookId` fixes the
 * trigger's address (`<n8n>/webhook/<webhookId>/webhook`).
 */
export function projectEventsWorkflow(options: {
	id: string;
	webhookId: string;
	credential: Credential;
	trigger: Record<string, unknown>;
	followUp: Record<string, unknown>;
}): WorkflowImport {
	const { authentication, credentials } = credentialsFor(options.credential);
	return {
		id: options.id,
		name: `e2e ${options.id}`,
		nodes: [
			{
				id: 't1',
				name: EVENTS_TRIGGER,
				type: N8nHome.TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: options.webhookId,
				parameters: { authentication, ...options.trigger },
				credentials,
			},
			{
				id: 't2',
				name: FOLLOW_UP,
				type: N8nHome.NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { authentication, resource: 'project', operation: 'create', ...options.followUp },
				credentials,
			},
		],
		connections: {
			[EVENTS_TRIGGER]: { main: [[{ node: FOLLOW_UP, type: 'main', index: 0 }]] },
		},
	};
}
