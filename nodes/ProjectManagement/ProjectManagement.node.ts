import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as project from './actions/project';
import { router } from './actions/router';
import * as loadOptions from './methods/loadOptions';
import * as listSearch from './methods/listSearch';
import * as resourceMapping from './methods/resourceMapping';

export class ProjectManagement implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Project Management',
		name: 'projectManagement',
		icon: { light: 'file:projectManagement.svg', dark: 'file:projectManagement.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Create, find, update and delete projects in your project-management system',
		defaults: {
			name: 'Project Management',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
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
		properties: [
			{
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
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Project',
						value: 'project',
					},
				],
				default: 'project',
			},
			...project.description,
		],
	};

	methods = { loadOptions, listSearch, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
