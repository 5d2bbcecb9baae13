import type { IDataObject } from 'n8n-workflow';

import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { useEngineAndApi } from '../../harness/testSetup';

/**
 * The node as an AI agent's tool. An agent node is connected to the node's tool variant; n8n-core builds the
 * tool from the `$fromAI()` placeholders (createNodeAsTool, reached through the agent's getInputConnectionData)
 * and runs the node with the arguments the model chose as its input item, as n8n does.
 */

const { api, harness } = useEngineAndApi({
	eachTest: { apiKeyCredentials: { 'cred-1': DEMO_CREDENTIALS.apiKey } },
});

const fromAI = (key: string, description: string, type = 'string') =>
	`={{ $fromAI('${key}', '${description}', '${type}') }}`;

const answerOf = (agent: IDataObject) => JSON.parse(agent.answer as string) as IDataObject[];

describe('the node as an AI tool', () => {
	it('creates a project from the values the model chose, and tells the model how it went', async () => {
		const { agent, toolRuns } = await harness.runAsTool({
			parameters: {
				operation: 'create',
				name: fromAI('name', 'The project name, unique in the system'),
				additionalFields: {
					description: fromAI('description', 'What the project is about'),
					status: fromAI('status', 'One of Draft, Planned, Active, On Hold, Completed, Cancelled'),
				},
			},
			toolArgs: { name: 'Website relaunch', description: 'Agreed with the client today', status: 'Planned' },
		});

		expect(agent.toolDescription).toBe('Create a project in Project Management');
		expect(agent.parameters).toEqual({
			name: { description: 'The project name, unique in the system', type: 'ZodString' },
			description: { description: 'What the project is about', type: 'ZodString' },
			status: {
				description: 'One of Draft, Planned, Active, On Hold, Completed, Cancelled',
				type: 'ZodString',
			},
		});
		expect(agent.error).toBeUndefined();
		const [created] = answerOf(agent);
		expect(created).toEqual(
			expect.objectContaining({
				name: 'Website relaunch',
				description: 'Agreed with the client today',
				status: 'Planned',
				_result: expect.objectContaining({ outcome: 'created' }),
			}),
		);
		const stored = await api.projects();
		expect(stored).toHaveLength(1);
		expect(stored[0].id).toBe(created.id);
		// n8n records the tool's run with the model's arguments as its input.
		expect(toolRuns).toHaveLength(1);
		expect(toolRuns[0].inputOverride?.ai_tool?.[0]?.[0]?.json).toEqual({
			name: 'Website relaunch',
			description: 'Agreed with the client today',
			status: 'Planned',
		});
	});

	it('finds projects by the text the model searches for', async () => {
		for (const name of ['Acme onboarding', 'Acme renewal', 'Globex audit']) {
			await fetch(`${api.url}/api/v1/projects`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'X-API-Key': DEMO_CREDENTIALS.apiKey },
				body: JSON.stringify({ name }),
			});
		}
		const { agent } = await harness.runAsTool({
			parameters: {
				operation: 'getAll',
				returnAll: true,
				filters: { search: fromAI('nameContains', 'Part of the project name to look for') },
			},
			toolArgs: { nameContains: 'acme' },
		});
		expect(agent.toolDescription).toBe('Get many projects in Project Management');
		expect(answerOf(agent).map((project) => project.name)).toEqual(['Acme onboarding', 'Acme renewal']);
	});

	it('updates the project whose ID the model gives, and passes a clear message back when there is none', async () => {
		const response = await fetch(`${api.url}/api/v1/projects`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'X-API-Key': DEMO_CREDENTIALS.apiKey },
			body: JSON.stringify({ name: 'Billing migration' }),
		});
		const project = (await response.json()) as IDataObject;
		const parameters = {
			operation: 'update',
			project: {
				__rl: true,
				mode: 'id',
				value: fromAI('projectId', 'The ID of the project, such as prj_0123456789ab'),
			},
			updateFields: { status: fromAI('status', 'The new status, such as Active or Completed') },
		};
		const updated = await harness.runAsTool({
			parameters,
			toolArgs: { projectId: project.id, status: 'Completed' },
		});
		expect(answerOf(updated.agent)[0]).toEqual(
			expect.objectContaining({
				id: project.id,
				status: 'Completed',
				_result: expect.objectContaining({ outcome: 'updated' }),
			}),
		);

		const missing = await harness.runAsTool({
			parameters,
			toolArgs: { projectId: 'prj_000000000000', status: 'Active' },
		});
		expect(missing.agent.error).toMatch(/No project with the ID prj_000000000000 exists/);
		expect(missing.agent.error).toMatch(/Check the project ID/);
		expect(String(missing.agent.error)).not.toContain(DEMO_CREDENTIALS.apiKey);
	});

	it('checks what the model chose as strictly as what a user types', async () => {
		const { agent } = await harness.runAsTool({
			parameters: {
				operation: 'create',
				name: fromAI('name', 'The project name'),
				additionalFields: { startDate: fromAI('startDate', 'The start date, as YYYY-MM-DD') },
			},
			toolArgs: { name: 'Vague plan', startDate: 'next Tuesday' },
		});
		expect(agent.error).toMatch(/"Start Date" could not be read as a date: "next Tuesday"/);
		expect(agent.error).toMatch(/2026-02-01/);
		expect(await api.createAttempts()).toHaveLength(0);
	});
});
