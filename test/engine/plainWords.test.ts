import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { EngineHarness } from '../../harness/engine/engineHarness';
import { useEngineAndApi } from '../../harness/testSetup';
import { DEMO_CREDENTIALS } from '../../reference-api/src';

/**
 * What a person reads: messages that name the item as people count it and by its project, a stop that says
 * plainly what happened to the other items, and a `_result` whose first field is a sentence, beside the precise
 * record automations read.
 */

const { api, harness } = useEngineAndApi({
	eachTest: { apiKeyCredentials: { key: DEMO_CREDENTIALS.apiKey } },
});

const create: INodeParameters = {
	name: '={{ $json.name }}',
	additionalFields: { ownerId: { __rl: true, mode: 'id', value: '={{ $json.owner }}' } },
	// One item after the other, so that the stop comes at the same place on any machine.
	options: { retryDelayMs: 20, maxInFlight: 1 },
};

function run(
	items: IDataObject[],
	parameters: INodeParameters = create,
	more: Partial<Parameters<EngineHarness['run']>[0]> = {},
) {
	return harness.run({ items, parameters, credentialId: 'key', ...more });
}

const resultOf = (json: IDataObject) => json._result as IDataObject;

async function seed(name: string): Promise<IDataObject> {
	const response = await fetch(`${api.url}/api/v1/projects`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'X-API-Key': DEMO_CREDENTIALS.apiKey },
		body: JSON.stringify({ name }),
	});
	return (await response.json()) as IDataObject;
}

describe('_result for people', () => {
	it('starts with a sentence, and keeps the record automations read', async () => {
		const result = await run([{ name: 'Acme onboarding', owner: 'usr_1001' }]);
		const record = resultOf(result.output[0].json);
		expect(Object.keys(record)[0]).toBe('summary');
		expect(record).toEqual({
			summary: 'Created.',
			outcome: 'created',
			attempts: 1,
			waitedMs: expect.any(Number),
			idempotencyKey: expect.stringMatching(/^n8n-/),
		});
	});

	it('says "created earlier" when a run after a stop finds the projects the stopped run made', async () => {
		const deals = [
			{ name: 'Acme onboarding', owner: 'usr_1001' },
			{ name: 'Globex renewal', owner: 'usr_nobody' },
			{ name: 'Initech audit', owner: 'usr_1002' },
		];
		const stopped = await run(deals);
		expect(stopped.error?.message).toBe(
			'Item 2 ("Globex renewal"): The API rejected the project data: ownerId: does not match any user (see GET /users)',
		);
		expect(stopped.error?.description).toBe(
			'Nothing was created for this item. Correct the fields named above in the node or in the incoming data. ' +
				'The node stopped here. 1 other item had ended before (1 created); n8n shows no output of a node that stops. ' +
				'Those projects exist: running the workflow again on the same input returns them as created earlier instead of creating them twice.',
		);

		deals[1].owner = 'usr_1003';
		const again = await run(deals);
		expect(again.output.map((item) => resultOf(item.json).outcome)).toEqual([
			'replayed',
			'created',
			'created',
		]);
		expect(resultOf(again.output[0].json).summary).toBe(
			'Created earlier: an earlier run or attempt made this project; it was not created again.',
		);
		expect(await api.projects()).toHaveLength(3);
	});

	it('counts as attempts the request that decided the item, not the name lookup before it', async () => {
		const existing = await seed('Taken');
		const result = await run([{ name: 'Taken' }, { name: 'Free' }], {
			name: '={{ $json.name }}',
			ifExists: 'returnExisting',
			options: { maxInFlight: 1 },
		});
		expect(result.output.map((item) => resultOf(item.json))).toEqual([
			expect.objectContaining({
				summary: 'Already existed: a project with this name was there, returned unchanged.',
				outcome: 'existing',
				attempts: 1,
			}),
			expect.objectContaining({ summary: 'Created.', outcome: 'created', attempts: 1 }),
		]);
		expect(result.output[0].json.id).toBe(existing.id);
	});

	it('a failed item under Continue On Fail says so in its summary', async () => {
		const result = await run([{ name: 'Globex renewal', owner: 'usr_nobody' }], create, {
			settings: { onError: 'continueRegularOutput' },
		});
		expect(resultOf(result.output[0].json)).toEqual(
			expect.objectContaining({
				summary:
					'Failed: The API rejected the project data: ownerId: does not match any user (see GET /users).',
				outcome: 'failed',
				retryable: false,
			}),
		);
	});
});

describe('a stopped Delete', () => {
	it('does not talk of idempotency keys, and says how to run it again', async () => {
		const [a, b] = [await seed('Old 1'), await seed('Old 2')];
		const result = await run([{ id: a.id }, { id: 'prj_00000000dead' }, { id: b.id }], {
			operation: 'deleteProject',
			project: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
			options: { maxInFlight: 1 },
		});
		expect(result.error?.message).toBe(
			'Item 2 (project prj_00000000dead): No project with the ID prj_00000000dead exists: it may have been deleted already',
		);
		expect(result.error?.description).toMatch(/1 other item had ended before \(1 deleted\)/);
		expect(result.error?.description).toMatch(/turn on Succeed If Already Deleted/);
		expect(result.error?.description).not.toMatch(/idempotency/);
	});
});
