import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { EngineHarness } from '../../harness/engine/engineHarness';
import { apiKeyWithAllScopes } from '../../harness/referenceApi/grants';
import { useEngineAndApi } from '../../harness/testSetup';
import { DEMO_CREDENTIALS } from '../../reference-api/src';

/**
 * What a CRM holds, sent as what the API takes: an owner given by email and teams given by name become user and
 * team IDs, read from the API's directory (once for many items), before anything is sent; an email or a name that
 * matches nobody stops its item with a message naming the item and the field, and nothing is sent for it.
 */

const NO_DIRECTORY_KEY = 'pm_projects_only_1234567890';

const { api, harness } = useEngineAndApi({
	api: {
		apiKeys: [
			apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, 'demo-api-key', 'Demo'),
			{
				key: NO_DIRECTORY_KEY,
				clientId: 'projects-only',
				name: 'Projects only',
				scopes: ['projects:read', 'projects:write'],
			},
		],
	},
	eachTest: { apiKeyCredentials: { key: DEMO_CREDENTIALS.apiKey } },
});

const deal: INodeParameters = {
	name: '={{ $json.name }}',
	additionalFields: {
		ownerId: { __rl: true, mode: 'email', value: '={{ $json.ownerEmail }}' },
		teamIds: '={{ $json.teams }}',
	},
	options: { retryDelayMs: 20 },
};

const continueOnFail = { settings: { onError: 'continueRegularOutput' as const } };

/** Each test reads the directory with a credential of its own, so that the process's copy of one does not serve another. */
let credentialCount = 0;
function run(
	items: IDataObject[],
	parameters: INodeParameters = deal,
	more: Partial<Parameters<EngineHarness['run']>[0]> = {},
	apiKey: string = DEMO_CREDENTIALS.apiKey,
) {
	const credentialId = `directory-${++credentialCount}`;
	harness.setCredential(credentialId, { baseUrl: api.url, apiKey, keyLocation: 'header' });
	return harness.run({ items, parameters, credentialId, ...more });
}

const reads = async (route: string) =>
	(await api.requests()).filter((entry) => entry.method === 'GET' && entry.route === `/api/v1${route}`);

describe('an owner given by email and teams given by name', () => {
	it('are sent as the IDs the API knows, the directory read once for the whole run', async () => {
		const result = await run([
			{ name: 'Acme onboarding', ownerEmail: ' GRACE@example.com ', teams: 'design, Sales' },
			{ name: 'Globex renewal', ownerEmail: 'alan@example.com', teams: ['Engineering', 'team_sales'] },
			{ name: 'Initech audit', ownerEmail: 'grace@example.com', teams: 'Marketing' },
		]);
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => [item.json.ownerId, item.json.teamIds])).toEqual([
			['usr_1002', ['team_design', 'team_sales']],
			['usr_1003', ['team_engineering', 'team_sales']],
			['usr_1002', ['team_marketing']],
		]);
		expect(await reads('/users')).toHaveLength(1);
		expect(await reads('/teams')).toHaveLength(1);
		// The lookups are not attempts: each item's create was sent once.
		expect(result.output.map((item) => (item.json._result as IDataObject).attempts)).toEqual([1, 1, 1]);
	});

	it('stops an item whose email matches nobody, naming the item and the field, and sends nothing for it', async () => {
		const result = await run(
			[
				{ name: 'Acme onboarding', ownerEmail: 'grace@example.com' },
				{ name: 'Globex renewal', ownerEmail: 'nobody@example.com' },
			],
			deal,
			continueOnFail,
		);
		expect(result.output[1].json.error).toBe(
			'Item 2 ("Globex renewal"): "Owner" nobody@example.com matches no user in the project-management system',
		);
		expect(result.output[1].json.errorDescription).toMatch(/pick the owner from the list/);
		expect(result.output[1].json._result).toEqual(
			expect.objectContaining({ outcome: 'failed', attempts: 0, retryable: false }),
		);
		expect(await api.createAttempts()).toHaveLength(1);
		expect((await api.projects()).map((project) => project.name)).toEqual(['Acme onboarding']);
		// A miss in a list read a moment ago is not read again.
		expect(await reads('/users')).toHaveLength(1);
	});

	it('looks a miss up once more in a fresh list when the one it has is more than a few seconds old', async () => {
		harness.setCredential('directory-recheck', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.apiKey });
		const same = { credentialId: 'directory-recheck', ...continueOnFail };
		await run([{ name: 'Acme onboarding', ownerEmail: 'grace@example.com' }], deal, same);
		expect(await reads('/users')).toHaveLength(1);
		// Older than the 5 s after which a miss is checked again (waiting longer only makes that surer).
		await new Promise((resolve) => setTimeout(resolve, 5_500));
		const result = await run([{ name: 'Globex renewal', ownerEmail: 'newcomer@example.com' }], deal, same);
		expect(result.output[0].json.error).toMatch(/newcomer@example.com matches no user/);
		// The cached list, then one fresh read for the miss: a user added meanwhile would have been found.
		expect(await reads('/users')).toHaveLength(2);
	});

	it('stops an item with a team name that matches no team, and says which teams there are', async () => {
		const result = await run([{ name: 'Acme onboarding', teams: 'Design, Desing' }], deal);
		expect(result.error?.message).toBe(
			'Item 1 ("Acme onboarding"): "Teams" names "Desing", which is neither the name nor the ID of a team',
		);
		expect(result.error?.description).toBe(
			'The teams are: Design, Engineering, Marketing, Sales. Pick them from the list, or give their names or IDs.',
		);
		expect(await api.createAttempts()).toHaveLength(0);
	});

	it('looks an email up also in the By ID mode, where n8n puts a value dragged onto Owner', async () => {
		const result = await run([{ name: 'Dragged', ownerEmail: 'ada@example.com' }], {
			...deal,
			additionalFields: { ownerId: { __rl: true, mode: 'id', value: '={{ $json.ownerEmail }}' } },
		});
		expect(result.output[0].json.ownerId).toBe('usr_1001');
	});

	it('with Map Automatically, reads the owner and teams of the item the same way', async () => {
		const result = await run(
			[{ name: 'Auto', owner: 'katherine@example.com', teams: 'Sales', dealStage: 'won' }],
			{ mappingMode: 'autoMapInputData', options: {} },
		);
		expect(result.output[0].json).toEqual(
			expect.objectContaining({ ownerId: 'usr_1004', teamIds: ['team_sales'] }),
		);
	});

	it('keeps the idempotency key of what the user gave, so that running again finds the project created earlier', async () => {
		const items = [{ name: 'Acme onboarding', ownerEmail: 'grace@example.com', teams: 'Design' }];
		const first = await run(items);
		const again = await run(items);
		const [firstResult, againResult] = [first, again].map(
			(result) => result.output[0].json._result as IDataObject,
		);
		expect(againResult.idempotencyKey).toBe(firstResult.idempotencyKey);
		expect(againResult.outcome).toBe('replayed');
		expect(againResult.summary).toMatch(/^Created earlier: /);
		expect(await api.projects()).toHaveLength(1);
	});

	it('without permission to read the directory, an email stops its item with what to do, and team IDs still go through', async () => {
		const result = await run(
			[
				{ name: 'By email', ownerEmail: 'grace@example.com' },
				{ name: 'By IDs', teams: 'team_design' },
			],
			deal,
			continueOnFail,
			NO_DIRECTORY_KEY,
		);
		expect(result.output[0].json.error).toMatch(
			/^Item 1 \("By email"\): "Owner" is an email address \(grace@example\.com\), but the list of users could not be read: /,
		);
		expect(result.output[0].json.errorDescription).toMatch(/directory:read/);
		expect(result.output[1].json.teamIds).toEqual(['team_design']);
		expect(await api.createAttempts()).toHaveLength(1);
		expect((await api.projects()).map((project) => project.name)).toEqual(['By IDs']);
	});
});
