import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { ProjectManagementApi } from '../../credentials/ProjectManagementApi.credentials';
import { ProjectManagementOAuth2Api } from '../../credentials/ProjectManagementOAuth2Api.credentials';
import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { useEngineAndApi } from '../../harness/testSetup';

/** The credential dialog's behaviour: the Test button's request, and the token URL derived from the base URL. */

const { api, harness } = useEngineAndApi();

/** What n8n does on Test: resolve the test request's expressions, apply the credential, send it. */
async function pressTest(data: ICredentialDataDecryptedObject) {
	const type = new ProjectManagementApi();
	harness.setCredential('under-test', data);
	const resolved = await harness.credentials.getDecrypted(
		{},
		{ id: 'under-test', name: 'x' },
		type.name,
		'internal',
	);
	const request = type.test.request;
	const baseURL = await harness.credentials.resolveValue(String(request.baseURL), resolved);
	const options = await type.authenticate(resolved, {
		url: String(request.url),
		method: request.method,
		headers: {},
	} as IHttpRequestOptions);
	const response = await fetch(`${baseURL}${options.url}`, {
		method: options.method,
		headers: options.headers as Record<string, string>,
		signal: AbortSignal.timeout(5000),
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the API-key credential', () => {
	it.each(['header', 'bearer'])('passes the Test button with the key sent as %s', async (keyLocation) => {
		const result = await pressTest({ baseUrl: `${api.url}/`, apiKey: DEMO_CREDENTIALS.apiKey, keyLocation });
		expect(result.status).toBe(200);
		expect(result.body).toEqual(expect.objectContaining({ clientId: 'demo-api-key', authMethod: 'api_key' }));
	});

	it('fails the Test button with a wrong key', async () => {
		const result = await pressTest({ baseUrl: api.url, apiKey: 'pm_wrong', keyLocation: 'header' });
		expect(result.status).toBe(401);
	});
});

describe('the OAuth2 credential', () => {
	it('derives the token URL from the base URL, and asks for the scopes it needs', async () => {
		harness.setCredential('oauth', { baseUrl: `${api.url}/`, clientId: 'c', clientSecret: 's' });
		const resolved = await harness.credentials.getDecrypted(
			{},
			{ id: 'oauth', name: 'x' },
			new ProjectManagementOAuth2Api().name,
			'internal',
		);
		expect(resolved.accessTokenUrl).toBe(`${api.url}/oauth/token`);
		expect(resolved.grantType).toBe('clientCredentials');
		expect(String(resolved.scope).split(' ')).toContain('projects:write');
	});
});
