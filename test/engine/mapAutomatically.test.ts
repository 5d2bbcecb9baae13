import type { IDataObject } from 'n8n-workflow';

import { DEMO_CREDENTIALS, noFaults } from '../../reference-api/src';
import { useEngineAndApi } from '../../harness/testSetup';

/**
 * Create with "Map Automatically": the incoming item's own fields, by their names, as the project, with no
 * expression per field; checked like the fields of the form, through n8n's engine against the reference API.
 */

const { api, harness } = useEngineAndApi({
	eachTest: {
		configure: { faults: { seed: 1, rates: noFaults() }, rateLimit: { enabled: false }, latencyMs: 0 },
		apiKeyCredentials: { key: DEMO_CREDENTIALS.apiKey },
	},
});

const run = (items: IDataObject[], options: IDataObject = {}, credentialId = 'key') =>
	harness.run({
		items,
		credentialId,
		parameters: { mappingMode: 'autoMapInputData', options: { retryDelayMs: 10, ...options } },
		settings: { onError: 'continueRegularOutput' },
	});

describe('Map Automatically', () => {
	it("sends the item's project fields by their names, custom fields by key or in customFields, and nothing else", async () => {
		const deal = {
			name: 'Auto Acme',
			description: 'From the CRM',
			status: 'Active',
			startDate: '2026-02-01',
			endDate: '2026-03-31',
			owner: 'usr_1001',
			teams: 'team_design, team_sales',
			budget: { currency: 'eur', amount: '25000' },
			riskScore: '3',
			customFields: { department: 'Sales' },
			dealId: 'crm-77',
			stage: 'won',
		};
		const result = await run([deal]);
		expect(result.output[0].json).toMatchObject({
			name: 'Auto Acme',
			description: 'From the CRM',
			status: 'Active',
			ownerId: 'usr_1001',
			teamIds: ['team_design', 'team_sales'],
			budget: { currency: 'EUR', amount: 25000 },
			customFields: { riskScore: 3, department: 'Sales' },
			_result: { outcome: 'created' },
		});
		const [sent] = await api.createAttempts();
		expect(sent.status).toBe(201);
		const stored = (await api.projects())[0];
		expect(stored).not.toHaveProperty('dealId');
		expect(stored.customFields).toEqual({ riskScore: 3, department: 'Sales' });
	});

	it('checks the values like the form does, naming the item and the field, and sends nothing for a bad item', async () => {
		const result = await run([
			{ name: 'Bad date', startDate: 'next Tuesday' },
			{ name: 'Bad risk', riskScore: 'high' },
			{ description: 'No name at all' },
			{ name: 'Good one' },
		]);
		const errors = result.output.map((item) => item.json.error);
		expect(errors[0]).toMatch(/^Item 1\b.*"Start Date" could not be read as a date: "next Tuesday"/);
		expect(errors[1]).toMatch(
			/^Item 2\b.*Custom field "Risk Score" must be a number, but it is the string "high"/,
		);
		expect(errors[2]).toMatch(/^Item 3\b.*The incoming item has no "name" field/);
		expect(result.output[3].json._result).toMatchObject({ outcome: 'created' });
		expect(await api.createAttempts()).toHaveLength(1);
	});

	it('reads the custom field definitions once for many executions, not once per execution', async () => {
		// A credential of its own, so that no earlier test has read them for this API yet.
		harness.setCredential('fresh', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.apiKey });
		await Promise.all(
			[1, 2, 3, 4].map(
				async (index) => await run([{ name: `Once ${index}`, riskScore: index }], {}, 'fresh'),
			),
		);
		const reads = (await api.requests()).filter((entry) => entry.route === '/api/v1/custom-fields');
		expect(reads).toHaveLength(1);
		expect(await api.projects()).toHaveLength(4);
	});
});
