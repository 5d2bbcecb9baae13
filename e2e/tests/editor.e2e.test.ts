import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { selectors, type Locator, type Page } from 'playwright-core';

import { PACKAGE_ROOT } from '../../harness/package/paths';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { apiKeyWithAllScopes, oauthClientWithAllScopes } from '../../harness/referenceApi/grants';
import { launchBrowser, type RunningBrowser } from '../../harness/realN8n/browser';
import { projectManagementCredentials } from '../../harness/realN8n/credentials';
import { N8nHome } from '../../harness/realN8n/home';
import { E2E_ROOT, installedVersion } from '../../harness/realN8n/install';
import { N8nRestClient, OWNER } from '../../harness/realN8n/restClient';
import { N8nServer } from '../../harness/realN8n/server';
import { waitFor } from '../../harness/waitFor';
import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { packedExtensions } from './globalSetup';

/**
 * The node in n8n's real editor, driven in Chromium the way a user works: sign in, add the node from the node
 * creator, pick the credential, fill the fields (a text field, an options list, a list loaded from the API, a
 * date), run the step and read the output panel; then open the credential. Then the first hour of someone who does
 * not write code (issue 15): both credentials created from the node, a mistyped OAuth2 secret shown in the dialog,
 * two CRM deals mapped with expressions (the owner by email), a plain error naming the bad one as people count,
 * and the good one's project with the user as owner. The reference API confirms what was created and with which
 * credential, and no answer n8n sent the browser holds the key or the secret.
 *
 * Screenshots land in e2e/.state/screenshots on every run; with E2E_UPDATE_SCREENSHOTS=1 they also replace the
 * ones in docs/screenshots that the README shows.
 */

const ARTIFACTS = path.join(E2E_ROOT, '.state', 'screenshots');
const DOCS = path.join(PACKAGE_ROOT, 'docs', 'screenshots');

const CANARY_KEY = 'pm_editor_canary_key_5e4d3c2b1a09';
const CANARY_SECRET = 'editor-canary-client-secret-9a8b7c';
const API_KEY_CREDENTIAL = { id: 'pmEditorApiKey01', name: 'Project Management demo (API key)' };
const OAUTH2_CREDENTIAL = { id: 'pmEditorOAuth201', name: 'Project Management demo (OAuth2)' };
const PROJECT_NAME = 'Website relaunch';
const TRIGGER_PROJECT = 'Annual report';
/** Two won deals as a CRM hands them over: the owner by email, dates without a time; the second ends before it starts. */
const DEALS = [
	{
		dealName: 'Acme onboarding',
		ownerEmail: 'grace@example.com',
		closeDate: '2027-03-01',
		dueDate: '2027-06-30',
	},
	{ dealName: 'Office move', ownerEmail: 'alan@example.com', closeDate: '2027-05-01', dueDate: '2027-04-15' },
];

const STEP_MS = 30_000;
const PAGE_LOAD_MS = 90_000;

const available = installedVersion('2.x') !== undefined;
const describeIf = available ? describe : describe.skip;

/** Writes a screenshot among the run's artifacts and, when asked, over the one the README shows. */
function keepScreenshot(file: string) {
	if (process.env.E2E_UPDATE_SCREENSHOTS !== '1') return;
	mkdirSync(DOCS, { recursive: true });
	copyFileSync(path.join(ARTIFACTS, file), path.join(DOCS, file));
}

/** Toasts ("Node executed successfully") cover part of the panel in screenshots. */
async function closeToasts(page: Page) {
	const close = page.locator('.el-notification .el-notification__closeBtn');
	for (let i = await close.count(); i > 0; i--)
		await close
			.first()
			.click({ timeout: 5_000 })
			.catch(() => undefined);
	await page
		.locator('.el-notification')
		.first()
		.waitFor({ state: 'detached', timeout: 10_000 })
		.catch(() => undefined);
}

/**
 * Opens a dropdown and picks an entry. A click that lands while another dropdown is still closing opens
 * nothing, so the opening click is repeated until the entry shows.
 */
async function choose(trigger: Locator, entry: Locator) {
	for (let attempt = 1; ; attempt++) {
		await trigger.click();
		try {
			await entry.waitFor({ state: 'visible', timeout: 10_000 });
			break;
		} catch (error) {
			if (attempt === 3) throw error;
		}
	}
	await entry.click();
}

/** A request to the API with the test's own key (the editor's credential holds the same one). */
async function apiCall(
	apiUrl: string,
	method: string,
	route: string,
	body: unknown,
): Promise<Record<string, unknown>> {
	const response = await fetch(`${apiUrl}/api/v1${route}`, {
		method,
		headers: { 'X-API-Key': CANARY_KEY, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status}`);
	return (await response.json()) as Record<string, unknown>;
}

/** Switches a field to Expression (the toggle shown on hover) and types the expression into its editor. */
async function mapWithExpression(page: Page, field: Locator, expression: string) {
	const withToggle = field.locator('xpath=ancestor::*[.//*[@data-test-id="radio-button-expression"]][1]');
	await withToggle.hover();
	await withToggle.getByTestId('radio-button-expression').first().click();
	await field.locator('.cm-content').fill(expression);
	await expectText(field.locator('.cm-content'), expression);
	await page.mouse.move(0, 0);
}

/** Waits until one of the elements shows the text. */
async function expectText(locator: Locator, text: string) {
	await locator.filter({ hasText: text }).first().waitFor();
}

describeIf('the node in the n8n 2.x editor, in Chromium', () => {
	let api: ReferenceApi;
	let home: N8nHome;
	let server: N8nServer;
	let browser: RunningBrowser;
	let page: Page;
	/** Every body n8n's REST API sent the browser. */
	const restBodies: string[] = [];

	beforeAll(async () => {
		selectors.setTestIdAttribute('data-test-id');
		mkdirSync(ARTIFACTS, { recursive: true });
		api = await ReferenceApi.start({
			apiKeys: [
				apiKeyWithAllScopes(CANARY_KEY, 'editor-e2e-key', 'editor e2e'),
				// The one the test reads the projects back with.
				{ key: DEMO_CREDENTIALS.apiKey, clientId: 'demo-api-key', name: 'Demo', scopes: ['projects:read'] },
			],
			oauthClients: [oauthClientWithAllScopes('editor-e2e-client', CANARY_SECRET, 'editor e2e')],
		});
		home = new N8nHome('2.x', { extensions: packedExtensions() });
		await home.importCredentials(
			projectManagementCredentials(
				api.url,
				{ apiKey: CANARY_KEY, clientId: 'editor-e2e-client', clientSecret: CANARY_SECRET },
				{ apiKey: API_KEY_CREDENTIAL, oauth2: OAUTH2_CREDENTIAL },
			),
		);
		server = await N8nServer.start(home, { lifetimeSeconds: 600 });
		browser = await launchBrowser();
		page = await browser.context.newPage();
		page.setDefaultTimeout(STEP_MS);
		page.on('response', (response) => {
			if (!response.url().startsWith(`${server.url}/rest/`)) return;
			response.text().then(
				(body) => restBodies.push(body),
				() => undefined,
			);
		});
	}, 300_000);

	let step = 0;
	afterEach(async () => {
		// What the page showed when each test ended, for a failure's post-mortem.
		await page?.screenshot({ path: path.join(ARTIFACTS, `after-test-${++step}.png`) }).catch(() => undefined);
	});

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		await api?.close();
		if (home) rmSync(home.userFolder, { recursive: true, force: true });
	});

	it('signs in and adds the node to a new workflow through the node creator', async () => {
		await page.goto(`${server.url}/signin`, { waitUntil: 'domcontentloaded', timeout: PAGE_LOAD_MS });
		await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email, { timeout: PAGE_LOAD_MS });
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: PAGE_LOAD_MS });

		await page.goto(`${server.url}/workflow/new`, { waitUntil: 'domcontentloaded', timeout: PAGE_LOAD_MS });
		await page.getByTestId('canvas-plus-button').click({ timeout: PAGE_LOAD_MS });
		await page.getByTestId('node-creator-search-bar').fill('Project Management');
		await page
			.getByTestId('node-creator-item-name')
			.filter({ hasText: /^Project Management$/ })
			.click();
		// For a first step the node creator opens the package's triggers and folds its actions away.
		const actions = page.getByTestId('node-creator-item-name');
		await expectText(actions, 'On project status changed');
		const create = actions.filter({ hasText: /^Create a project$/ });
		if (!(await create.isVisible())) await page.getByText(/^Actions \(\d+\)$/).click();
		// The node's actions, one per operation, as the node creator lists them.
		for (const action of [
			'Create a project',
			'Get a project',
			'Get many projects',
			'Update a project',
			'Delete a project',
		]) {
			await expectText(actions, action);
		}
		await actions.filter({ hasText: /^Create a project$/ }).click();

		// A trigger is added in front of the action, and the node's panel opens.
		const ndv = page.getByTestId('ndv');
		await ndv.waitFor();
		await expectText(ndv.getByTestId('node-title-container'), 'Create a project');
		expect(await page.getByTestId('canvas-node').count()).toBe(2);
		expect(await ndv.getByTestId('parameter-input-operation').locator('input').inputValue()).toBe('Create');
	});

	it('fills the fields, runs the step, and the output shows the project the API now holds', async () => {
		const ndv = page.getByTestId('ndv');
		await choose(
			ndv.getByTestId('node-credentials-select'),
			page.getByTestId(`node-credentials-select-item-${API_KEY_CREDENTIAL.id}`),
		);
		expect(await ndv.getByTestId('node-credentials-select').locator('input').inputValue()).toBe(
			API_KEY_CREDENTIAL.name,
		);

		await ndv.getByTestId('parameter-input-name').locator('input').fill(PROJECT_NAME);

		const additionalFields = ndv
			.getByTestId('parameter-item')
			.filter({ hasText: 'Additional Fields' })
			.first();
		const addField = (label: string) =>
			choose(
				additionalFields.getByTestId('collection-parameter-add'),
				page.getByTestId('collection-parameter-option').filter({ hasText: new RegExp(`^${label}$`) }),
			);

		// An options list (filled from the API's OpenAPI document).
		await addField('Status Name or ID');
		await choose(
			ndv.getByTestId('parameter-input-status'),
			page.getByTestId('parameter-input-item').filter({ hasText: /^Active$/ }),
		);
		expect(await ndv.getByTestId('parameter-input-status').locator('input').inputValue()).toBe('Active');

		// A resource locator whose list n8n loads from GET /users through the chosen credential.
		await addField('Owner');
		await choose(
			ndv.getByTestId('resource-locator-ownerId').getByTestId('rlc-input'),
			page.getByTestId('rlc-item').filter({ hasText: 'Grace Hopper' }),
		);
		expect(await ndv.getByTestId('resource-locator-ownerId').getByTestId('rlc-input').inputValue()).toMatch(
			/^Grace Hopper/,
		);

		// The date picker, typed in as a user may.
		await addField('Start Date');
		const startDate = ndv.getByTestId('parameter-input-startDate').locator('input');
		await startDate.fill('2027-03-01 09:00:00');
		await startDate.press('Enter');
		expect(await startDate.inputValue()).toBe('2027-03-01 09:00:00');

		await ndv.getByTestId('node-execute-button').click();
		const output = ndv.getByTestId('output-panel');
		await output.getByTestId('node-run-status-success').waitFor({ timeout: 60_000 });
		await expectText(output.getByTestId('ndv-items-count'), '1 item');
		const data = output.getByTestId('ndv-data-container').filter({ hasText: PROJECT_NAME });
		await data.waitFor();
		const shown = (await data.innerText()).replace(/\s+/g, ' ');
		const id = shown.match(/\bprj_[0-9a-z]+\b/)?.[0];
		expect(id).toBeDefined();

		const stored = await api.projects();
		expect(stored).toHaveLength(1);
		expect(stored[0]).toEqual(
			expect.objectContaining({ id, name: PROJECT_NAME, status: 'Active', ownerId: 'usr_1002' }),
		);
		// Noon or so in UTC: the date is read in the workflow's time zone (n8n's default, America/New_York).
		expect(stored[0].startDate).toMatch(/^2027-03-01T/);
		const creates = await api.createAttempts();
		expect(creates.map((attempt) => attempt.clientId)).toEqual(['editor-e2e-key']);

		await closeToasts(page);
		// The panel scrolled a little while fields were added; the screenshot starts at the credential.
		await ndv.getByTestId('node-parameters').evaluate((element) => {
			type Scrollable = { scrollTop: number; parentElement: Scrollable | null };
			for (let node = element as unknown as Scrollable | null; node; node = node.parentElement)
				node.scrollTop = 0;
		});
		await page.screenshot({ path: path.join(ARTIFACTS, 'node-panel.png') });
		keepScreenshot('node-panel.png');
	});

	it('the credential dialog tests the key and shows it masked; n8n never sends the key to the browser', async () => {
		const ndv = page.getByTestId('ndv');
		await ndv.getByTestId('credential-edit-button').click();
		const dialog = page.getByTestId('editCredential-modal');
		await dialog.waitFor();
		await expectText(dialog.getByTestId('credential-name'), API_KEY_CREDENTIAL.name);
		// Opening a saved credential runs its test: GET /me with the stored key.
		await dialog.getByTestId('credentials-config-container-test-success').waitFor({ timeout: 60_000 });
		const me = (await api.requests()).filter((entry) => entry.route === '/api/v1/me' && entry.status === 200);
		expect(me.map((entry) => entry.clientId)).toContain('editor-e2e-key');

		expect(await dialog.getByTestId('parameter-input-baseUrl').locator('input').inputValue()).toBe(api.url);
		const key = dialog.getByTestId('parameter-input-apiKey').locator('input');
		expect(await key.getAttribute('type')).toBe('password');
		expect(await key.inputValue()).not.toContain(CANARY_KEY);

		await closeToasts(page);
		await dialog.screenshot({ path: path.join(ARTIFACTS, 'credential-dialog.png') });
		keepScreenshot('credential-dialog.png');

		expect(restBodies.length).toBeGreaterThan(10);
		for (const body of restBodies) {
			expect(body).not.toContain(CANARY_KEY);
			expect(body).not.toContain(CANARY_SECRET);
		}
		expect(await page.content()).not.toContain(CANARY_KEY);
	});

	it('creates both credentials from the node; the OAuth2 form has Base URL right after Client ID and Secret, and Save catches a wrong secret', async () => {
		await page.keyboard.press('Escape');
		// A workflow whose trigger holds two won deals from a CRM (pinned data, as a user pins a trigger's test event).
		const client = new N8nRestClient(server.url);
		await client.signInAsOwner();
		const workflow = await client.rest<{ id: string }>('POST', '/rest/workflows', {
			name: 'Won deals become projects',
			nodes: [
				{
					id: 'd1',
					name: 'When a deal is won',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'd2',
					name: 'Create a project',
					type: N8nHome.NODE_TYPE,
					typeVersion: 1,
					position: [300, 0],
					parameters: { resource: 'project', operation: 'create' },
				},
			],
			connections: {
				'When a deal is won': { main: [[{ node: 'Create a project', type: 'main', index: 0 }]] },
			},
			pinData: { 'When a deal is won': DEALS.map((json) => ({ json })) },
			settings: { executionOrder: 'v1' },
		});
		await page.goto(`${server.url}/workflow/${workflow.id}`, {
			waitUntil: 'domcontentloaded',
			timeout: PAGE_LOAD_MS,
		});
		const openNode = async () => {
			await page
				.getByTestId('canvas-node')
				.filter({ hasText: 'Create a project' })
				.dblclick({ timeout: PAGE_LOAD_MS });
			await page.getByTestId('ndv').waitFor();
		};
		await openNode();
		const ndv = page.getByTestId('ndv');
		const dialog = page.getByTestId('editCredential-modal');
		/** "Create new credential" under the Credential field, and the kind chosen at the dialog's top right. */
		const createCredential = async (kind: string) => {
			await choose(
				ndv.getByTestId('node-credentials-select'),
				page.getByTestId('node-credentials-select-item-new'),
			);
			await dialog.waitFor();
			const selector = dialog.getByTestId('credential-mode-dropdown-trigger');
			if ((await selector.innerText()).trim() !== kind)
				await choose(selector, page.getByRole('menuitem', { name: kind, exact: true }));
			await expectText(selector, kind);
		};

		// The API key. Save tests it (GET /me) and, when it passes, closes the dialog.
		await createCredential('API Key');
		await dialog.getByTestId('parameter-input-baseUrl').locator('input').fill(api.url);
		await dialog.getByTestId('parameter-input-apiKey').locator('input').fill(CANARY_KEY);
		await dialog.getByTestId('credential-save-button').click();
		await dialog.waitFor({ state: 'hidden', timeout: 60_000 });
		const apiKeyName = await ndv.getByTestId('node-credentials-select').locator('input').inputValue();
		expect(apiKeyName).toMatch(/^Project Management account/);
		const meRequests = async () =>
			(await api.requests()).filter((entry) => entry.route === '/api/v1/me').map((entry) => entry.clientId);
		expect(await meRequests()).toContain('editor-e2e-key');

		// Closed and opened again, as the custom-field notice asks after a new credential.
		await page.keyboard.press('Escape');
		await ndv.waitFor({ state: 'hidden' });
		await openNode();

		// OAuth2: chosen at the dialog's top right. Client ID, Client Secret, n8n's Allowed HTTP Request Domains, then
		// Base URL, all in view without scrolling.
		await createCredential('OAuth2 (Client Credentials)');
		type Tagged = { getAttribute(name: string): string | null };
		const fields = (
			await dialog
				.locator('[data-test-id^="parameter-input-"]')
				.evaluateAll((inputs) =>
					inputs.map((input) => (input as unknown as Tagged).getAttribute('data-test-id')),
				)
		)
			.map((id) => String(id).replace('parameter-input-', ''))
			.filter((name) => name !== 'field');
		expect(fields.slice(0, 5)).toEqual([
			'clientId',
			'clientSecret',
			'allowedHttpRequestDomains',
			'baseUrl',
			'tokenUrl',
		]);
		expect(fields).not.toContain('accessTokenUrl');
		const baseUrl = dialog.getByTestId('parameter-input-baseUrl').locator('input');
		const baseUrlBox = await baseUrl.boundingBox();
		expect(baseUrlBox!.y + baseUrlBox!.height).toBeLessThan(page.viewportSize()!.height);
		expect(
			await dialog.getByTestId('parameter-input-tokenUrl').locator('input').getAttribute('placeholder'),
		).toBe('Base URL + /oauth/token');

		await dialog.getByTestId('parameter-input-clientId').locator('input').fill('editor-e2e-client');
		const secret = dialog.getByTestId('parameter-input-clientSecret').locator('input');
		await secret.fill('not-the-secret');
		await baseUrl.fill(api.url);
		const moreDetails = async () => {
			const more = dialog.getByText('More details');
			if (await more.isVisible()) await more.click();
		};
		const tested = () =>
			page.waitForResponse((response) => response.url().includes('/rest/credentials/test'), {
				timeout: 60_000,
			});
		let test = tested();
		await dialog.getByTestId('credential-save-button').click();
		await test;
		await expectText(dialog, 'Couldn’t connect with these settings');
		await moreDetails();
		// n8n saves, then asks for a token with the client ID and secret. In a dialog whose kind was switched, n8n 2.41
		// tests the fields of the kind it opened with ("Cannot convert undefined or null to object", README →
		// Troubleshooting); opened again from the pencil, the credential is tested as saved.
		expect(await dialog.innerText()).toMatch(
			/Failed to acquire OAuth2 access token: Client authentication failed|Cannot convert undefined or null to object/,
		);
		await page.keyboard.press('Escape');
		await dialog.waitFor({ state: 'hidden' });
		if (!(await ndv.isVisible())) await openNode();
		test = tested();
		await ndv.getByTestId('credential-edit-button').click();
		await dialog.waitFor();
		await test;
		// The token URL refuses the secret, and the dialog says so.
		await expectText(dialog, 'Couldn’t connect with these settings');
		await moreDetails();
		await expectText(
			dialog,
			'Failed to acquire OAuth2 access token: Client authentication failed (e.g., unknown client',
		);
		await closeToasts(page);
		await dialog.screenshot({ path: path.join(ARTIFACTS, 'oauth2-credential-dialog.png') });
		keepScreenshot('oauth2-credential-dialog.png');

		await dialog.getByTestId('parameter-input-clientSecret').locator('input').fill(CANARY_SECRET);
		test = tested();
		await dialog.getByTestId('credential-save-button').click();
		expect(await (await test).json()).toEqual({ data: expect.objectContaining({ status: 'OK' }) });
		if (await dialog.isVisible()) await page.keyboard.press('Escape');
		await dialog.waitFor({ state: 'hidden' });
		if (!(await ndv.isVisible())) await openNode();
		const oauth2Name = await ndv.getByTestId('node-credentials-select').locator('input').inputValue();
		expect(oauth2Name).toMatch(/^Project Management account/);
		expect(oauth2Name).not.toBe(apiKeyName);
		expect(await meRequests()).toContain('editor-e2e-client');
	});

	it('maps a deal whose owner is an email: the project is created with the user as owner, and a bad row gives a plain error naming it', async () => {
		const ndv = page.getByTestId('ndv');
		await page.keyboard.press('Escape');
		await ndv.waitFor({ state: 'hidden' });
		await page.getByTestId('canvas-node').filter({ hasText: 'Create a project' }).dblclick();
		await ndv.waitFor();

		// n8n 2.x saves the workflow, then runs it by its ID: the last save must carry every mapping.
		const saved: string[] = [];
		page.on('request', (request) => {
			if (request.method() !== 'GET' && /\/rest\/workflows\/[^/?]+(\?|$)/.test(request.url()))
				saved.push(request.postData() ?? '');
		});
		await mapWithExpression(page, ndv.getByTestId('parameter-input-name'), '{{ $json.dealName }}');
		const additionalFields = ndv
			.getByTestId('parameter-item')
			.filter({ hasText: 'Additional Fields' })
			.first();
		const addField = (label: string) =>
			choose(
				additionalFields.getByTestId('collection-parameter-add'),
				page.getByTestId('collection-parameter-option').filter({ hasText: new RegExp(`^${label}$`) }),
			);
		await addField('Owner');
		const owner = ndv.getByTestId('resource-locator-ownerId');
		await choose(owner.getByTestId('rlc-mode-selector'), page.getByRole('option', { name: 'By Email' }));
		await mapWithExpression(page, owner, '{{ $json.ownerEmail }}');
		await addField('Start Date');
		await mapWithExpression(page, ndv.getByTestId('parameter-input-startDate'), '{{ $json.closeDate }}');
		await addField('End Date');
		await mapWithExpression(page, ndv.getByTestId('parameter-input-endDate'), '{{ $json.dueDate }}');

		// The expression editor hands its text to n8n a moment after typing stops: the run must carry every mapping.
		await ndv.getByTestId('node-title-container').click();
		await page.waitForTimeout(1_500);
		const mapped = async () => {
			await page.waitForRequest(
				(request) => request.method() === 'POST' && /\/rest\/workflows\/(.+\/)?run\b/.test(request.url()),
				{ timeout: 60_000 },
			);
			for (const field of ['dealName', 'ownerEmail', 'closeDate', 'dueDate'])
				expect(saved.at(-1)).toContain(`$json.${field}`);
		};

		// As it comes: the node stops at the bad row, and says which one, counted from 1 and by its name.
		let sent = mapped();
		await ndv.getByTestId('node-execute-button').click();
		await sent;
		const output = ndv.getByTestId('output-panel');
		const message = output.getByTestId('node-error-message');
		await message.waitFor({ timeout: 60_000 });
		// Counted once: n8n's editor would add its own "[item 1]" (from 0) to a message that carries n8n's index.
		expect((await message.innerText()).trim()).toBe(
			'Item 2 ("Office move"): "End Date" (2027-04-15T00:00:00Z) is before "Start Date" (2027-05-01T00:00:00Z)',
		);
		expect(await output.getByTestId('node-error-description').innerText()).toMatch(
			/End Date on or after the Start Date/,
		);
		await closeToasts(page);
		await page.screenshot({ path: path.join(ARTIFACTS, 'item-error.png') });
		keepScreenshot('item-error.png');

		// With Settings → On Error → Continue, the good deal goes on and the bad one becomes an error item.
		await ndv.getByText('Settings', { exact: true }).click();
		await choose(
			ndv.getByTestId('parameter-input-onError'),
			page
				.getByTestId('parameter-input-item')
				.filter({ hasText: 'Pass error message as item in regular output' }),
		);
		await ndv.getByText('Parameters', { exact: true }).click();
		sent = mapped();
		await ndv.getByTestId('node-execute-button').click();
		await sent;
		await expectText(output.getByTestId('ndv-items-count'), '2 items');
		await output.getByText('JSON', { exact: true }).click();
		const data = output.getByTestId('ndv-data-container').filter({ hasText: 'usr_1002' });
		await data.waitFor({ timeout: 60_000 });
		const shown = (await data.innerText()).replace(/\s+/g, ' ');
		expect(shown).toContain('"ownerId": "usr_1002"');
		expect(shown).toMatch(/"summary": "Created(\.| earlier)/);
		expect(shown).toContain('Item 2 (\\"Office move\\"): \\"End Date\\"');

		const stored = (await api.projects()).filter((project) => project.name === DEALS[0].dealName);
		expect(stored).toEqual([
			expect.objectContaining({
				ownerId: 'usr_1002',
				startDate: expect.stringMatching(/^2027-03-01T00:00:00(\.000)?Z$/),
			}),
		]);
		expect((await api.projects()).map((project) => project.name)).not.toContain(DEALS[1].dealName);
		const creates = (await api.createAttempts()).filter(
			(attempt) => attempt.clientId === 'editor-e2e-client',
		);
		expect(creates.length).toBeGreaterThan(0);
		await closeToasts(page);
		await page.screenshot({ path: path.join(ARTIFACTS, 'deal-mapped.png') });
		keepScreenshot('deal-mapped.png');
		for (const body of restBodies) {
			expect(body).not.toContain(CANARY_KEY);
			expect(body).not.toContain(CANARY_SECRET);
		}
	});

	it('the trigger listens for a test event: n8n subscribes its test address, shows the event, and unsubscribes', async () => {
		await page.keyboard.press('Escape');
		await page.goto(`${server.url}/workflow/new`, { waitUntil: 'domcontentloaded', timeout: PAGE_LOAD_MS });
		await page.getByTestId('canvas-plus-button').click({ timeout: PAGE_LOAD_MS });
		await page.getByTestId('node-creator-search-bar').fill('Project Management');
		await page
			.getByTestId('node-creator-item-name')
			.filter({ hasText: /^Project Management$/ })
			.click();
		// Each event of the trigger is offered as a trigger of its own, "On <event>".
		await page
			.getByTestId('node-creator-item-name')
			.filter({ hasText: /^On project status changed$/ })
			.click();

		const ndv = page.getByTestId('ndv');
		await ndv.waitFor();
		await expectText(ndv.getByTestId('node-title-container'), 'Project Management Trigger');
		expect(await ndv.getByTestId('parameter-input-events').innerText()).toContain('Project Status Changed');
		await choose(
			ndv.getByTestId('node-credentials-select'),
			page.getByTestId(`node-credentials-select-item-${API_KEY_CREDENTIAL.id}`),
		);
		// The statuses are loaded from the API through the chosen credential (a list to pick several from).
		await choose(
			ndv.getByTestId('parameter-input-statuses'),
			page.locator('.el-select-dropdown__item').filter({ hasText: /^Completed$/ }),
		);
		await page.keyboard.press('Escape');

		const project = await apiCall(api.url, 'POST', '/projects', { name: TRIGGER_PROJECT, status: 'Active' });
		await ndv.getByTestId('node-execute-button').click();
		// "Listen for test event": n8n runs the trigger's checkExists and create with its test address.
		const listening = await waitFor('the test subscription', async () => {
			const found = await api.subscriptions(CANARY_KEY);
			return found.length > 0 ? found : undefined;
		});
		expect(listening).toEqual([
			expect.objectContaining({
				url: expect.stringMatching(/\/webhook-test\//),
				events: ['project.status_changed'],
			}),
		]);

		await apiCall(api.url, 'PATCH', `/projects/${String(project.id)}`, { status: 'Completed' });
		const output = ndv.getByTestId('output-panel');
		const data = output.getByTestId('ndv-data-container').filter({ hasText: TRIGGER_PROJECT });
		await data.waitFor({ timeout: 60_000 });
		const shown = (await data.innerText()).replace(/\s+/g, ' ');
		expect(shown).toContain('project.status_changed');
		expect(shown).toContain('Completed');
		// One event is what a test run waits for: n8n then ends the listening, and the trigger unsubscribes.
		await waitFor(
			'the test subscription deleted',
			async () => (await api.subscriptions(CANARY_KEY)).length === 0,
		);

		// The schema view lists every field of the event as a person maps it.
		await output.getByText('Schema', { exact: true }).click();
		await expectText(output, 'previousStatus');
		await closeToasts(page);
		await page.screenshot({ path: path.join(ARTIFACTS, 'trigger-panel.png') });
		keepScreenshot('trigger-panel.png');
		for (const body of restBodies) expect(body).not.toMatch(/whsec_/);
	});
});
