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
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{(/^[a-z][a-z0-9+.-]*:\\/\\//i.test($credentials.baseUrl.trim()) ? "" : "https://") + $credentials.baseUrl.trim().replace(/\\/+$/, "").replace(/\\/api\\/v1$/i, "")}}',
			url: '/api/v1/me',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'The API did not accept this key. Copy the API Key again from your project-management system, and check Send Key As.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API knows this key but does not let it in. Ask the administrator of your project-management system to allow it (projects:read, projects:write, directory:read).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Nothing answers at this Base URL. Use the address of your project-management system as the browser shows it, such as https://pm.example.com (without /api/v1 or a page after it).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 429,
					message: 'The API is busy and asked to wait. The key was not checked: save again in a minute.',
				},
			},
			...[500, 502, 503, 504].map((value) => ({
				type: 'responseCode' as const,
				properties: {
					value,
					message: `The project-management system answered with an error (HTTP ${value}); it may be down. Try again later, and check that the Base URL is its address.`,
				},
			})),
		],
	};
}
