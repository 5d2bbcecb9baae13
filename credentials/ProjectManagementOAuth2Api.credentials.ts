import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { meTestRequest } from './testRequest';

/**
 * The Base URL as the requests use it (transport/connection.ts normaliseBaseUrl): no spaces, no trailing slashes,
 * no /api/v1 (the node adds it), https:// when no scheme is written.
 */
const CLEAN_BASE_URL =
	'(/^[a-z][a-z0-9+.-]*:\\/\\//i.test($self["baseUrl"].trim()) ? "" : "https://") + $self["baseUrl"].trim().replace(/\\/+$/, "").replace(/\\/api\\/v1$/i, "")';

/**
 * OAuth2 with the client-credentials grant. n8n fetches the token from the token URL itself, and fetches a new
 * one when the API answers 401. The node keeps no tokens; on n8n 1.x it asks n8n once more so that n8n renews
 * the token (resendForNewToken in transport/request.ts).
 *
 * n8n shows the fields of oAuth2Api (the parent) first, in its order, with ours replacing the parent's of the same
 * name in place, and then the fields only this type has. So everything a client-credentials user never needs is
 * overridden here as hidden, with its value, and the fields n8n's OAuth2 code reads that a user may still want to
 * change (accessTokenUrl, scope, authentication) are hidden too and derived from fields of this type shown after
 * Base URL. What remains before Base URL is Client ID, Client Secret (the parent's, in its place) and n8n's own
 * Allowed HTTP Request Domains.
 */
export class ProjectManagementOAuth2Api implements ICredentialType {
	name = 'projectManagementOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Project Management OAuth2 API';

	icon = { light: 'file:projectManagement.svg', dark: 'file:projectManagement.dark.svg' } as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-project-management#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'clientCredentials',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Token URL Used',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `={{ ($self["tokenUrl"] || "").trim() || (${CLEAN_BASE_URL}) + "/oauth/token" }}`,
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. n8n-production',
			description:
				'From the OAuth client (or "app") registered for n8n in your project-management system. Base URL comes further down.',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "That client's secret. Saving checks it with the system.",
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Scope Used',
			name: 'scope',
			type: 'hidden',
			default: '={{ $self["requestedScope"] }}',
		},
		{
			displayName: 'Client Credentials Sent In',
			name: 'authentication',
			type: 'hidden',
			default: '={{ $self["sendClientCredentials"] }}',
		},
		{
			displayName: 'Send Additional Body Properties',
			name: 'sendAdditionalBodyProperties',
			type: 'hidden',
			default: false,
		},
		{
			displayName: 'Additional Body Properties',
			name: 'additionalBodyProperties',
			type: 'hidden',
			default: '',
		},
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
			displayName: 'Access Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'Base URL + /oauth/token',
			description:
				'Leave empty: n8n asks for tokens at the Base URL followed by /oauth/token. Fill in only if your system issues tokens at another address.',
		},
		{
			displayName: 'Scope',
			name: 'requestedScope',
			type: 'string',
			default: 'projects:read projects:write directory:read webhooks:write',
			description:
				'The permissions to ask for, separated by spaces: projects:read and projects:write for projects, directory:read for the lists of users, teams and custom fields, webhooks:write for the Project Management Trigger (it subscribes to project events when its workflow is activated)',
		},
		{
			displayName: 'Send Client Credentials',
			name: 'sendClientCredentials',
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
			description:
				'How n8n sends the client ID and secret to the token URL. Keep the default unless the system asks for the body.',
		},
	];

	/**
	 * What n8n's Test (and Save) asks: who the client is. n8n first fetches a token with the client ID and secret,
	 * so a wrong secret is caught here, before the first run.
	 */
	test: ICredentialTestRequest = meTestRequest(
		'client',
		'The API did not accept the token n8n got for this client. Check the Client ID and Client Secret, and that the Access Token URL belongs to this Base URL.',
	);
}
