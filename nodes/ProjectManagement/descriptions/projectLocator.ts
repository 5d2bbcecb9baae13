import type { INodeProperties } from 'n8n-workflow';

import { PROJECT_ID_PATTERN, PROJECT_URL_PATTERN } from '../fields/projectLocator';

/** The project a Get, Update or Delete works on: picked from a searchable list, by ID, or by its page address. */
export const projectLocator: INodeProperties = {
	displayName: 'Project',
	name: 'project',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The project to work on: pick it from the list, give its ID (such as prj_0123456789ab), or paste the address of its page',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a project...',
			typeOptions: { searchListMethod: 'searchProjects', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. prj_0123456789ab',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: `^${PROJECT_ID_PATTERN}$`,
						errorMessage: 'A project ID is made of letters, digits, "_" and "-", such as prj_0123456789ab',
					},
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://pm.example.com/projects/prj_0123456789ab',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: PROJECT_URL_PATTERN,
						errorMessage:
							'Paste the address of a project page, such as https://pm.example.com/projects/prj_0123456789ab',
					},
				},
			],
			extractValue: { type: 'regex', regex: PROJECT_URL_PATTERN },
		},
	],
};
