import { RO_KEY, TestApi, type Json } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start();
});
afterAll(() => api.close());

test('users are the five seed users', async () => {
	const reply = await api.call('GET', '/users');
	expect(reply.status).toBe(200);
	expect(reply.body).toEqual({
		data: [
			{ id: 'usr_1001', name: 'Ada Lovelace', email: 'ada@example.com' },
			{ id: 'usr_1002', name: 'Grace Hopper', email: 'grace@example.com' },
			{ id: 'usr_1003', name: 'Alan Turing', email: 'alan@example.com' },
			{ id: 'usr_1004', name: 'Katherine Johnson', email: 'katherine@example.com' },
			{ id: 'usr_1005', name: 'Linus Torvalds', email: 'linus@example.com' },
		],
		nextCursor: null,
	});
});

test('teams are the four seed teams', async () => {
	const reply = await api.call('GET', '/teams', { apiKey: RO_KEY });
	expect(reply.body).toEqual({
		data: [
			{ id: 'team_design', name: 'Design' },
			{ id: 'team_engineering', name: 'Engineering' },
			{ id: 'team_marketing', name: 'Marketing' },
			{ id: 'team_sales', name: 'Sales' },
		],
		nextCursor: null,
	});
});

test('custom fields are the six seed definitions, options only on option fields', async () => {
	const reply = await api.call('GET', '/custom-fields');
	expect(reply.body).toEqual({
		data: [
			{
				key: 'department',
				label: 'Department',
				type: 'option',
				options: ['Engineering', 'Marketing', 'Sales', 'Operations'],
			},
			{ key: 'costCenter', label: 'Cost Center', type: 'text' },
			{ key: 'riskScore', label: 'Risk Score', type: 'number' },
			{ key: 'kickoffDate', label: 'Kickoff Date', type: 'date' },
			{ key: 'billable', label: 'Billable', type: 'boolean' },
			{ key: 'crmDealId', label: 'CRM Deal ID', type: 'text' },
		],
		nextCursor: null,
	});
});

test('directory lists paginate with limit and cursor', async () => {
	for (const path of ['/users', '/teams', '/custom-fields']) {
		const all = (await api.call('GET', path)).body.data;
		const walked: Json[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const reply = await api.call('GET', `${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
			expect(reply.status).toBe(200);
			walked.push(...reply.body.data);
			cursor = reply.body.nextCursor;
			pages++;
		} while (cursor);
		expect(walked).toEqual(all);
		expect(pages).toBe(Math.ceil(all.length / 2));
	}
	expect((await api.call('GET', '/users?cursor=nope')).status).toBe(400);
});

test('directory routes need directory:read', async () => {
	const token = await api.token(undefined, undefined, 'projects:read projects:write');
	const reply = await api.call('GET', '/custom-fields', { bearer: token });
	expect(reply.status).toBe(403);
	expect(reply.body).toEqual({
		code: 'FORBIDDEN',
		message: "This credential lacks the 'directory:read' scope.",
		requiredScope: 'directory:read',
	});
});
