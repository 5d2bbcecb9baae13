import type { IDataObject } from 'n8n-workflow';

import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { apiKeyWithAllScopes, oauthClientWithAllScopes } from '../../harness/referenceApi/grants';
import { useEngineAndApi } from '../../harness/testSetup';

/**
 * The editor's dropdowns, pickers and custom-field form, called as n8n's server calls them: n8n-core's
 * LoadOptionsContext with the stored credential, over real HTTP to the reference API.
 */

const NO_DIRECTORY_KEY = 'pm_no_directory_0123456789';
const SECRET_CLIENT = 'picker-client-secret-9a8b7c6d';

const { api, harness } = useEngineAndApi({
	api: {
		apiKeys: [
			apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, 'demo-api-key', 'Demo'),
			{
				key: NO_DIRECTORY_KEY,
				clientId: 'no-directory',
				name: 'Projects only',
				scopes: ['projects:read', 'projects:write'],
			},
		],
		oauthClients: [oauthClientWithAllScopes('picker-client', SECRET_CLIENT, 'Picker client')],
	},
	eachTest: { apiKeyCredentials: { key: DEMO_CREDENTIALS.apiKey } },
});

const call = { credentialId: 'key' };

async function seed(names: string[]) {
	for (const name of names) {
		const response = await fetch(`${api.url}/api/v1/projects`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'X-API-Key': DEMO_CREDENTIALS.apiKey },
			body: JSON.stringify({ name }),
		});
		if (response.status !== 201) throw new Error(`seed ${name}: HTTP ${response.status}`);
	}
}

async function directory(path: string): Promise<IDataObject[]> {
	const response = await fetch(`${api.url}/api/v1${path}?limit=100`, {
		headers: { 'X-API-Key': DEMO_CREDENTIALS.apiKey },
	});
	return ((await response.json()) as { data: IDataObject[] }).data;
}

describe('pickers and dropdowns, loaded from the API', () => {
	it('lists users as "name (email)" with their IDs, and searches them', async () => {
		const users = await directory('/users');
		const all = await harness.callMethod('listSearch', 'searchUsers', call);
		expect(all.results).toEqual(
			users.map((user) => ({ name: `${user.name} (${user.email})`, value: user.id })),
		);
		const found = await harness.callMethod('listSearch', 'searchUsers', { ...call, filter: 'GRACE' });
		expect(found.results.map((user) => user.value)).toEqual(
			users.filter((user) => /grace/i.test(String(user.name))).map((user) => user.id),
		);
		const byEmail = await harness.callMethod('listSearch', 'searchUsers', { ...call, filter: 'alan@' });
		expect(byEmail.results).toHaveLength(1);
	});

	it('offers every team by name, sorted, with the ID as value', async () => {
		const teams = await directory('/teams');
		const options = await harness.callMethod('loadOptions', 'getTeams', call);
		expect(options.map((option) => option.value).sort()).toEqual(teams.map((team) => team.id).sort());
		const names = options.map((option) => option.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		expect(options).toContainEqual(expect.objectContaining({ name: 'Design', value: 'team_design' }));
	});

	it("takes the statuses and priorities from the API's OpenAPI document, in its order", async () => {
		const doc = (await (await fetch(`${api.url}/api/v1/openapi.json`)).json()) as IDataObject;
		const project = ((doc.components as IDataObject).schemas as IDataObject).Project as IDataObject;
		const published = (field: string) =>
			(((project.properties as IDataObject)[field] as IDataObject).enum as unknown[]).filter(
				(value) => typeof value === 'string',
			);
		const statuses = await harness.callMethod('loadOptions', 'getStatuses', call);
		expect(statuses.map((option) => option.value)).toEqual(published('status'));
		const priorities = await harness.callMethod('loadOptions', 'getPriorities', call);
		expect(priorities.map((option) => option.value)).toEqual(published('priority'));
	});

	it("searches projects by name, page by page, with a link to each project's page", async () => {
		await seed(Array.from({ length: 60 }, (_, index) => `Client ${index + 1}`));
		await seed(['Internal tooling']);
		const first = await harness.callMethod('listSearch', 'searchProjects', { ...call, filter: 'client' });
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBeTruthy();
		expect(first.results[0]).toEqual({
			name: 'Client 1',
			value: expect.stringMatching(/^prj_/),
			url: `${api.url}/projects/${first.results[0].value}`,
		});
		const second = await harness.callMethod('listSearch', 'searchProjects', {
			...call,
			filter: 'client',
			paginationToken: first.paginationToken,
		});
		expect(second.results.map((project) => project.name)).toEqual(
			Array.from({ length: 10 }, (_, index) => `Client ${index + 51}`),
		);
		expect(second.paginationToken).toBeUndefined();
	});

	it("builds the custom-field form from the API's definitions: label, input type, options", async () => {
		const definitions = await directory('/custom-fields');
		const { fields } = await harness.callMethod('resourceMapping', 'getCustomFields', call);
		const inputFor: Record<string, string> = {
			text: 'string',
			number: 'number',
			date: 'dateTime',
			option: 'options',
			boolean: 'boolean',
		};
		expect(fields.map((field) => [field.id, field.displayName, field.type])).toEqual(
			definitions.map((definition) => [
				definition.key,
				definition.label,
				inputFor[definition.type as string],
			]),
		);
		const option = definitions.find((definition) => definition.type === 'option') as IDataObject;
		expect(fields.find((field) => field.id === option.key)?.options).toEqual(
			(option.options as string[]).map((value) => ({ name: value, value })),
		);
		expect(fields.every((field) => !field.required && field.display)).toBe(true);
	});

	it('works the same with the OAuth2 credential, n8n-core fetching the token', async () => {
		harness.setCredential('oauth', {
			baseUrl: api.url,
			clientId: 'picker-client',
			clientSecret: SECRET_CLIENT,
			scope: 'projects:read directory:read',
			authentication: 'body',
		});
		const options = await harness.callMethod('loadOptions', 'getTeams', {
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'oauth',
		});
		expect(options.length).toBeGreaterThan(0);
		expect((await api.stats()).tokensIssued).toBeGreaterThan(0);
	});
});

describe('a dropdown that cannot load says why, in one plain sentence', () => {
	async function failureOf(promise: Promise<unknown>): Promise<Error & { description?: unknown }> {
		try {
			await promise;
		} catch (error) {
			return error as Error & { description?: unknown };
		}
		throw new Error('expected the method to fail');
	}

	it('when the credential may not read the directory', async () => {
		harness.setCredential('no-dir', { baseUrl: api.url, apiKey: NO_DIRECTORY_KEY });
		for (const [kind, method, what] of [
			['loadOptions', 'getTeams', 'the teams'],
			['listSearch', 'searchUsers', 'the users'],
		] as const) {
			const error = await failureOf(
				harness.callMethod(kind as 'loadOptions', method, { credentialId: 'no-dir' }),
			);
			expect(error.constructor.name).toBe('NodeOperationError');
			expect(error.message).toMatch(
				new RegExp(`^Could not load ${what}: the credential is not allowed to read them`),
			);
			expect(error.message).toMatch(/directory:read/);
			expect(error.message).not.toContain(NO_DIRECTORY_KEY);
			expect(error.message).not.toMatch(/\n\s+at /);
		}
	});

	it('the custom-field form says in its place why it is empty and how to get it back', async () => {
		const notice = async (credentialId: string) => {
			const result = await harness.callMethod('resourceMapping', 'getCustomFields', { credentialId });
			expect(result.fields).toEqual([]);
			return result.emptyFieldsNotice as string;
		};
		harness.setCredential('no-dir', { baseUrl: api.url, apiKey: NO_DIRECTORY_KEY });
		const forbidden = await notice('no-dir');
		expect(forbidden).toMatch(
			/^Could not load the custom fields: the credential is not allowed to read them/,
		);
		expect(forbidden).toMatch(/close this node and open it again/);
		expect(forbidden).not.toContain(NO_DIRECTORY_KEY);
		harness.setCredential('wrong-form', { baseUrl: api.url, apiKey: 'pm_wrong_key_000000' });
		expect(await notice('wrong-form')).toMatch(/the API did not accept the credentials.*open it again/);
	});

	it('when the key is wrong', async () => {
		harness.setCredential('wrong', { baseUrl: api.url, apiKey: 'pm_wrong_key_000000' });
		const error = await failureOf(harness.callMethod('loadOptions', 'getTeams', { credentialId: 'wrong' }));
		expect(error.message).toBe(
			'Could not load the teams: the API did not accept the credentials. Open the credential and check it with its Test button.',
		);
	});

	it("when the API is down, while statuses fall back to the node's own list", async () => {
		const gone = await ReferenceApi.start();
		const url = gone.url;
		await gone.close();
		harness.setCredential('down', { baseUrl: url, apiKey: DEMO_CREDENTIALS.apiKey });
		const error = await failureOf(
			harness.callMethod('listSearch', 'searchProjects', { credentialId: 'down' }),
		);
		expect(error.message).toMatch(
			/^Could not load the projects: the API refused the connection .*Check the Base URL/,
		);
		const statuses = await harness.callMethod('loadOptions', 'getStatuses', { credentialId: 'down' });
		expect(statuses.map((option) => option.value)).toEqual(
			expect.arrayContaining(['Draft', 'Active', 'Completed']),
		);
	});
});
