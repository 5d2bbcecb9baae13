import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { ProjectManagementApi } from '../../credentials/ProjectManagementApi.credentials';
import { ProjectManagementOAuth2Api } from '../../credentials/ProjectManagementOAuth2Api.credentials';
import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { useEngineAndApi } from '../../harness/testSetup';

/**
 * The credential dialog's behaviour: what Test (and Save) asks and the message n8n shows for each answer, and the
 * OAuth2 settings n8n's OAuth2 code reads, derived from the fields the dialog shows. The same checks run through a
 * real n8n's credential tester in e2e/tests/realN8n.e2e.test.ts, for both release lines.
 */

const { api, harness } = useEngineAndApi();

const apiKeyType = new ProjectManagementApi();
const oauth2Type = new ProjectManagementOAuth2Api();

/** The credential as n8n hands it to the tester: stored data with the type's defaults, expressions resolved. */
async function resolved(type: ICredentialType, data: ICredentialDataDecryptedObject) {
	harness.setCredential('under-test', data);
	return await harness.credentials.getDecrypted({}, { id: 'under-test', name: 'x' }, type.name, 'internal');
}

/** What n8n's tester shows for an HTTP answer (credentials-tester.service.js runRequestTest): a rule, or the status. */
function verdict(test: ICredentialTestRequest, status: number, statusText: string) {
	if (status >= 200 && status < 300) return { status: 'OK' };
	const rule = test.rules?.find((rule) => rule.type === 'responseCode' && rule.properties.value === status);
	return {
		status: 'Error',
		message: rule && 'message' in rule.properties ? rule.properties.message : statusText,
	};
}

/** Test on the API-key credential: resolve the test request's address, apply the key, send it. */
async function pressTest(data: ICredentialDataDecryptedObject) {
	const credentials = await resolved(apiKeyType, data);
	const request = apiKeyType.test.request;
	const baseURL = await harness.credentials.resolveValue(String(request.baseURL), credentials);
	const options = await (
		apiKeyType.authenticate as (
			c: ICredentialDataDecryptedObject,
			o: IHttpRequestOptions,
		) => Promise<IHttpRequestOptions>
	)(credentials, { url: String(request.url), method: request.method, headers: {} });
	const query = new URLSearchParams(options.qs as Record<string, string>).toString();
	const response = await fetch(`${String(baseURL)}${options.url}${query ? `?${query}` : ''}`, {
		method: options.method,
		headers: options.headers as Record<string, string>,
		signal: AbortSignal.timeout(5000),
	});
	return { baseURL, ...verdict(apiKeyType.test, response.status, response.statusText) };
}

/** Test on the OAuth2 credential, as n8n's OAuth2 code does it: a token from the token URL first, then the request. */
async function pressOAuth2Test(data: ICredentialDataDecryptedObject) {
	const credentials = await resolved(oauth2Type, data);
	const basic = Buffer.from(`${String(credentials.clientId)}:${String(credentials.clientSecret)}`).toString(
		'base64',
	);
	const token = await fetch(String(credentials.accessTokenUrl), {
		method: 'POST',
		headers: { Authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'client_credentials', scope: String(credentials.scope) }),
		signal: AbortSignal.timeout(5000),
	});
	if (!token.ok) return { status: 'Error', tokenStatus: token.status };
	const { access_token } = (await token.json()) as { access_token: string };
	const baseURL = await harness.credentials.resolveValue(
		String(oauth2Type.test.request.baseURL),
		credentials,
	);
	const response = await fetch(`${String(baseURL)}${String(oauth2Type.test.request.url)}`, {
		headers: { Authorization: `Bearer ${access_token}` },
		signal: AbortSignal.timeout(5000),
	});
	return verdict(oauth2Type.test, response.status, response.statusText);
}

describe('the API-key credential', () => {
	it.each(['header', 'bearer', 'query'])('passes Test with the key sent as %s', async (keyLocation) => {
		const result = await pressTest({ baseUrl: `${api.url}/`, apiKey: DEMO_CREDENTIALS.apiKey, keyLocation });
		expect(result.status).toBe('OK');
	});

	it('says that the key was not accepted, instead of "Unauthorized"', async () => {
		const result = await pressTest({ baseUrl: api.url, apiKey: 'pm_wrong', keyLocation: 'header' });
		expect(result).toEqual(
			expect.objectContaining({
				status: 'Error',
				message: expect.stringMatching(/^The API did not accept this key/),
			}),
		);
	});

	it('says that nothing answers at the Base URL, instead of "Not Found"', async () => {
		const result = await pressTest({ baseUrl: `${api.url}/app`, apiKey: DEMO_CREDENTIALS.apiKey });
		expect(result.message).toMatch(/^Nothing answers at this Base URL/);
	});

	it('accepts a Base URL ending in /api/v1, and reads one without a scheme as https://', async () => {
		expect(await pressTest({ baseUrl: `${api.url}/api/v1/`, apiKey: DEMO_CREDENTIALS.apiKey })).toEqual(
			expect.objectContaining({ status: 'OK' }),
		);
		const credentials = await resolved(apiKeyType, { baseUrl: ' pm.example.com/ ', apiKey: 'k' });
		expect(await harness.credentials.resolveValue(String(apiKeyType.test.request.baseURL), credentials)).toBe(
			'https://pm.example.com',
		);
	});

	it('has a message for every answer a user can act on', () => {
		const codes = (apiKeyType.test.rules ?? []).map((rule) => (rule.properties as { value: number }).value);
		expect(codes).toEqual(expect.arrayContaining([401, 403, 404, 429, 500, 502, 503, 504]));
	});
});

describe('the OAuth2 credential', () => {
	it('shows Base URL before everything but Client ID and Client Secret, which n8n places first', () => {
		const shown = oauth2Type.properties.filter((property) => property.type !== 'hidden').map((p) => p.name);
		expect(shown).toEqual([
			'clientId',
			'clientSecret',
			'baseUrl',
			'tokenUrl',
			'requestedScope',
			'sendClientCredentials',
		]);
	});

	it('derives what n8n reads (token URL, scope, where the client credentials go) from the fields shown', async () => {
		const credentials = await resolved(oauth2Type, {
			baseUrl: `${api.url}/api/v1/`,
			clientId: 'c',
			clientSecret: 's',
		});
		expect(credentials.accessTokenUrl).toBe(`${api.url}/oauth/token`);
		expect(credentials.grantType).toBe('clientCredentials');
		expect(String(credentials.scope).split(' ')).toEqual([
			'projects:read',
			'projects:write',
			'directory:read',
			'webhooks:write',
		]);
		expect(credentials.authentication).toBe('header');

		const changed = await resolved(oauth2Type, {
			baseUrl: 'pm.example.com',
			tokenUrl: ' https://login.example.com/token ',
			requestedScope: 'projects:read',
			sendClientCredentials: 'body',
			clientId: 'c',
			clientSecret: 's',
		});
		expect(changed.accessTokenUrl).toBe('https://login.example.com/token');
		expect(changed.scope).toBe('projects:read');
		expect(changed.authentication).toBe('body');
		const derived = await resolved(oauth2Type, {
			baseUrl: 'pm.example.com',
			clientId: 'c',
			clientSecret: 's',
		});
		expect(derived.accessTokenUrl).toBe('https://pm.example.com/oauth/token');
	});

	it('passes Test with the right client, and a wrong secret is refused at the token URL before the first run', async () => {
		const good = {
			baseUrl: api.url,
			clientId: DEMO_CREDENTIALS.oauthClientId,
			clientSecret: DEMO_CREDENTIALS.oauthClientSecret,
		};
		expect(await pressOAuth2Test(good)).toEqual({ status: 'OK' });
		expect(await pressOAuth2Test({ ...good, clientSecret: 'wrong' })).toEqual({
			status: 'Error',
			tokenStatus: 401,
		});
	});

	it('has the same messages as the API-key credential for the answers of the test request', () => {
		const codes = (oauth2Type.test.rules ?? []).map((rule) => (rule.properties as { value: number }).value);
		expect(codes).toEqual(expect.arrayContaining([401, 403, 404, 429, 500, 502, 503, 504]));
		expect(oauth2Type.test.request).toEqual(apiKeyType.test.request);
	});
});
