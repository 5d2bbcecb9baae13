import type { INode, INodeParameters } from 'n8n-workflow';

import type { NodeSettings } from '../nodeSettings';

/** The node's type as n8n names it when the package is installed: `<package name>.<node name>`. */
export const NODE_TYPE = 'n8n-nodes-project-management.projectManagement';
export const NODE_NAME = 'Create project';

export type CredentialTypeName = 'projectManagementApi' | 'projectManagementOAuth2Api';

/** How a run sets the node up: the credential it uses, its settings, and the ids and time zone of the workflow. */
export interface NodeSetup {
	credentialType?: CredentialTypeName;
	credentialId?: string;
	settings?: NodeSettings;
	workflowId?: string;
	nodeId?: string;
	timezone?: string;
}

/**
 * The Project Management node (or its tool variant) as a workflow holds it: its parameters with the chosen
 * authentication, the credential it uses by id, and its settings.
 */
export function packageNode(spec: {
	id: string;
	name: string;
	type?: string;
	position: [number, number];
	parameters?: INodeParameters;
	credentialType?: CredentialTypeName;
	credentialId?: string;
	settings?: NodeSettings;
}): INode {
	const credentialType = spec.credentialType ?? 'projectManagementApi';
	return {
		id: spec.id,
		name: spec.name,
		type: spec.type ?? NODE_TYPE,
		typeVersion: 1,
		position: spec.position,
		parameters: { authentication: credentialType, ...spec.parameters },
		credentials: {
			[credentialType]: { id: spec.credentialId ?? 'cred-1', name: 'Project Management account' },
		},
		...spec.settings,
	};
}
