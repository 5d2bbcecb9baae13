import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { customFieldsForm, formColumn } from '../../harness/customFieldsForm';
import type { EngineHarness, RunResult } from '../../harness/engine/engineHarness';
import { DEMO_CREDENTIALS, noFaults } from '../../reference-api/src';
import { useEngineAndApi } from '../../harness/testSetup';

/**
 * Get, Get Many, Update and Delete, and Create's find-or-create, run as n8n runs them: workflows through
 * n8n-core's WorkflowExecute with the package loaded from dist/, over real HTTP to the reference API.
 */

const { api, harness } = useEngineAndApi({
	api: { faults: { retryAfterSeconds: 1 } },
	eachTest: {
		configure: { faults: { seed: 1, rates: noFaults() }, rateLimit: { enabled: false }, latencyMs: 0 },
		apiKeyCredentials: { key: DEMO_CREDENTIALS.apiKey },
	},
});

const fast = (extra: IDataObject = {}) => ({ retryDelayMs: 20, maxAttempts: 5, ...extra });

function run(
	parameters: INodeParameters,
	items: IDataObject[] = [{}],
	more: Partial<Parameters<EngineHarness['run']>[0]> = {},
) {
	return harness.run({ items, credentialId: 'key', ...more, parameters: { options: fast(), ...parameters } });
}

const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const byUrl = (value: string) => ({ __rl: true, mode: 'url', value });
const fromList = (value: string) => ({ __rl: true, mode: 'list', value });

/** Projects put straight into the API, as other users of the system would. */
async function seed(names: string[], fields: IDataObject = {}): Promise<IDataObject[]> {
	const created: IDataObject[] = [];
	for (const name of names) {
		const response = await fetch(`${api.url}/api/v1/projects`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'X-API-Key': DEMO_CREDENTIALS.apiKey },
			body: JSON.stringify({ name, ...fields }),
		});
		if (response.status !== 201) throw new Error(`seed ${name}: HTTP ${response.status}`);
		created.push((await response.json()) as IDataObject);
	}
	return created;
}

async function changeOutOfBand(id: string, fields: IDataObject) {
	const response = await fetch(`${api.url}/api/v1/projects/${id}`, {
		method: 'PATCH',
		headers: { 'content-type': 'application/json', 'X-API-Key': DEMO_CREDENTIALS.apiKey },
		body: JSON.stringify(fields),
	});
	if (response.status !== 200) throw new Error(`patch ${id}: HTTP ${response.status}`);
}

const outcomes = (result: RunResult) =>
	result.output.map((item) => (item.json._result as IDataObject | undefined)?.outcome);

/** The requests the node sent, as "METHOD route" in order; the test's own seeding is left out. */
async function sentSince(seq: number) {
	return (await api.requests())
		.filter((entry) => entry.seq > seq)
		.map((entry) => `${entry.method} ${entry.route}`);
}

async function lastSeq() {
	const log = await api.requests();
	return log.length ? log[log.length - 1].seq : 0;
}

describe('Get', () => {
	it('reads a project picked from the list, by ID, or by the address of its page', async () => {
		const [project] = await seed(['Mercury'], { status: 'Active' });
		const id = project.id as string;
		for (const locator of [fromList(id), byId(id), byUrl(`https://pm.example.com/projects/${id}`)]) {
			const result = await run({ operation: 'get', project: locator });
			expect(result.error).toBeUndefined();
			expect(result.output).toHaveLength(1);
			expect(result.output[0].json).toEqual(
				expect.objectContaining({ id, name: 'Mercury', status: 'Active', _result: expect.anything() }),
			);
			expect(outcomes(result)).toEqual(['found']);
			expect(result.output[0].pairedItem).toEqual({ item: 0 });
		}
	});

	it('maps one project per input item from an expression', async () => {
		const projects = await seed(['A', 'B', 'C']);
		const result = await run(
			{ operation: 'get', project: byId('={{ $json.projectId }}') },
			projects.map((project) => ({ projectId: project.id })),
		);
		expect(result.output.map((item) => item.json.name)).toEqual(['A', 'B', 'C']);
		expect(result.output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('says clearly when no project has the ID, and sends nothing for a value that is not an ID', async () => {
		const missing = await run({ operation: 'get', project: byId('prj_000000000000') });
		expect(missing.error?.message).toMatch(/^Item 1\b.*No project with the ID prj_000000000000 exists/);
		expect(missing.error?.description).toMatch(/Check the project ID/);

		const before = await lastSeq();
		// A fixed value is checked by n8n itself against the locator's pattern, before the run starts...
		await expect(
			run({ operation: 'get', project: byUrl('https://pm.example.com/users/usr_1001') }),
		).rejects.toThrow(/Paste the address of a project page/);
		// ...and a value from an expression by the node, before any request.
		const wrong = await run({ operation: 'get', project: byUrl('={{ $json.link }}') }, [
			{ link: 'https://pm.example.com/users/usr_1001' },
		]);
		expect(wrong.error?.message).toMatch(/^Item 1\b.*"Project" is not the address of a project page: .*/);
		expect(wrong.error?.description).toMatch(/projects\/prj_/);
		expect(await sentSince(before)).toEqual([]);
	});
});

describe('Get Many', () => {
	it('follows the cursor over several pages to the end with Return All', async () => {
		const names = Array.from({ length: 230 }, (_, index) => `Project ${String(index + 1).padStart(3, '0')}`);
		await seed(names);
		const before = await lastSeq();
		const result = await run({ operation: 'getAll', returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.name)).toEqual(names);
		expect(new Set(result.output.map((item) => item.json.id)).size).toBe(230);
		expect(result.output.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		expect(await sentSince(before)).toEqual(Array(3).fill('GET /api/v1/projects'));
		expect(result.output[0].json._result).toEqual(expect.objectContaining({ outcome: 'found', attempts: 3 }));
	});

	it('stops at the limit, asking only for the pages it needs', async () => {
		await seed(Array.from({ length: 130 }, (_, index) => `P${index}`));
		const before = await lastSeq();
		const result = await run({ operation: 'getAll', returnAll: false, limit: 120 });
		expect(result.output).toHaveLength(120);
		expect(result.output[119].json.name).toBe('P119');
		expect(await sentSince(before)).toHaveLength(2);

		const small = await run({ operation: 'getAll', limit: 5 });
		expect(small.output.map((item) => item.json.name)).toEqual(['P0', 'P1', 'P2', 'P3', 'P4']);
	});

	it('filters by exact name, by part of the name, and by status', async () => {
		await seed(['Apollo launch', 'Apollo review'], { status: 'Active' });
		await seed(['Gemini', 'Apollo archive'], { status: 'Completed' });
		const names = async (filters: INodeParameters) =>
			(await run({ operation: 'getAll', returnAll: true, filters })).output.map((item) => item.json.name);
		expect(await names({ name: 'APOLLO LAUNCH' })).toEqual(['Apollo launch']);
		expect(await names({ search: 'apollo' })).toEqual(['Apollo launch', 'Apollo review', 'Apollo archive']);
		expect(await names({ status: 'Completed' })).toEqual(['Gemini', 'Apollo archive']);
		expect(await names({ search: 'apollo', status: 'Active' })).toEqual(['Apollo launch', 'Apollo review']);
		expect(await names({ name: 'Nothing like it' })).toEqual([]);
	});

	it("keeps to a rate limit while paging: the API's RateLimit fields pace the pages, none is refused", async () => {
		await seed(Array.from({ length: 250 }, (_, index) => `R${index}`));
		// One request per second, and the first page empties the quota (RateLimit: r=0;t=1).
		await api.configure({ rateLimit: { enabled: true, capacity: 1, refillPerSecond: 2 } });
		const before = await lastSeq();
		const result = await run({ operation: 'getAll', returnAll: true });
		expect(result.output).toHaveLength(250);
		const pages = (await api.requests()).filter((entry) => entry.seq > before);
		expect(pages.length).toBeGreaterThanOrEqual(3);
		expect(pages.filter((entry) => entry.status === 429)).toEqual([]);
	});
});

describe('Update', () => {
	it('sends only the fields that are set, as a PATCH, and leaves the others as they were', async () => {
		const [project] = await seed(['Venus'], {
			description: 'Keep me',
			priority: 'Low',
			teamIds: ['team_design'],
		});
		const result = await run({
			operation: 'update',
			project: byId(project.id as string),
			updateFields: {
				status: 'Active',
				priority: 'Critical',
				ownerId: fromList('usr_1003'),
				teamIds: ['team_sales', 'team_engineering'],
				endDate: '2026-09-30',
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json).toEqual(
			expect.objectContaining({
				id: project.id,
				name: 'Venus',
				description: 'Keep me',
				status: 'Active',
				priority: 'Critical',
				ownerId: 'usr_1003',
				teamIds: ['team_sales', 'team_engineering'],
				endDate: '2026-09-30T00:00:00.000Z',
			}),
		);
		expect(result.output[0].json._result).toEqual(
			expect.objectContaining({
				outcome: 'updated',
				attempts: 1,
				idempotencyKey: expect.stringMatching(/^n8n-/),
			}),
		);
		const [stored] = await api.projects();
		expect(stored).toEqual(expect.objectContaining({ status: 'Active', description: 'Keep me' }));
	});

	it('renames a project, and refuses a name another project has', async () => {
		const [first] = await seed(['Mars', 'Jupiter']);
		const renamed = await run({
			operation: 'update',
			project: byId(first.id as string),
			updateFields: { name: 'Ares' },
		});
		expect(renamed.output[0].json.name).toBe('Ares');
		const clash = await run({
			operation: 'update',
			project: byId(first.id as string),
			updateFields: { name: 'jupiter' },
		});
		expect(clash.error?.message).toMatch(/A project with this name already exists/);
		expect(clash.error?.description).toMatch(/This item changed nothing/);
	});

	it('stops an item with nothing to update before sending anything', async () => {
		const [project] = await seed(['Idle']);
		const before = await lastSeq();
		const result = await run({
			operation: 'update',
			project: byId(project.id as string),
			updateFields: { description: '={{ $json.missing }}' },
		});
		expect(result.error?.message).toMatch(/^Item 1\b.*Nothing to update: no field is set/);
		expect(await sentSince(before)).toEqual([]);
	});

	it('says clearly when the project does not exist', async () => {
		const result = await run({
			operation: 'update',
			project: byId('prj_ffffffffffff'),
			updateFields: { status: 'Active' },
		});
		expect(result.error?.message).toMatch(/^Item 1\b.*No project with the ID prj_ffffffffffff exists/);
		expect(result.error?.description).toMatch(/This item changed nothing/);
	});

	it('after a lost answer: unknown; the same execution is answered from the store; a later one applies it again', async () => {
		const [project] = await seed(['Saturn']);
		const parameters = {
			operation: 'update',
			project: byId(project.id as string),
			updateFields: { status: 'Active' },
		};
		await api.configure({ faults: { seed: 4, rates: { ...noFaults(), resetAfterCommit: 1 } } });
		const lost = await run({ ...parameters, options: fast({ maxAttempts: 1 }) }, [{}], {
			settings: { onError: 'continueRegularOutput' },
		});
		expect(lost.output[0].json._result).toEqual(expect.objectContaining({ outcome: 'unknown' }));
		expect(lost.output[0].json.error).toMatch(/may or may not have been updated/);

		await api.configure({ faults: { rates: noFaults() } });
		// Within one execution (n8n's Retry On Fail, or the node's own retries) the key is the same:
		// the API answers from its store.
		const retried = await run(parameters, [{}], { executionId: 'exec-retry' });
		const again = await run(parameters, [{}], { executionId: 'exec-retry' });
		expect(outcomes(retried)).toEqual(['updated']);
		expect(outcomes(again)).toEqual(['replayed']);

		// Someone changes the status in the system; the CRM sends the same change again in a new execution.
		await changeOutOfBand(project.id as string, { status: 'On Hold' });
		const later = await run(parameters, [{}], { executionId: 'exec-later' });
		expect(outcomes(later)).toEqual(['updated']);
		expect(later.output[0].json.status).toBe('Active');
		expect((await api.projects())[0].status).toBe('Active');
	});
});

describe('Delete', () => {
	it('deletes a project; run twice, it reports the second time clearly, or succeeds when told to', async () => {
		const [project] = await seed(['Pluto']);
		const parameters = { operation: 'deleteProject', project: byId(project.id as string) };
		const first = await run(parameters);
		expect(first.output[0].json).toEqual(
			expect.objectContaining({
				id: project.id,
				deleted: true,
				_result: expect.objectContaining({ outcome: 'deleted' }),
			}),
		);
		expect(await api.projects()).toHaveLength(0);

		const second = await run(parameters);
		expect(second.error?.message).toMatch(
			new RegExp(
				`^Item 1 \\(project ${project.id}\\): No project with the ID ${project.id} exists: it may have been deleted already`,
			),
		);
		expect(second.error?.description).toMatch(/Succeed If Already Deleted/);

		const tolerant = await run({ ...parameters, options: fast({ ignoreNotFound: true }) });
		expect(tolerant.error).toBeUndefined();
		expect(tolerant.output[0].json).toEqual(
			expect.objectContaining({
				id: project.id,
				deleted: false,
				_result: expect.objectContaining({ outcome: 'notFound' }),
			}),
		);
		const deletes = (await api.requests())
			.filter((entry) => entry.method === 'DELETE')
			.map((entry) => entry.status);
		expect(deletes).toEqual([204, 404, 404]);
		expect((await api.stats()).projectsDeleted).toBe(1);
	});

	it('cleans up a list of projects, some already gone, with Continue On Fail', async () => {
		const projects = await seed(['One', 'Two', 'Three']);
		await run({ operation: 'deleteProject', project: byId(projects[1].id as string) });
		const result = await run(
			{ operation: 'deleteProject', project: byId('={{ $json.id }}') },
			projects.map((project) => ({ id: project.id })),
			{ settings: { onError: 'continueRegularOutput' } },
		);
		expect(outcomes(result)).toEqual(['deleted', 'failed', 'deleted']);
		expect(result.output[1].json.error).toMatch(/^Item 2\b.*may have been deleted already/);
		expect(await api.projects()).toHaveLength(0);
	});
});

describe('Create: if a project with this name exists', () => {
	it('returns the existing project (find or create), looked up by name', async () => {
		const [existing] = await seed(['Neptune'], { description: 'From the CRM' });
		const before = await lastSeq();
		const result = await run({ operation: 'create', name: '={{ $json.name }}', ifExists: 'returnExisting' }, [
			{ name: 'neptune' },
			{ name: 'Triton' },
		]);
		expect(result.error).toBeUndefined();
		expect(outcomes(result)).toEqual(['existing', 'created']);
		expect(result.output[0].json).toEqual(
			expect.objectContaining({ id: existing.id, description: 'From the CRM' }),
		);
		expect(await sentSince(before)).toEqual([
			'GET /api/v1/projects',
			'GET /api/v1/projects',
			'POST /api/v1/projects',
		]);
		expect(await api.projects()).toHaveLength(2);
	});

	it('updates the existing project with the given fields (upsert), and creates the missing one', async () => {
		const [existing] = await seed(['Uranus'], { status: 'Draft', description: 'Old' });
		const parameters = {
			operation: 'create',
			name: '={{ $json.name }}',
			ifExists: 'update',
			additionalFields: { status: '={{ $json.stage }}', description: 'Synced from the CRM' },
		};
		const result = await run(parameters, [
			{ name: 'URANUS', stage: 'Active' },
			{ name: 'Miranda', stage: 'Planned' },
		]);
		expect(outcomes(result)).toEqual(['updated', 'created']);
		expect(result.output[0].json).toEqual(
			expect.objectContaining({
				id: existing.id,
				name: 'Uranus',
				status: 'Active',
				description: 'Synced from the CRM',
			}),
		);
		expect(result.output[1].json).toEqual(expect.objectContaining({ name: 'Miranda', status: 'Planned' }));
		const stored = await api.projects();
		expect(stored.map((project) => [project.name, project.status])).toEqual([
			['Uranus', 'Active'],
			['Miranda', 'Planned'],
		]);
		const patches = (await api.requests()).filter((entry) => entry.method === 'PATCH');
		expect(patches).toHaveLength(1);
		expect(patches[0].idempotencyKey).toBe((result.output[0].json._result as IDataObject).idempotencyKey);
	});

	it('still reports an error by default, naming the choice that avoids it', async () => {
		await seed(['Ceres']);
		const result = await run({ operation: 'create', name: 'CERES' });
		expect(result.error?.message).toMatch(/already exists/);
		expect(result.error?.description).toMatch(/If a Project With This Name Exists/);
		expect((await api.requests()).filter((entry) => entry.method === 'GET')).toHaveLength(0);
	});

	it('returns the project another run created between the lookup and the create', async () => {
		// Two workflows (two nodes, so two different keys) look the name up at the same time; both find
		// nothing, both create, and the API refuses the second as a duplicate. That one looks again.
		await api.configure({ latencyMs: 200 });
		const parameters = { operation: 'create', name: 'Eris', ifExists: 'returnExisting' };
		const [a, b] = await Promise.all([
			run(parameters, [{}], { nodeId: 'node-a' }),
			run(parameters, [{}], { nodeId: 'node-b' }),
		]);
		expect([...outcomes(a), ...outcomes(b)].sort()).toEqual(['created', 'existing']);
		expect(a.output[0].json.id).toBe(b.output[0].json.id);
		expect(await api.projects()).toHaveLength(1);
		expect((await api.requests()).map((entry) => entry.status)).toContain(409);
	});
});

describe('Dry Run', () => {
	/** Requests that would change something, sent since `seq`: a Dry Run only reads. */
	const writesSince = async (seq: number) =>
		(await api.requests()).filter((entry) => entry.seq > seq && entry.method !== 'GET');

	it('shows the exact create request, with the key a real run then uses, after checking the name with a read', async () => {
		const parameters = {
			operation: 'create',
			name: 'Dry Apollo',
			additionalFields: {
				description: 'Checked first',
				teamIds: 'Design',
				budget: { budgetValues: { currency: 'eur', amount: 1000 } },
			},
		};
		const before = await lastSeq();
		const dry = await run({ ...parameters, options: fast({ dryRun: true }) });
		expect(dry.error).toBeUndefined();
		expect(dry.output[0].json).toEqual({
			dryRun: true,
			request: {
				method: 'POST',
				url: `${api.url}/api/v1/projects`,
				body: {
					name: 'Dry Apollo',
					description: 'Checked first',
					teamIds: ['team_design'],
					budget: { currency: 'EUR', amount: 1000 },
				},
				idempotencyKey: expect.stringMatching(/^n8n-/),
			},
			nameCheck: 'No project has this name yet: the run would create it.',
			_result: expect.objectContaining({ outcome: 'dryRun', attempts: 0 }),
		});
		expect(JSON.stringify(dry.output)).not.toContain(DEMO_CREDENTIALS.apiKey);
		expect(await writesSince(before)).toEqual([]);
		expect((await api.stats()).projectsStored).toBe(0);

		const real = await run(parameters);
		const [attempt] = await api.createAttempts();
		expect(attempt.idempotencyKey).toBe((dry.output[0].json.request as IDataObject).idempotencyKey);
		expect(real.output[0].json).toEqual(
			expect.objectContaining((dry.output[0].json.request as IDataObject).body as IDataObject),
		);
	});

	it('refuses a taken name with "Report an Error", as the run would, instead of approving it', async () => {
		const [project] = await seed(['Dry Mars']);
		const before = await lastSeq();
		const result = await run({ operation: 'create', name: 'dry mars', options: fast({ dryRun: true }) });
		expect(result.error?.message).toBe(
			`Item 1 ("dry mars"): A project with this name already exists: "dry mars" is project ${project.id}`,
		);
		expect(result.error?.description).toMatch(/^Dry Run: the run would stop here too/);
		expect(await writesSince(before)).toEqual([]);
	});

	it('shows the update after checking that the project exists, and what find-or-create would update', async () => {
		const [project] = await seed(['Dry Venus']);
		const before = await lastSeq();
		const update = await run({
			operation: 'update',
			project: byUrl(`https://pm.example.com/projects/${project.id}`),
			updateFields: { status: 'Completed' },
			options: fast({ dryRun: true }),
		});
		expect(update.output[0].json).toEqual(
			expect.objectContaining({
				request: {
					method: 'PATCH',
					url: `${api.url}/api/v1/projects/${project.id}`,
					body: { status: 'Completed' },
					idempotencyKey: expect.stringMatching(/^n8n-/),
				},
				projectCheck: `Project ${project.id} exists: the run would change it.`,
			}),
		);
		const upsert = await run({
			operation: 'create',
			name: 'Dry Venus',
			ifExists: 'update',
			additionalFields: { priority: 'High' },
			options: fast({ dryRun: true }),
		});
		expect(upsert.output[0].json).toEqual(
			expect.objectContaining({
				nameCheck: `Project ${project.id} has this name: the run would update it instead of creating one.`,
				update: {
					method: 'PATCH',
					url: `${api.url}/api/v1/projects/${project.id}`,
					body: { priority: 'High' },
					idempotencyKey: expect.stringMatching(/^n8n-/),
				},
			}),
		);
		const missing = await run({
			operation: 'update',
			project: byId('prj_0000000000ff'),
			updateFields: { status: 'Completed' },
			options: fast({ dryRun: true }),
		});
		expect(missing.error?.message).toMatch(/^Item 1 \(project prj_0000000000ff\): No project with the ID/);
		expect(await writesSince(before)).toEqual([]);
		expect((await api.projects())[0].status).toBe('Draft');
	});

	it('still stops a bad item, as a real run would', async () => {
		const result = await run({
			operation: 'create',
			name: 'Bad dates',
			additionalFields: { startDate: '2026-05-01', endDate: '2026-04-01' },
			options: fast({ dryRun: true }),
		});
		expect(result.error?.message).toMatch(/"End Date" .* is before "Start Date"/);
	});
});

describe('typed custom fields and pickers', () => {
	const mapper = (value: Record<string, string | number | boolean | null>) =>
		customFieldsForm(value, [
			formColumn(
				'department',
				'Department',
				'options',
				['Engineering', 'Sales'].map((v) => ({ name: v, value: v })),
			),
			formColumn('riskScore', 'Risk Score', 'number'),
			formColumn('kickoffDate', 'Kickoff Date', 'dateTime'),
			formColumn('billable', 'Billable', 'boolean'),
		]);

	it('sends the form values converted to their types, with the owner and teams from the pickers', async () => {
		const result = await run(
			{
				operation: 'create',
				name: 'Typed',
				additionalFields: {
					ownerId: fromList('usr_1002'),
					teamIds: ['team_design', 'team_sales'],
					customFieldsUi: { field: [{ key: 'crmDealId', value: '={{ $json.deal }}' }] },
				},
				customFields: mapper({
					department: '={{ $json.department }}',
					riskScore: '={{ $json.risk }}',
					kickoffDate: '2026-03-01T00:00:00',
					billable: true,
				}),
			},
			[{ deal: 'D-7', department: 'sales', risk: '7' }],
			{ timezone: 'Europe/Berlin' },
		);
		expect(result.error).toBeUndefined();
		expect(result.output[0].json).toEqual(
			expect.objectContaining({
				ownerId: 'usr_1002',
				teamIds: ['team_design', 'team_sales'],
				customFields: {
					department: 'Sales',
					riskScore: 7,
					kickoffDate: '2026-03-01',
					billable: true,
					crmDealId: 'D-7',
				},
			}),
		);
	});

	it('stops a value that does not fit its field, naming the field by its label, before sending', async () => {
		const result = await run(
			{ operation: 'create', name: 'Typed', customFields: mapper({ riskScore: '={{ $json.risk }}' }) },
			[{ risk: 'high' }],
		);
		expect(result.error?.message).toMatch(
			/^Item 1\b.*Custom field "Risk Score" must be a number, but it is the string "high"/,
		);
		expect(await api.createAttempts()).toHaveLength(0);
	});

	it('still accepts an owner ID and team IDs given as text, as older workflows and expressions do', async () => {
		const result = await run({
			operation: 'create',
			name: 'Plain',
			additionalFields: { ownerId: 'usr_1001', teamIds: '={{ "team_marketing, team_sales" }}' },
		});
		expect(result.output[0].json).toEqual(
			expect.objectContaining({ ownerId: 'usr_1001', teamIds: ['team_marketing', 'team_sales'] }),
		);
	});
});
