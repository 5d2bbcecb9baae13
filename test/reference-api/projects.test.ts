import { TestApi, unique, type Json } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start();
});
afterAll(() => api.close());

describe('create, read, update, delete', () => {
	test('POST returns 201, a Location and the full project with normalised values', async () => {
		const name = unique('Q3 Launch');
		const reply = await api.call('POST', '/projects', {
			body: {
				name: `  ${name}  `,
				description: 'Launch plan',
				status: 'Planned',
				priority: 'High',
				startDate: '2026-07-01T09:00:00+02:00',
				endDate: '2026-09-30T17:00:00Z',
				ownerId: 'usr_1002',
				teamIds: ['team_marketing', 'team_design'],
				budget: { currency: 'EUR', amount: 125000.5 },
				customFields: { department: 'Marketing', billable: true },
			},
		});
		expect(reply.status).toBe(201);
		const project = reply.body;
		expect(project).toEqual({
			id: expect.stringMatching(/^prj_[0-9a-f]{12}$/),
			name,
			description: 'Launch plan',
			status: 'Planned',
			priority: 'High',
			startDate: '2026-07-01T07:00:00.000Z',
			endDate: '2026-09-30T17:00:00.000Z',
			ownerId: 'usr_1002',
			teamIds: ['team_marketing', 'team_design'],
			budget: { currency: 'EUR', amount: 125000.5 },
			customFields: { department: 'Marketing', billable: true },
			createdAt: expect.any(String),
			updatedAt: project.createdAt,
		});
		expect(reply.headers.get('location')).toBe(`/api/v1/projects/${project.id}`);
		expect(new Date(project.createdAt).toISOString()).toBe(project.createdAt);

		const fetched = await api.call('GET', `/projects/${project.id}`);
		expect(fetched.status).toBe(200);
		expect(fetched.body).toEqual(project);
	});

	test('unset optional fields are null, teamIds [] and customFields {}; status defaults to Draft', async () => {
		const project = await api.createProject({ name: unique('Bare') });
		expect(project).toMatchObject({
			description: null,
			status: 'Draft',
			priority: null,
			startDate: null,
			endDate: null,
			ownerId: null,
			teamIds: [],
			budget: null,
			customFields: {},
		});
	});

	test('PATCH changes only the given fields; null clears; updatedAt moves, createdAt stays', async () => {
		const project = await api.createProject({
			name: unique('Patch me'),
			priority: 'Low',
			ownerId: 'usr_1001',
			budget: { currency: 'USD', amount: 10 },
			customFields: { riskScore: 1 },
		});
		await new Promise((resolve) => setTimeout(resolve, 5));
		const reply = await api.call('PATCH', `/projects/${project.id}`, {
			body: {
				status: 'Active',
				priority: null,
				budget: null,
				teamIds: ['team_sales'],
				customFields: { billable: true },
			},
		});
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({
			...project,
			status: 'Active',
			priority: null,
			budget: null,
			teamIds: ['team_sales'],
			customFields: { billable: true },
			updatedAt: expect.any(String),
		});
		expect(reply.body.updatedAt > project.updatedAt).toBe(true);
		expect((await api.call('GET', `/projects/${project.id}`)).body).toEqual(reply.body);
	});

	test('DELETE answers 204, then the project is gone', async () => {
		const project = await api.createProject({ name: unique('Delete me') });
		const deletion = await api.call('DELETE', `/projects/${project.id}`);
		expect(deletion.status).toBe(204);
		expect(deletion.text).toBe('');
		const after = await api.call('GET', `/projects/${project.id}`);
		expect(after.status).toBe(404);
		expect(after.body).toEqual({ code: 'NOT_FOUND', message: `No project with id '${project.id}'.` });
	});

	test('GET, PATCH and DELETE of an absent id are 404 NOT_FOUND', async () => {
		for (const [method, body] of [['GET'], ['PATCH', { status: 'Active' }], ['DELETE']] as const) {
			const reply = await api.call(method, '/projects/prj_x', { body });
			expect(reply.status).toBe(404);
			expect(reply.body).toEqual({ code: 'NOT_FOUND', message: "No project with id 'prj_x'." });
		}
	});
});

describe('unique names', () => {
	test('a second project with the same name, any case and spacing, is 409 with the existing id', async () => {
		const name = unique('Apollo');
		const first = await api.createProject({ name });
		for (const variant of [name, name.toUpperCase(), `  ${name.toLowerCase()} `]) {
			const reply = await api.call('POST', '/projects', { body: { name: variant } });
			expect(reply.status).toBe(409);
			expect(reply.body).toEqual({
				code: 'DUPLICATE_RESOURCE',
				message: `A project named '${name}' already exists (id ${first.id}).`,
				existingProjectId: first.id,
			});
		}
	});

	test('PATCH may not take another project’s name, but may recase its own', async () => {
		const a = await api.createProject({ name: unique('Alpha') });
		const b = await api.createProject({ name: unique('Beta') });
		const clash = await api.call('PATCH', `/projects/${b.id}`, { body: { name: a.name.toUpperCase() } });
		expect(clash.status).toBe(409);
		expect(clash.body.existingProjectId).toBe(a.id);
		const recased = await api.call('PATCH', `/projects/${a.id}`, { body: { name: a.name.toUpperCase() } });
		expect(recased.status).toBe(200);
		expect(recased.body.name).toBe(a.name.toUpperCase());
	});

	test('a deleted project’s name is free again', async () => {
		const project = await api.createProject({ name: unique('Reusable') });
		await api.call('DELETE', `/projects/${project.id}`);
		expect((await api.createProject({ name: project.name })).id).not.toBe(project.id);
	});

	test('uniqueNames=false stores duplicates (negative control)', async () => {
		await api.configure({ uniqueNames: false });
		try {
			const name = unique('Twin');
			const one = await api.createProject({ name });
			const two = await api.createProject({ name });
			expect(two.id).not.toBe(one.id);
			const listed = await api.call('GET', `/projects?name=${encodeURIComponent(name)}`);
			expect(listed.body.data).toHaveLength(2);
		} finally {
			await api.configure({ uniqueNames: true });
		}
	});
});

describe('listing', () => {
	let listApi: TestApi;
	const created: Json[] = [];
	beforeAll(async () => {
		listApi = await TestApi.start();
		for (let i = 0; i < 25; i++) {
			created.push(
				await listApi.createProject({
					name: `Item ${String(i).padStart(2, '0')}`,
					status: i % 5 === 0 ? 'Active' : 'Draft',
				}),
			);
		}
	});
	afterAll(() => listApi.close());

	async function allPages(query: string, limit: number): Promise<{ pages: Json[][]; ids: string[] }> {
		const pages: Json[][] = [];
		let cursor: string | null = null;
		do {
			const reply = await listApi.call(
				'GET',
				`/projects?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
			);
			expect(reply.status).toBe(200);
			pages.push(reply.body.data);
			cursor = reply.body.nextCursor;
		} while (cursor !== null && pages.length < 100);
		return { pages, ids: pages.flat().map((project) => project.id) };
	}

	test('pages of `limit` walk every project once, oldest first; the last page has nextCursor null', async () => {
		const { pages, ids } = await allPages('', 10);
		expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
		expect(ids).toEqual(created.map((project) => project.id));
	});

	test('default limit is 20', async () => {
		const reply = await listApi.call('GET', '/projects');
		expect(reply.body.data).toHaveLength(20);
		expect(typeof reply.body.nextCursor).toBe('string');
	});

	test('a cursor stays valid while projects are added and never repeats or skips', async () => {
		const first = await listApi.call('GET', '/projects?limit=10');
		const added = await listApi.createProject({ name: unique('Late arrival') });
		const rest: string[] = [];
		let cursor: string | null = first.body.nextCursor;
		while (cursor) {
			const reply = await listApi.call('GET', `/projects?limit=10&cursor=${encodeURIComponent(cursor)}`);
			rest.push(...reply.body.data.map((project: Json) => project.id));
			cursor = reply.body.nextCursor;
		}
		const ids = [...first.body.data.map((project: Json) => project.id), ...rest];
		expect(ids).toEqual([...created.map((project) => project.id), added.id]);
		await listApi.call('DELETE', `/projects/${added.id}`);
	});

	test('name filter is an exact, case-insensitive match', async () => {
		const reply = await listApi.call('GET', '/projects?name=ITEM%2007');
		expect(reply.body.data.map((project: Json) => project.name)).toEqual(['Item 07']);
		expect((await listApi.call('GET', '/projects?name=Item%200')).body.data).toEqual([]);
	});

	test('search is a case-insensitive substring of the name; status filters too; filters combine and paginate', async () => {
		const search = await allPages('&search=item%201', 4);
		expect(search.pages.flat().map((project) => project.name)).toEqual(
			Array.from({ length: 10 }, (_, i) => `Item 1${i}`),
		);
		const active = await allPages('&status=Active', 2);
		expect(active.pages.flat().map((project) => project.name)).toEqual([
			'Item 00',
			'Item 05',
			'Item 10',
			'Item 15',
			'Item 20',
		]);
		const both = await listApi.call('GET', '/projects?status=Active&search=2');
		expect(both.body.data.map((project: Json) => project.name)).toEqual(['Item 20']);
	});

	test('a cursor the API did not issue is 400 INVALID_INPUT on field cursor', async () => {
		for (const cursor of ['garbage!', 'bm90LWEtY3Vyc29y', '']) {
			const reply = await listApi.call('GET', `/projects?cursor=${encodeURIComponent(cursor)}`);
			expect(reply.status).toBe(400);
			expect(reply.body.code).toBe('INVALID_INPUT');
			expect(reply.body.details).toEqual([{ field: 'cursor', message: expect.any(String) }]);
		}
	});
});
