import type { CredentialImport } from './home';

/** How a workflow refers to a saved credential: its id and name. */
export interface CredentialRef {
	id: string;
	name: string;
}

/** The credentials the suite's workflows use (createProjectsWorkflow), one of each type. */
export const API_KEY_CREDENTIAL: CredentialRef = {
	id: 'pmE2eApiKey00001',
	name: 'Project Management (API key)',
};
export const OAUTH2_CREDENTIAL: CredentialRef = {
	id: 'pmE2eOAuth200001',
	name: 'Project Management (OAuth2)',
};

/**
 * One credential of each of the package's types, as `n8n import:credentials` takes them, pointing at the
 * reference API at `apiUrl`: the API key sent in the X-API-Key header, and an OAuth2 client.
 */
export function projectManagementCredentials(
	apiUrl: string,
	secrets: { apiKey: string; clientId: string; clientSecret: string },
	refs: { apiKey: CredentialRef; oauth2: CredentialRef } = {
		apiKey: API_KEY_CREDENTIAL,
		oauth2: OAUTH2_CREDENTIAL,
	},
): CredentialImport[] {
	return [
		{
			...refs.apiKey,
			type: 'projectManagementApi',
			data: { baseUrl: apiUrl, apiKey: secrets.apiKey, keyLocation: 'header' },
		},
		{
			...refs.oauth2,
			type: 'projectManagementOAuth2Api',
			data: { baseUrl: apiUrl, clientId: secrets.clientId, clientSecret: secrets.clientSecret },
		},
	];
}
