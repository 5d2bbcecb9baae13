import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { meTestRequest } from './testRequest';

export class ProjectManagementApi implements ICredentialType {
	name = 'projectManagementApi';

	displayName = 'Project Management API';

	icon = { light: 'file:projectManagement.svg', dark: 'file:projectManagement.dark.svg' } as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-project-management#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://pm.example.com',
			required: true,
			description:
				'The address of your project-management system as the browser shows it, starting with https://, without /api/v1',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An API key from your project-management system. It needs projects:read and projects:write for projects, directory:read for the lists of users, teams and custom fields, and webhooks:write for the Project Management Trigger.',
		},
		{
			displayName: 'Send Key As',
			name: 'keyLocation',
			type: 'options',
			options: [
				{
					name: 'X-API-Key Header',
					value: 'header',
					description: 'Send the key in an X-API-Key header',
				},
				{
					name: 'Bearer Token',
					value: 'bearer',
					description: 'Send the key as Authorization: Bearer',
				},
				{
					name: 'Query Parameter',
					value: 'query',
					description:
						'Send the key in the address, as ?api_key=… (only if the API asks for it: addresses end up in logs more easily than headers)',
				},
			],
			default: 'header',
			description: 'How the API expects to receive the key',
		},
		{
			displayName: 'Query Parameter Name',
			name: 'queryParameterName',
			type: 'string',
			default: 'api_key',
			placeholder: 'e.g. api_key',
			displayOptions: { show: { keyLocation: ['query'] } },
			description: 'The name of the query parameter that carries the key',
		},
	];

	/**
	 * Puts the key where Send Key As says. An own property rather than a method: n8n copies a credential type's own
	 * properties into the list the editor gets, and its HTTP Request node offers a credential type under
	 * "Predefined Credential Type" only when that list shows an `authenticate` (n8n 2.41, 1.123).
	 */
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const key = String(credentials.apiKey ?? '');
		if (credentials.keyLocation === 'query') {
			const name = String(credentials.queryParameterName ?? '').trim() || 'api_key';
			return { ...requestOptions, qs: { ...requestOptions.qs, [name]: key } };
		}
		const header =
			credentials.keyLocation === 'bearer' ? { Authorization: `Bearer ${key}` } : { 'X-API-Key': key };
		return { ...requestOptions, headers: { ...requestOptions.headers, ...header } };
	};

	/**
	 * What n8n's Test (and Save) asks: who the key belongs to. n8n shows the message of the rule that matches the
	 * answer's status instead of the bare "Unauthorized" or "Not Found".
	 */
	test: ICredentialTestRequest = meTestRequest(
		'key',
		'The API did not accept this key. Copy the API Key again from your project-management system, and check Send Key As.',
	);
}
