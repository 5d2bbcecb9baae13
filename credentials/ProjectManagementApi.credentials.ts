import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

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
			description: 'The address of your project-management system, without /api/v1',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An API key from your project-management system. It needs projects:read and projects:write for projects, and directory:read for the lists of users, teams and custom fields.',
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
			],
			default: 'header',
			description: 'How the API expects to receive the key',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const key = String(credentials.apiKey ?? '');
		const header =
			credentials.keyLocation === 'bearer' ? { Authorization: `Bearer ${key}` } : { 'X-API-Key': key };
		return { ...requestOptions, headers: { ...requestOptions.headers, ...header } };
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/me',
			method: 'GET',
		},
	};
}
