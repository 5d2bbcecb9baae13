import type { INodeParameters } from 'n8n-workflow';

import { EngineHarness } from '../../harness/engine/engineHarness';
import { activeExpressionEngine } from '../../harness/engine/expressionEngine';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { DEMO_CREDENTIALS } from '../../reference-api/src';

/**
 * The harness runs the expression engine it is asked for: `vm`, as n8n 2.x starts it for `n8n start`, `worker`
 * and `execute` (an isolate per execution), or `legacy`. These tests fail if a harness loaded with `vm` still
 * evaluates in n8n's own V8 context, as it did before the engine was started.
 */

let api: ReferenceApi;
let vm: EngineHarness;
let legacy: EngineHarness;

beforeAll(async () => {
	api = await ReferenceApi.start();
	vm = await EngineHarness.load({ expressionEngine: 'vm' });
	legacy = await EngineHarness.load({ expressionEngine: 'legacy' });
	for (const harness of [vm, legacy]) {
		harness.setCredential('key', {
			baseUrl: api.url,
			apiKey: DEMO_CREDENTIALS.apiKey,
			keyLocation: 'header',
		});
		harness.setCredential('oauth', {
			baseUrl: api.url,
			clientId: DEMO_CREDENTIALS.oauthClientId,
			clientSecret: DEMO_CREDENTIALS.oauthClientSecret,
			authentication: 'body',
		});
	}
});

afterAll(async () => {
	await EngineHarness.stopExpressionEngine();
	await api.close();
});

beforeEach(async () => {
	await api.reset();
});

const deals = (count: number, prefix: string) =>
	Array.from({ length: count }, (_, index) => ({ name: `${prefix} ${index + 1}`, about: 'From the CRM' }));

function create(harness: EngineHarness, parameters: INodeParameters, prefix: string, count = 3) {
	return harness.run({ items: deals(count, prefix), parameters, credentialId: 'key' });
}

describe('the expression engine a harness runs', () => {
	/**
	 * A property put on Number.prototype in this process: an expression compiled into n8n's own context (legacy)
	 * sees it, one run in an isolate with a V8 heap of its own (vm) does not.
	 */
	const PROBE = 'pmEngineProbe';

	beforeAll(() => {
		Object.defineProperty(Number.prototype, PROBE, { value: 'n8n context', configurable: true });
	});
	afterAll(() => {
		delete (Number.prototype as unknown as Record<string, unknown>)[PROBE];
	});

	const probing: INodeParameters = { name: `={{ $json.name + " / " + (1).${PROBE} }}` };

	it('vm: the node’s expressions run in an isolate of their own, apart from n8n’s context', async () => {
		const result = await create(vm, probing, 'Isolated');
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.name)).toEqual([
			'Isolated 1 / undefined',
			'Isolated 2 / undefined',
			'Isolated 3 / undefined',
		]);
	});

	it('legacy: the same expressions run in n8n’s own context', async () => {
		const result = await create(legacy, probing, 'Shared');
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.name)).toEqual([
			'Shared 1 / n8n context',
			'Shared 2 / n8n context',
			'Shared 3 / n8n context',
		]);
	});

	it('vm: every expression of every item is evaluated by the vm engine, in an isolate taken for the run', async () => {
		// Not plain `$json` paths: the node reads those from the item itself (actions/itemParameters.ts).
		const mapped: INodeParameters = {
			name: '={{ $json.name.trim() }}',
			additionalFields: { description: '={{ $json.about.trim() }}' },
		};
		const before = EngineHarness.engineCounts();
		const result = await create(vm, mapped, 'Counted', 4);
		const after = EngineHarness.engineCounts();
		expect(result.output.map((item) => item.json.description)).toEqual(Array(4).fill('From the CRM'));
		// Two expressions for each of 4 items; n8n may evaluate some parameters more than once.
		expect(after.evaluations - before.evaluations).toBeGreaterThanOrEqual(8);
		expect(after.isolatesAcquired - before.isolatesAcquired).toBeGreaterThanOrEqual(1);

		const legacyResult = await create(legacy, mapped, 'Uncounted', 4);
		expect(legacyResult.output).toHaveLength(4);
		expect(EngineHarness.engineCounts()).toEqual(after);
	});

	it('legacy after vm is what n8n with N8N_EXPRESSION_ENGINE=legacy runs: no vm engine at all', async () => {
		await vm.prepareExpressionEngine();
		expect(activeExpressionEngine()).toBe('vm');
		await legacy.prepareExpressionEngine();
		expect(activeExpressionEngine()).toBe('legacy');
		const before = EngineHarness.engineCounts();
		await create(legacy, { name: '={{ $json.name }}' }, 'Plain', 2);
		expect(EngineHarness.engineCounts().isolatesAcquired).toBe(before.isolatesAcquired);
	});

	it('vm: the editor’s methods and credential expressions (the OAuth2 token URL) evaluate in isolates too', async () => {
		const statuses = await vm.callMethod('loadOptions', 'getStatuses', {
			credentialType: 'projectManagementApi',
			credentialId: 'key',
		});
		expect(statuses.map((option) => option.value)).toContain('Planned');
		const result = await vm.run({
			items: deals(2, 'Token'),
			parameters: { name: '={{ $json.name }}' },
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'oauth',
		});
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.name)).toEqual(['Token 1', 'Token 2']);
	});

	it('refuses to start a run with one engine while a run with the other is under way (one engine per process)', async () => {
		const first = create(vm, { name: '={{ $json.name }}' }, 'First', 5);
		await expect(create(legacy, { name: '={{ $json.name }}' }, 'Second', 1)).rejects.toThrow(
			/vm expression engine is in use/,
		);
		expect((await first).output).toHaveLength(5);
	});
});
