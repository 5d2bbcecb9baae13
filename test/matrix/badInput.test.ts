import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { RunResult } from '../../harness/engine/engineHarness';
import { NODE_ID, WORKFLOW_ID } from '../../harness/faultMatrix/runner';
import { useMatrixRunner } from '../../harness/testSetup';

/**
 * A corpus of malformed items, each mapped onto the node with expressions as a user would map a spreadsheet
 * row: wrong types, impossible dates, bad currencies, broken custom-field JSON, huge strings, and expressions
 * that give objects, lists, booleans or null. Each must be stopped on its own, with a message naming the item
 * and the field, while the good items beside it go through, and the API must see no request for any of them.
 */

const runner = useMatrixRunner();

beforeAll(async () => {
	await runner.api.resetAndConfigure({ uniqueNames: false, rateLimit: { enabled: false } });
});

/** Every field of Create, mapped from the item. An item that lacks a key leaves that field empty. */
const MAPPED: INodeParameters = {
	name: '={{ $json.name }}',
	additionalFields: {
		description: '={{ $json.description }}',
		status: '={{ $json.status }}',
		priority: '={{ $json.priority }}',
		startDate: '={{ $json.start }}',
		endDate: '={{ $json.end }}',
		ownerId: { __rl: true, mode: 'id', value: '={{ $json.owner }}' },
		teamIds: '={{ $json.teams }}',
		budget: { budgetValues: { currency: '={{ $json.currency }}', amount: '={{ $json.amount }}' } },
		customFieldsJson: '={{ $json.custom }}',
	},
	options: { retryDelayMs: 5, maxAttempts: 3, idempotencyKey: '={{ $json.key }}' },
};

/** The key/value list of custom fields, mapped too (a row is always there, so every item fills it). */
const PAIRS: INodeParameters = {
	name: '={{ $json.name }}',
	additionalFields: {
		customFieldsUi: {
			field: [
				{ key: '={{ $json.key1 }}', value: '={{ $json.value1 }}' },
				{ key: '={{ $json.key2 }}', value: '={{ $json.value2 }}' },
			],
		},
	},
	options: { retryDelayMs: 5, maxAttempts: 3 },
};

type Case = [label: string, item: IDataObject, field: RegExp];

const huge = (length: number) => 'x'.repeat(length);
const named = (extra: IDataObject): IDataObject => ({
	name: `Bad input ${JSON.stringify(extra).length}`,
	...extra,
});

const MAPPED_CASES: Case[] = [
	['no name at all', {}, /"Name" is empty/],
	['a name that is null', { name: null }, /"Name" is empty/],
	['a name of spaces', { name: '   ' }, /"Name" is empty/],
	['a name that is an object', { name: { first: 'Ada' } }, /"Name" must be text, but it is an object/],
	['a name that is a list', { name: ['A', 'B'] }, /"Name" must be text, but it is a list/],
	['a name that is a boolean', { name: true }, /"Name" must be text/],
	['a name of 201 characters', { name: huge(201) }, /"Name" is 201 characters long/],
	['a name of 100,000 characters', { name: huge(100_000) }, /"Name" is 100000 characters long/],
	[
		'a description of 5,001 characters',
		named({ description: huge(5001) }),
		/"Description" is 5001 characters/,
	],
	['a description of 1 MB', named({ description: huge(1_000_000) }), /"Description" is 1000000 characters/],
	['a description that is an object', named({ description: { text: 'x' } }), /"Description" must be text/],
	['a status that is an object', named({ status: { id: 'Active' } }), /"Status" must be text/],
	['a priority that is a number', named({ priority: 3 }), /"Priority" must be text/],
	['February 30th', named({ start: '2026-02-30' }), /"Start Date"/],
	['a day/month date', named({ start: '31/01/2026' }), /"Start Date" could not be read as a date/],
	['a word for a date', named({ start: 'tomorrow' }), /"Start Date" could not be read as a date/],
	['month 13', named({ end: '2026-13-01' }), /"End Date"/],
	['the year 99', named({ start: '0099-01-01' }), /"Start Date" is in the year 99/],
	['a date that is an object', named({ start: { year: 2026 } }), /"Start Date" must be a date/],
	['a date that is a boolean', named({ end: false }), /"End Date" must be a date/],
	['an end before the start', named({ start: '2026-03-01', end: '2026-01-01' }), /"End Date" .* is before/],
	['an owner that is an object', named({ owner: { id: 'usr_1001' } }), /"Owner" must be text/],
	['an owner of 300 characters', named({ owner: huge(300) }), /"Owner" is 300 characters/],
	['teams that are an object', named({ teams: { a: 'team_design' } }), /"Teams" must be a list/],
	['a team that is an object', named({ teams: ['team_design', { id: 'x' }] }), /"Teams" holds an object/],
	['a currency that is not ISO 4217', named({ currency: 'EURO', amount: 5 }), /"Budget Currency" "EURO"/],
	['a made-up currency', named({ currency: 'ZZZ', amount: 5 }), /"Budget Currency" "ZZZ" is not an ISO 4217/],
	['a currency that is a number', named({ currency: 978, amount: 5 }), /"Budget Currency" must be/],
	['a negative amount', named({ currency: 'EUR', amount: -5 }), /"Budget Amount" is negative/],
	['an amount in words', named({ currency: 'EUR', amount: 'a lot' }), /"Budget Amount" must be a number/],
	['an amount with a thousands separator', named({ currency: 'EUR', amount: '1,000' }), /"Budget Amount"/],
	['an amount without a currency', named({ amount: 100 }), /"Budget Currency" is missing/],
	[
		'custom fields with a bare word',
		named({ custom: '{"department": Sales}' }),
		/"Custom Fields as JSON \(Advanced\)" is not valid JSON/,
	],
	[
		'custom fields cut off',
		named({ custom: '{"department": "Sal' }),
		/"Custom Fields as JSON \(Advanced\)" is not valid JSON/,
	],
	[
		'custom fields as a list',
		named({ custom: '[1, 2]' }),
		/"Custom Fields as JSON \(Advanced\)" must be a JSON object/,
	],
	[
		'custom fields as a string',
		named({ custom: '"Sales"' }),
		/"Custom Fields as JSON \(Advanced\)" must be a JSON object/,
	],
	['an idempotency key with spaces', named({ key: 'deal 42' }), /"Idempotency Key" may only hold/],
	['an idempotency key of 300 characters', named({ key: huge(300) }), /"Idempotency Key" is 300 characters/],
	[
		'an idempotency key that is an object',
		named({ key: { id: 42 } }),
		/"Idempotency Key" must be text or a number/,
	],
];

const PAIR_CASES: Case[] = [
	[
		'a custom field without a key',
		{ name: 'Pairs 1', key1: '', value1: 'x', key2: 'riskScore', value2: 3 },
		/has no key/,
	],
	[
		'a custom field set twice',
		{ name: 'Pairs 2', key1: 'department', value1: 'a', key2: 'department', value2: 'b' },
		/"department" is set twice/,
	],
	[
		'a custom field key that is an object',
		{ name: 'Pairs 3', key1: { k: 1 }, value1: 'x', key2: 'riskScore', value2: 3 },
		/has no key/,
	],
];

const GOOD: IDataObject[] = [
	{
		name: 'Good one',
		start: '2026-02-01',
		end: '2026-03-01',
		currency: 'EUR',
		amount: 1000,
		teams: 'team_design',
	},
	{ name: 'Good two', custom: '{"department": "Sales"}', owner: 'usr_1002', key: 'deal-42' },
];

const GOOD_PAIRS: IDataObject = {
	name: 'Good pairs',
	key1: 'department',
	value1: 'Sales',
	key2: 'riskScore',
	value2: 3,
};

function run(
	items: IDataObject[],
	parameters: INodeParameters,
	onError: 'continueRegularOutput' | 'continueErrorOutput' = 'continueRegularOutput',
): Promise<RunResult> {
	return runner.harness.run({
		items,
		parameters,
		credentialId: 'matrix-key',
		workflowId: WORKFLOW_ID,
		nodeId: NODE_ID,
		settings: { onError },
	});
}

const indexOf = (item: INodeExecutionData) => (item.pairedItem as { item: number }).item;
const failedItems = (result: RunResult) => result.output.filter((item) => item.json.error !== undefined);
const doneItems = (result: RunResult) => result.output.filter((item) => item.json.error === undefined);

describe('a corpus of malformed items', () => {
	let mapped: RunResult;
	let pairs: RunResult;

	beforeAll(async () => {
		// The good items go first and last, so that the bad ones sit between items that must go through.
		mapped = await run([GOOD[0], ...MAPPED_CASES.map(([, item]) => item), GOOD[1]], MAPPED);
		pairs = await run([GOOD_PAIRS, ...PAIR_CASES.map(([, item]) => item)], PAIRS);
	}, 60_000);

	it('has at least 30 cases', () => {
		expect(MAPPED_CASES.length + PAIR_CASES.length).toBeGreaterThanOrEqual(30);
	});

	it.each(MAPPED_CASES.map((entry, index) => [...entry, index + 1] as const))(
		'stops %s, naming the item and the field',
		(_label, _item, field, index) => {
			const failed = failedItems(mapped).find((item) => indexOf(item) === index);
			expect(failed).toBeDefined();
			expect(failed!.json.error).toMatch(field);
			expect(failed!.json.error).toMatch(new RegExp(`^Item ${index + 1}\\b`));
			expect(failed!.json._result).toEqual(expect.objectContaining({ outcome: 'failed', attempts: 0 }));
			// Whatever the item held, the message stays short: a huge value is not repeated back.
			expect(String(failed!.json.error).length).toBeLessThan(400);
		},
	);

	it.each(PAIR_CASES.map((entry, index) => [...entry, index + 1] as const))(
		'stops %s, naming the item and the field',
		(_label, _item, field, index) => {
			const failed = failedItems(pairs).find((item) => indexOf(item) === index);
			expect(failed?.json.error).toMatch(field);
			expect(failed?.json.error).toMatch(new RegExp(`^Item ${index + 1}\\b`));
		},
	);

	it('lets the good items beside them through, and every item is reported once, in order', () => {
		expect(mapped.output.map(indexOf)).toEqual([...Array(MAPPED_CASES.length + 2).keys()]);
		expect(doneItems(mapped).map(indexOf)).toEqual([0, MAPPED_CASES.length + 1]);
		expect(doneItems(mapped).map((item) => (item.json._result as IDataObject).outcome)).toEqual([
			'created',
			'created',
		]);
		expect(pairs.output.map(indexOf)).toEqual([...Array(PAIR_CASES.length + 1).keys()]);
		expect(doneItems(pairs).map(indexOf)).toEqual([0]);
	});

	it('sends nothing for the bad items: the API saw the good ones only', async () => {
		const creates = (await runner.api.requests()).filter(
			(entry) => entry.method === 'POST' && entry.route === '/api/v1/projects',
		);
		expect(creates).toHaveLength(GOOD.length + 1);
		expect((await runner.api.stats()).projectsStored).toBe(GOOD.length + 1);
	});
});

describe('On Error → Continue (using error output)', () => {
	// n8n routes an item to the error output only when its json holds nothing but error, message and details.
	it('sends a failed item to the error output, with its outcome in details', async () => {
		const result = await run([{ name: 'Fine' }, { name: '' }], MAPPED, 'continueErrorOutput');
		expect(result.output.map(indexOf)).toEqual([0]);
		expect(result.errorOutput.map(indexOf)).toEqual([1]);
		expect(result.errorOutput[0].json.details).toEqual(expect.objectContaining({ outcome: 'failed' }));
		expect(result.errorOutput[0].json.error).toMatch(/^Item 2: /);
		expect(result.errorOutput[0].json.name).toBe('');
	});
});
