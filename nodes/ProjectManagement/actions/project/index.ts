import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as deleteProject from './deleteProject.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export { create, deleteProject, get, getAll, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['project'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Create a project, or find or update the one that has the name',
				action: 'Create a project',
			},
			{
				name: 'Delete',
				value: 'deleteProject',
				description: 'Delete a project',
				action: 'Delete a project',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a project by its ID or address',
				action: 'Get a project',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get projects, filtered by name or status',
				action: 'Get many projects',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change some fields of a project',
				action: 'Update a project',
			},
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...getAll.description,
	...update.description,
	...deleteProject.description,
];
