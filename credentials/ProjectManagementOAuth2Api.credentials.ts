import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * OAuth2 with the client-credentials grant. n8n fetches the token from the token URL itself, and fetches a new
 * one when the API answers 401. The node keeps no tokens; on n8n 1.x it asks n8n once more so that n8n renews
 * the token (resendForNewToken in transport/request.ts).
 */
export class ProjectManagementOAuth2Api implements ICredentialType {
	name = 'projectManagementOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Project Management OAuth2 API';

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
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'clientCredentials',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: '={{$self["baseUrl"].trim().replace(/\\/+$/, "").replace(/\\/api\\/v1$/i, "")}}/oauth/token',
			required: true,
			description: 'Where n8n asks for access tokens. By default the Base URL followed by /oauth/token.',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'projects:read projects:write directory:read webhooks:write',
			description:
				'The permissions to ask for, separated by spaces: projects:read and projects:write for projects, directory:read for the lists of users, teams and custom fields, webhooks:write for the Project Management Trigger (it subscribes to project events when its workflow is activated)',
		},
		{
			displayName: 'Send Client Credentials',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'In the Authorization Header (Basic Auth)',
					value: 'header',
				},
				{
					name: 'In the Request Body',
					value: 'body',
				},
			],
			default: 'header',
			description: 'How n8n sends the client ID and secret to the token URL',
		},
	];
}
