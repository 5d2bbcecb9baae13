import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { apiKeyWithAllScopes, oauthClientWithAllScopes } from '../../harness/referenceApi/grants';
import { ReferenceApi } from '../../harness/referenceApi/client';
import {
	API_KEY_CREDENTIAL,
	OAUTH2_CREDENTIAL,
	projectManagementCredentials,
} from '../../harness/realN8n/credentials';
import { N8nHome, nodeOutput } from '../../harness/realN8n/home';
import { N8N_LINES, installedVersion, type N8nLine } from '../../harness/realN8n/install';
import { N8nServer } from '../../harness/realN8n/server';
import { NODE, createProjectsWorkflow } from '../../harness/realN8n/workflows';
import { DEMO_CREDENTIALS, noFaults } from '../../reference-api/src';
import { packedExtensions } from './globalSetup';

/**
 * The package in a real n8n, the way users run it: n8n installed from the registry (each release line in its
 * own folder), the package loaded from its `npm pack` tarball, credentials and workflows imported with n8n's
 * CLI, executions run with `n8n execute`, the credential Test button's request sent through n8n's own REST API.
 * The reference API runs in this process on loopback; what it holds is checked after every run.
 */

const CANARY_KEY = 'pm_e2e_canary_key_7a6b5c4d3e2f1a0b';
const CANARY_SECRET = 'e2e-canary-client-secret-0f1e2d3c';
const SECRETS = [CANARY_KEY, CANARY_SECRET];
const WRONG_SECRET_CREDENTIAL = { id: 'pmE2eWrongSec001', name: 'Project Management (wrong secret)' };

const lines = N8N_LINES.filter((line) => installedVersion(line) !== undefined);

function expectNoSecrets(text: string) {
	for (const secret of SECRETS) expect(text).not.toContain(secret);
}

test('every n8n line of the suite is installed', () => {
	expect(lines).toEqual(N8N_LINES);
});

describe.each(lines)('n8n %s', (line: N8nLine) => {
	let api: ReferenceApi;
	let n8n: N8nHome;

	beforeAll(async () => {
		api = await ReferenceApi.start({
			apiKeys: [
				apiKeyWithAllScopes(CANARY_KEY, 'e2e-key', 'e2e key'),
				apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, 'demo-api-key', 'Demo'),
			],
			oauthClients: [oauthClientWithAllScopes('e2e-client', CANARY_SECRET, 'e2e client')],
		});
		n8n = new N8nHome(line, { extensions: packedExtensions() });
		await n8n.importCredentials([
			...projectManagementCredentials(api.url, {
				apiKey: CANARY_KEY,
				clientId: 'e2e-client',
				clientSecret: CANARY_SECRET,
			}),
			{
				...WRONG_SECRET_CREDENTIAL,
				type: 'projectManagementOAuth2Api',
				data: { baseUrl: api.url, clientId: 'e2e-client', clientSecret: 'not-the-secret' },
			},
		]);
	});

	afterAll(async () => {
		await api?.close();
	});

	beforeEach(async () => {
		await api.reset();
		await api.configure({
			faults: { seed: 7, rates: noFaults() },
			rateLimit: { enabled: false },
			latencyMs: 0,
		});
	});

	async function runWorkflow(workflow: ReturnType<typeof createProjectsWorkflow>) {
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id);
		expectNoSecrets(result.cli.stdout + result.cli.stderr);
		return result;
	}

	it('creates a project with every field, through the API-key credential', async () => {
		const result = await runWorkflow(
			createProjectsWorkflow({
				id: `everyField${line.replace('.', '')}`,
				credential: 'apiKey',
				rows: [
					{ deal: 'D-100', name: 'Apollo launch', start: '2027-02-01T09:00:00', end: '2027-06-30T17:00:00' },
				],
				parameters: {
					name: '={{ $json.name }}',
					additionalFields: {
						description: 'Created by the end-to-end suite',
						status: 'Planned',
						priority: 'High',
						startDate: '={{ $json.start }}',
						endDate: '={{ $json.end }}',
						ownerId: { __rl: true, mode: 'list', value: 'usr_1002', cachedResultName: 'Grace Hopper' },
						teamIds: ['team_engineering', 'team_design'],
						budget: { budgetValues: { currency: 'EUR', amount: 125000.5 } },
						customFieldsUi: { field: [{ key: 'crmDealId', value: '={{ $json.deal }}' }] },
					},
					customFields: {
						mappingMode: 'defineBelow',
						value: { department: 'Engineering', riskScore: 3 },
						matchingColumns: [],
						schema: [],
					},
					options: {},
				},
			}),
		);
		expect(result.error).toBeUndefined();
		const [item, ...rest] = nodeOutput(result, NODE);
		expect(rest).toHaveLength(0);
		expect(item).toEqual(
			expect.objectContaining({
				id: expect.stringMatching(/^prj_/),
				name: 'Apollo launch',
				description: 'Created by the end-to-end suite',
				status: 'Planned',
				priority: 'High',
				ownerId: 'usr_1002',
				teamIds: ['team_engineering', 'team_design'],
				budget: { currency: 'EUR', amount: 125000.5 },
				customFields: { department: 'Engineering', riskScore: 3, crmDealId: 'D-100' },
			}),
		);
		expect(item.startDate).toMatch(/^2027-02-01T/);
		expect(item._result).toEqual(expect.objectContaining({ outcome: 'created' }));

		const stored = await api.projects();
		expect(stored.map((project) => project.id)).toEqual([item.id]);
		const attempts = await api.createAttempts();
		expect(attempts).toHaveLength(1);
		expect(attempts[0].clientId).toBe('e2e-key');
		expect(attempts[0].idempotencyKey).toBe((item._result as { idempotencyKey: string }).idempotencyKey);
	});

	it('creates a project through the OAuth2 client-credentials credential, n8n fetching the token', async () => {
		const result = await runWorkflow(
			createProjectsWorkflow({
				id: `oauth${line.replace('.', '')}`,
				credential: 'oauth2',
				rows: [{ name: 'Gemini review' }],
				parameters: { name: '={{ $json.name }}', options: {} },
			}),
		);
		expect(result.error).toBeUndefined();
		const [item] = nodeOutput(result, NODE);
		expect(item._result).toEqual(expect.objectContaining({ outcome: 'created' }));
		const stats = await api.stats();
		expect(stats.tokensIssued).toBeGreaterThanOrEqual(1);
		const [attempt] = await api.createAttempts();
		expect(attempt.clientId).toBe('e2e-client');
		expect((await api.projects()).map((project) => project.name)).toEqual(['Gemini review']);

		// The API expires the token n8n stored: on the next run the API answers 401, n8n fetches a new token and
		// sends the request again.
		await api.expireTokens();
		const again = await runWorkflow(
			createProjectsWorkflow({
				id: `oauthAgain${line.replace('.', '')}`,
				credential: 'oauth2',
				rows: [{ name: 'Gemini review, after the token expired' }],
				parameters: { name: '={{ $json.name }}', options: {} },
			}),
		);
		expect(again.error).toBeUndefined();
		const [second] = nodeOutput(again, NODE);
		expect(second.error).toBeUndefined();
		expect(second._result).toEqual(expect.objectContaining({ outcome: 'created' }));
		expect((await api.stats()).tokensIssued).toBeGreaterThan(stats.tokensIssued);
		const refused = (await api.requests()).filter((entry) => entry.status === 401);
		expect(refused.length).toBeGreaterThanOrEqual(1);
	});

	it('with Continue On Fail, a duplicate name and an invalid row fail on their own and the rest is created', async () => {
		const taken = await fetch(`${api.url}/api/v1/projects`, {
			method: 'POST',
			headers: { 'X-API-Key': DEMO_CREDENTIALS.apiKey, 'content-type': 'application/json' },
			body: JSON.stringify({ name: 'Already there' }),
		});
		expect(taken.status).toBe(201);

		const result = await runWorkflow(
			createProjectsWorkflow({
				id: `continueOnFail${line.replace('.', '')}`,
				credential: 'apiKey',
				rows: [
					{ name: 'First fine row', start: '2027-03-01' },
					{ name: 'Already there', start: '2027-03-01' },
					{ name: 'Row with a bad date', start: 'next tuesday' },
					{ name: 'Last fine row', start: '2027-03-02' },
				],
				parameters: {
					name: '={{ $json.name }}',
					additionalFields: { startDate: '={{ $json.start }}' },
					options: {},
				},
				settings: { onError: 'continueRegularOutput' },
			}),
		);
		expect(result.error).toBeUndefined();
		const items = nodeOutput(result, NODE);
		expect(items).toHaveLength(4);
		expect(items[0]).toEqual(expect.objectContaining({ name: 'First fine row' }));
		expect(items[1].error).toMatch(/already exists/);
		expect(items[1].error).toMatch(/^Item 2 \("Already there"\): /);
		expect(items[2].error).toMatch(/Start Date/);
		expect(items[2].error).toMatch(/^Item 3 \("Row with a bad date"\): /);
		expect(items[3]).toEqual(expect.objectContaining({ name: 'Last fine row' }));

		const names = (await api.projects()).map((project) => project.name).sort();
		expect(names).toEqual(['Already there', 'First fine row', 'Last fine row']);
		const attempted = (await api.createAttempts()).length;
		expect(attempted).toBe(1 + 3); // the setup's POST, then three: the bad date never left n8n
	});

	it('a rate-limited batch slows down to the rate the API grants and creates every item once', async () => {
		const limit = { capacity: 3, refillPerSecond: 10 };
		await api.configure({ rateLimit: { enabled: true, ...limit } });
		const rows = Array.from({ length: 24 }, (_, index) => ({ name: `Rate-limited ${index + 1}` }));
		const result = await runWorkflow(
			createProjectsWorkflow({
				id: `rateLimited${line.replace('.', '')}`,
				credential: 'apiKey',
				rows,
				parameters: { name: '={{ $json.name }}', options: {} },
			}),
		);
		expect(result.error).toBeUndefined();
		const items = nodeOutput(result, NODE);
		expect(items.map((item) => item.name)).toEqual(rows.map((row) => row.name));
		expect(items.every((item) => (item._result as { outcome: string }).outcome === 'created')).toBe(true);

		const attempts = await api.createAttempts();
		const accepted = attempts.filter((attempt) => attempt.status === 201);
		const refused = attempts.filter((attempt) => attempt.status === 429);
		expect(accepted).toHaveLength(rows.length);
		// Slowed down rather than hammering: the requests the API refused stay a minority of the attempts.
		expect(refused.length).toBeLessThan(rows.length / 2);
		const stored = await api.projects();
		expect(stored).toHaveLength(rows.length);
		expect(new Set(stored.map((project) => project.name)).size).toBe(rows.length);
	});

	it("n8n's Retry On Fail re-runs the node after injected failures without creating anything twice", async () => {
		await api.configure({ faults: { seed: 11, rates: { ...noFaults(), errorAfterCommit: 0.25 } } });
		const rows = Array.from({ length: 8 }, (_, index) => ({ name: `Retried ${index + 1}` }));
		const result = await runWorkflow(
			createProjectsWorkflow({
				id: `retryOnFail${line.replace('.', '')}`,
				credential: 'apiKey',
				rows,
				// One attempt per item inside the node, so that a fault fails the node and n8n's own retry runs.
				parameters: { name: '={{ $json.name }}', options: { maxAttempts: 1 } },
				settings: { retryOnFail: true, maxTries: 5, waitBetweenTries: 0 },
			}),
		);
		const attempts = await api.createAttempts();
		const keys = attempts.map((attempt) => attempt.idempotencyKey);
		// n8n ran the node again: some keys were sent more than once, and the API answered them from its store.
		expect(new Set(keys).size).toBeLessThan(keys.length);
		expect(attempts.some((attempt) => attempt.replayed)).toBe(true);

		const stored = await api.projects();
		expect(new Set(stored.map((project) => project.name)).size).toBe(stored.length);
		expect(stored.length).toBeLessThanOrEqual(rows.length);
		if (result.error === undefined) {
			const items = nodeOutput(result, NODE);
			expect(items.map((item) => item.name)).toEqual(rows.map((row) => row.name));
			expect(items.map((item) => item.id).sort()).toEqual(stored.map((project) => project.id).sort());
		}
	});

	describe('in the running n8n server', () => {
		let server: N8nServer;

		beforeAll(async () => {
			server = await N8nServer.start(n8n);
		});

		afterAll(async () => {
			await server?.stop();
		});

		it('the credential Test button asks the API who the key belongs to, and says when the key is wrong', async () => {
			const good = await server.testCredential({
				...API_KEY_CREDENTIAL,
				type: 'projectManagementApi',
				data: { baseUrl: api.url, apiKey: CANARY_KEY, keyLocation: 'header' },
			});
			expect(good).toEqual(expect.objectContaining({ status: 'OK' }));
			const me = (await api.requests()).filter((entry) => entry.route === '/api/v1/me');
			expect(me).toHaveLength(1);
			expect(me[0]).toEqual(expect.objectContaining({ method: 'GET', status: 200, clientId: 'e2e-key' }));

			const bad = await server.testCredential({
				...API_KEY_CREDENTIAL,
				type: 'projectManagementApi',
				data: { baseUrl: api.url, apiKey: 'pm_wrong_key_000000000000', keyLocation: 'header' },
			});
			const nowhere = await server.testCredential({
				...API_KEY_CREDENTIAL,
				type: 'projectManagementApi',
				data: { baseUrl: `${api.url}/app`, apiKey: CANARY_KEY, keyLocation: 'header' },
			});
			expect(bad.status).toBe('Error');
			expect(nowhere.status).toBe('Error');
			if (line === '2.x') {
				// n8n 2.x shows the credential's own message for the answer's status (its test `rules`).
				expect(bad.message).toMatch(/^The API did not accept this key/);
				expect(nowhere.message).toMatch(/^Nothing answers at this Base URL/);
			} else {
				// n8n 1.x does not reach the rules with this request helper; it shows its own general wording.
				expect(bad.message).toMatch(/Authorization failed/);
				expect(nowhere.message).toMatch(/could not be found/);
			}
			expectNoSecrets(JSON.stringify([bad, nowhere]));
		});

		it('the OAuth2 credential is tested too: n8n gets a token with the client ID and secret, so a wrong secret shows on Save', async () => {
			const good = await server.testCredential({
				...OAUTH2_CREDENTIAL,
				type: 'projectManagementOAuth2Api',
				data: { baseUrl: api.url, clientId: 'e2e-client', clientSecret: CANARY_SECRET },
			});
			expect(good).toEqual(expect.objectContaining({ status: 'OK' }));
			const me = (await api.requests()).filter((entry) => entry.route === '/api/v1/me');
			expect(me.map((entry) => entry.clientId)).toContain('e2e-client');

			// A credential saved with a wrong secret, as the editor saves it before it tests (n8n 1.x tests the saved
			// credential; 2.x what the dialog holds).
			const wrong = await server.testCredential({
				...WRONG_SECRET_CREDENTIAL,
				type: 'projectManagementOAuth2Api',
				data: { baseUrl: api.url, clientId: 'e2e-client', clientSecret: 'not-the-secret' },
			});
			expect(wrong.status).toBe('Error');
			expect(wrong.message).toMatch(/Client authentication failed/);
			expectNoSecrets(JSON.stringify(wrong));
		});
	});

	it('n8n logged no secret', () => {
		const logDir = path.join(n8n.userFolder, '.n8n', 'logs');
		if (!existsSync(logDir)) return;
		for (const file of readdirSync(logDir)) {
			expectNoSecrets(readFileSync(path.join(logDir, file), 'utf8'));
		}
	});
});
