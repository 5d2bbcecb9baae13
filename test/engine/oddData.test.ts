import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { EngineHarness, type RunOptions, type RunResult } from '../../harness/engine/engineHarness';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { DEMO_CREDENTIALS, noFaults } from '../../reference-api/src';

/**
 * Odd data and repeated work, through n8n's engine against the reference API: what a careful client does with
 * changes that repeat an earlier one, a create after its project was deleted, numbers that look like dates,
 * identical items, and input a spreadsheet or an expression can produce. A bad item names the item and the
 * field, and nothing is sent for it.
 */

let api: ReferenceApi;
let harness: EngineHarness;

beforeAll(async () => {
	api = await ReferenceApi.start();
	harness = await EngineHarness.load();
});

afterAll(async () => {
	await api?.close();
});

beforeEach(async () => {
	await api.reset();
	await api.configure({
		faults: { seed: 1, rates: noFaults() },
		rateLimit: { enabled: false },
		latencyMs: 0,
	});
	harness.setCredential('key', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.apiKey });
});

async function run(
	items: IDataObject[],
	parameters: INodeParameters,
	options: Partial<RunOptions> = {},
): Promise<RunResult> {
	return await harness.run({ items, parameters, credentialId: 'key', ...options });
}

const continueOnFail = { settings: { onError: 'continueRegularOutput' as const } };
const outcomes = (result: RunResult) =>
	result.output.map((item) => (item.json._result as IDataObject)?.outcome);
const create = (extra: IDataObject = {}, options: IDataObject = {}): INodeParameters => ({
	name: '={{ $json.name }}',
	...extra,
	options: { retryDelayMs: 10, ...options },
});

async function projectNamed(name: string): Promise<IDataObject | undefined> {
	return (await api.projects()).find((project) => project.name === name) as IDataObject | undefined;
}

describe('changes that repeat an earlier one in the same run', () => {
	it('three updates setting b, a, b all take effect, in input order', async () => {
		const created = await run([{ name: 'Flip' }], create());
		const id = created.output[0].json.id as string;
		const result = await run(
			['b', 'a', 'b'].map((description) => ({ id, description })),
			{
				operation: 'update',
				project: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				updateFields: { description: '={{ $json.description }}' },
			},
		);
		expect(outcomes(result)).toEqual(['updated', 'updated', 'updated']);
		expect(result.output.map((item) => item.json.description)).toEqual(['b', 'a', 'b']);
		expect((await projectNamed('Flip'))?.description).toBe('b');
	});

	it('Create with "update the existing project" applies b, a, b in order too', async () => {
		await run([{ name: 'Upsert' }], create());
		const result = await run(
			['b', 'a', 'b'].map((description) => ({ name: 'Upsert', description })),
			create({ ifExists: 'update', additionalFields: { description: '={{ $json.description }}' } }),
		);
		expect(outcomes(result)).toEqual(['updated', 'updated', 'updated']);
		expect((await projectNamed('Upsert'))?.description).toBe('b');
	});
});

describe('a create whose project was deleted since', () => {
	it('creates the project again instead of replaying the deleted one, and says so', async () => {
		const ids = { workflowId: 'wf-recreate', nodeId: 'node-recreate' };
		const first = await run([{ name: 'Phoenix' }], create(), ids);
		const firstId = first.output[0].json.id as string;
		await run([{ id: firstId }], {
			operation: 'deleteProject',
			project: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
		});
		const again = await run([{ name: 'Phoenix' }], create(), ids);
		expect(outcomes(again)).toEqual(['created']);
		const secondId = again.output[0].json.id as string;
		expect(secondId).not.toBe(firstId);
		expect((again.output[0].json._result as IDataObject).note).toMatch(/deleted since/);
		expect((await projectNamed('Phoenix'))?.id).toBe(secondId);
		// And that, too, is safe to run again: the new project is found, not made a third time.
		const third = await run([{ name: 'Phoenix' }], create(), ids);
		expect(outcomes(third)).toEqual(['replayed']);
		expect(third.output[0].json.id).toBe(secondId);
		expect(await api.projects()).toHaveLength(1);
	});
});

describe('identical items', () => {
	const twins = [{ name: 'Twin' }, { name: 'Twin' }];

	it('are one project by default: the second returns the first one (replayed)', async () => {
		const result = await run(twins, create());
		expect(outcomes(result)).toEqual(['created', 'replayed']);
		expect(await api.projects()).toHaveLength(1);
	});

	it('are one project each when chosen: with "Report an Error", the second meets the taken name', async () => {
		const result = await run(
			twins,
			create({ ifExists: 'error' }, { identicalItems: 'eachItem' }),
			continueOnFail,
		);
		expect(outcomes(result)).toEqual(['created', 'failed']);
		expect(result.output[1].json.error).toMatch(/already exists/);
	});
});

describe('numbers as dates', () => {
	const dated = (startDate: number) =>
		run(
			[{ name: `Dated ${String(startDate)}`, startDate }],
			create({ additionalFields: { startDate: '={{ $json.startDate }}' } }),
			continueOnFail,
		);

	it('eight digits are a day: 20260201 is 1 February 2026', async () => {
		const result = await dated(20260201);
		expect(result.output[0].json.startDate).toMatch(/^2026-02-01/);
	});

	it.each([
		[46054, /spreadsheet date \(2026-02-01 for 46054\)/],
		[0, /Unix timestamp/],
		[5_000_000, /Unix timestamp/],
	])('%p is refused with what it might mean, and nothing is sent', async (value, hint) => {
		const result = await dated(value);
		expect(result.output[0].json.error).toMatch(
			new RegExp(`^Item 1 \\(.*\\): "Start Date" is the number ${value}`),
		);
		expect(result.output[0].json.errorDescription).toMatch(hint);
		expect(await api.createAttempts()).toHaveLength(0);
	});

	it('Unix timestamps in seconds and milliseconds are still read', async () => {
		const seconds = await dated(1_769_904_000);
		const millis = await dated(1_769_904_000_000);
		expect(seconds.output[0].json.startDate).toMatch(/^2026-02-01/);
		expect(millis.output[0].json.startDate).toMatch(/^2026-02-01/);
	});
});

describe('what spreadsheets and expressions produce', () => {
	it('a name of 150 emoji is 150 characters, as the API counts', async () => {
		const name = '🚀'.repeat(150);
		const result = await run([{ name }], create());
		expect(outcomes(result)).toEqual(['created']);
	});

	it('team IDs written as a JSON list in a cell are read as a list', async () => {
		const result = await run(
			[{ name: 'Teams as JSON', teams: '["team_design", "team_sales", "team_design"]' }],
			create({ additionalFields: { teamIds: '={{ $json.teams }}' } }),
		);
		expect(result.output[0].json.teamIds).toEqual(['team_design', 'team_sales']);
	});

	it('custom fields nested too deep, or named __proto__, are refused by name and nothing is sent', async () => {
		const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
		const result = await run(
			[
				{ name: 'Deep', json: `{"department": ${deep}}` },
				{ name: 'Proto', json: '{"__proto__": {"polluted": true}, "department": "Sales"}' },
			],
			create({ additionalFields: { customFieldsJson: '={{ $json.json }}' } }),
			continueOnFail,
		);
		expect(result.output[0].json.error).toMatch(
			/^Item 1\b.*custom field "department" .* nested more than 32 levels deep/,
		);
		expect(result.output[1].json.error).toMatch(/^Item 2\b.*"__proto__", which cannot be sent/);
		expect(await api.createAttempts()).toHaveLength(0);
	});

	it('a Limit of "ten" is refused instead of returning nothing', async () => {
		const result = await run([{}], { operation: 'getAll', limit: '={{ "ten" }}' });
		expect(result.error?.message).toMatch(
			/^Item 1\b.*"Limit" must be a whole number of 1 or more, but it is the string "ten"/,
		);
	});

	it('a name that is not a number is described as NaN, not as null', async () => {
		const result = await run([{}], create({ name: '={{ 0 / 0 }}' }));
		expect(result.error?.message).toMatch(/the number NaN/);
	});

	it('a budget of "1e5" is 100000; one with more digits than can be sent exactly is refused', async () => {
		const budget = (amount: string) =>
			create({
				additionalFields: { budget: { budgetValues: { currency: 'EUR', amount: `={{ "${amount}" }}` } } },
			});
		const exponent = await run([{ name: 'Exponent' }], budget('1e5'));
		expect(exponent.output[0].json.budget).toEqual({ currency: 'EUR', amount: 100000 });
		const precise = await run([{ name: 'Precise' }], budget('12345678901234567'), continueOnFail);
		expect(precise.output[0].json.error).toMatch(/"Budget Amount" has more digits than can be sent exactly/);
		expect(await api.createAttempts()).toHaveLength(1);
	});
});

describe('Update can clear a field', () => {
	it('"Fields to Clear" empties the field; setting and clearing one field at once is refused', async () => {
		const created = await run(
			[{ name: 'Clearable' }],
			create({ additionalFields: { description: 'To be removed', priority: 'High' } }),
		);
		const id = created.output[0].json.id as string;
		const update = (extra: IDataObject) =>
			run(
				[{ id }],
				{ operation: 'update', project: { __rl: true, mode: 'id', value: id }, ...extra },
				continueOnFail,
			);
		const cleared = await update({ clearFields: ['description', 'priority'] });
		expect(cleared.output[0].json).toMatchObject({ description: null, priority: null });
		const both = await update({ updateFields: { description: 'x' }, clearFields: ['description'] });
		expect(both.output[0].json.error).toMatch(/"Description" is both set under Update Fields and chosen/);
	});
});

describe('the API key as a query parameter', () => {
	it('is accepted by the API and shown nowhere: not in the Dry Run address, the output or the run data', async () => {
		harness.setCredential('query-key', {
			baseUrl: api.url,
			apiKey: DEMO_CREDENTIALS.apiKey,
			keyLocation: 'query',
			queryParameterName: 'api_key',
		});
		const result = await run([{ name: 'By query' }], create(), { credentialId: 'query-key' });
		expect(outcomes(result)).toEqual(['created']);
		const dry = await run([{ name: 'Dry by query' }], create({}, { dryRun: true }), {
			credentialId: 'query-key',
		});
		expect((dry.output[0].json.request as IDataObject).url).toBe(`${api.url}/api/v1/projects`);
		expect(JSON.stringify([result.run, dry.run])).not.toContain(DEMO_CREDENTIALS.apiKey);
	});
});

describe('a wrong OAuth2 client secret', () => {
	it('is a credential error: nothing was sent, so the item failed (not unknown), and the advice is to fix the credential', async () => {
		harness.setCredential('wrong-secret', {
			baseUrl: api.url,
			clientId: DEMO_CREDENTIALS.oauthClientId,
			clientSecret: 'not-the-secret',
			authentication: 'header',
		});
		const result = await run([{ name: 'Wrong secret' }], create(), {
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'wrong-secret',
			...continueOnFail,
		});
		expect((result.output[0].json._result as IDataObject).outcome).toBe('failed');
		expect(result.output[0].json.error).toMatch(/could not get an access token/);
		expect(result.output[0].json.errorDescription).toMatch(/Client ID and Client Secret/);
		expect(await api.createAttempts()).toHaveLength(0);
	});
});
