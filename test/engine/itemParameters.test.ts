import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { EngineHarness } from '../../harness/engine/engineHarness';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { DEMO_CREDENTIALS } from '../../reference-api/src';

/**
 * Plain `$json` paths, the expressions n8n writes when a field is dragged onto a parameter, are read from the
 * item by the node itself (actions/itemParameters.ts), without n8n's expression engine. Through n8n's engine on
 * both expression engines: the node gets exactly what n8n's evaluation gives, for every shape of value, and on
 * `vm` the isolate evaluates none of them.
 */

let api: ReferenceApi;
let vm: EngineHarness;
let legacy: EngineHarness;

beforeAll(async () => {
	api = await ReferenceApi.start();
	vm = await EngineHarness.load({ expressionEngine: 'vm' });
	legacy = await EngineHarness.load({ expressionEngine: 'legacy' });
	for (const harness of [vm, legacy]) {
		harness.setCredential('key', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.apiKey });
	}
});

afterAll(async () => {
	await EngineHarness.stopExpressionEngine();
	await api.close();
});

/** Six fields and the key mapped as a user drags them from a CRM deal, nested and odd keys included. */
const MAPPED: INodeParameters = {
	name: '={{ $json.deal.name }}',
	additionalFields: {
		description: '={{ $json.deal.about }}',
		startDate: '={{ $json["start date"] }}',
		teamIds: '={{ $json.teams }}',
		ownerId: { __rl: true, mode: 'id', value: '={{ $json.owner }}' },
		budget: {
			budgetValues: { currency: '={{ $json.money.currency }}', amount: "={{ $json['money'].amount }}" },
		},
		customFieldsUi: { field: [{ key: 'crmDealId', value: '={{ $json.ids[0] }}' }] },
	},
	options: { dryRun: true, idempotencyKey: '={{ $json.ids[0] }}' },
};

/** The same parameters with every expression in parentheses: the node then hands all of them to n8n. */
function throughN8n(value: unknown): unknown {
	if (typeof value === 'string' && value.startsWith('={{'))
		return value.replace(/^=\{\{(.*)\}\}$/s, '={{ ($1) }}');
	if (Array.isArray(value)) return value.map(throughN8n);
	if (typeof value === 'object' && value !== null)
		return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, throughN8n(entry)]));
	return value;
}

/** Every value a path can end at, and the paths that do not lead anywhere. */
const DEALS: IDataObject[] = [
	{
		deal: { name: 'Acme renewal', about: 'From the CRM' },
		'start date': '2026-02-01',
		teams: 'team_design, team_sales',
		owner: 'usr_1001',
		money: { currency: 'eur', amount: 2500 },
		ids: ['crm-1'],
	},
	{ deal: { name: 4711, about: true }, money: { currency: 'usd', amount: '99.5' }, ids: [17] },
	{ deal: { name: 'Lists and nulls', about: null }, teams: ['team_design'], owner: null, ids: ['crm-3'] },
	{ deal: { name: 'Missing fields' }, ids: ['crm-4'] },
	{ deal: { name: { first: 'An', last: 'Object' } }, ids: ['crm-5'] },
	{ deal: 'not an object', ids: [] },
	{ ids: ['crm-7'] },
];

async function dryRun(harness: EngineHarness, parameters: INodeParameters, items = DEALS) {
	const before = EngineHarness.engineCounts().evaluations;
	const result = await harness.run({
		items,
		parameters,
		credentialId: 'key',
		settings: { onError: 'continueRegularOutput' },
	});
	return { result, evaluations: EngineHarness.engineCounts().evaluations - before };
}

/** The outputs without what depends on the machine's speed (how long an item waited for its turn). */
const stable = (result: { output: Array<{ json: IDataObject }> }) =>
	result.output.map(({ json }) => {
		const { waitedMs: _waited, ...outcome } = (json._result ?? {}) as IDataObject;
		return { ...json, _result: outcome };
	});

describe('plain $json paths read by the node', () => {
	it.each([
		['vm', () => vm],
		['legacy', () => legacy],
	])('%s: give every item exactly what n8n’s evaluation gives, errors included', async (_name, harness) => {
		const own = await dryRun(harness(), MAPPED);
		const n8n = await dryRun(harness(), throughN8n(MAPPED) as INodeParameters);
		expect(own.result.error).toBeUndefined();
		expect(own.result.output).toHaveLength(DEALS.length);
		expect(stable(own.result)).toEqual(stable(n8n.result));
		// The check sees something: good items show their request, bad ones fail naming the field.
		const first = own.result.output[0].json.request as IDataObject;
		expect(first.body).toMatchObject({
			name: 'Acme renewal',
			description: 'From the CRM',
			teamIds: ['team_design', 'team_sales'],
			budget: { currency: 'EUR', amount: 2500 },
			customFields: { crmDealId: 'crm-1' },
		});
		expect(own.result.output[4].json.error).toMatch(/Item 5\b.*"Name"/);
	});

	it('vm: none of them is evaluated in the isolate, where n8n evaluates each for each item', async () => {
		const plain = Array.from({ length: 4 }, (_, index) => ({ ...DEALS[0], ids: [`crm-${index}`] }));
		const fixed = await dryRun(vm, { name: 'Fixed', options: { dryRun: true } }, plain);
		const own = await dryRun(vm, MAPPED, plain);
		const n8n = await dryRun(vm, throughN8n(MAPPED) as INodeParameters, plain);
		expect(own.result.output.map((item) => item.json.error)).toEqual(Array(4).fill(undefined));
		expect(stable(own.result)).toEqual(stable(n8n.result));
		// What n8n evaluates of its own per run is in all three; the node's nine expressions only in n8n's.
		expect(own.evaluations).toBe(fixed.evaluations);
		expect(n8n.evaluations - fixed.evaluations).toBeGreaterThanOrEqual(plain.length * 9);
	});

	it('a path to a missing field, null, an object or a list is evaluated by n8n for that item', async () => {
		const fixed = await dryRun(vm, { name: 'Fixed', options: { dryRun: true } }, DEALS.slice(1));
		const own = await dryRun(vm, MAPPED, DEALS.slice(1));
		expect(own.evaluations).toBeGreaterThan(fixed.evaluations);
	});
});
