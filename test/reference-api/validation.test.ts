import { TestApi, unique, type Json } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start();
});
afterAll(() => api.close());

async function problems(body: unknown): Promise<Json> {
	const reply = await api.call('POST', '/projects', { body });
	expect(reply.status).toBe(400);
	expect(reply.body.code).toBe('INVALID_INPUT');
	expect(typeof reply.body.message).toBe('string');
	return reply.body;
}

/** Asserts the single problem reported for a body that is valid except for one field. */
async function expectOnly(body: Json, field: string, message: RegExp): Promise<void> {
	const error = await problems({ name: unique('Valid'), ...body });
	expect(error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
	expect(error.message).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')} `));
}

describe('schema rules, one field at a time', () => {
	test('name is required, a non-blank string of at most 200 characters', async () => {
		const missing = await problems({ description: 'no name' });
		expect(missing.details).toEqual([{ field: 'name', message: 'is required' }]);
		expect(missing.message).toBe('name is required.');
		await expectOnly({ name: '' }, 'name', /not be empty/);
		await expectOnly({ name: '   ' }, 'name', /blank/);
		await expectOnly({ name: 'x'.repeat(201) }, 'name', /at most 200/);
		await expectOnly({ name: 42 }, 'name', /must be a string/);
	});

	test('description at most 5000 characters', async () => {
		await expectOnly({ description: 'd'.repeat(5001) }, 'description', /at most 5000/);
	});

	test('status and priority are enums', async () => {
		await expectOnly(
			{ status: 'Done' },
			'status',
			/one of: Draft, Planned, Pending Approval, Active, On Hold, Completed, Cancelled/,
		);
		await expectOnly({ priority: 'Urgent' }, 'priority', /one of: Low, Medium, High, Critical/);
	});

	test('dates must be RFC 3339 date-times with an offset', async () => {
		await expectOnly({ startDate: '2026-01-31' }, 'startDate', /RFC 3339/);
		await expectOnly({ endDate: '2026-01-31T09:00:00' }, 'endDate', /time zone/);
		await expectOnly({ startDate: 'next tuesday' }, 'startDate', /RFC 3339/);
		await expectOnly({ startDate: '2026-02-30T09:00:00Z' }, 'startDate', /RFC 3339/);
	});

	test('teamIds is an array of unique strings', async () => {
		await expectOnly({ teamIds: 'team_design' }, 'teamIds', /must be an array/);
		await expectOnly({ teamIds: ['team_design', 'team_design'] }, 'teamIds[1]', /unique/);
		await expectOnly({ teamIds: ['team_design', 7] }, 'teamIds[1]', /must be a string/);
	});

	test('budget needs currency and amount, nothing else', async () => {
		await expectOnly({ budget: { currency: 'USD' } }, 'budget.amount', /is required/);
		await expectOnly({ budget: { amount: 10 } }, 'budget.currency', /is required/);
		await expectOnly({ budget: { currency: 'USD', amount: 10, tax: 1 } }, 'budget.tax', /not a known field/);
		await expectOnly({ budget: { currency: 'USD', amount: '10' } }, 'budget.amount', /must be a number/);
		await expectOnly({ budget: 100 }, 'budget', /must be an object or null/);
	});

	test('unknown top-level fields are refused', async () => {
		await expectOnly({ owner: 'usr_1001' }, 'owner', /not a known field/);
	});

	test('the body must be a JSON object', async () => {
		const array = await problems([{ name: 'x' }]);
		expect(array.details).toEqual([{ field: 'body', message: 'must be an object' }]);
	});
});

describe('semantic rules', () => {
	test('ownerId must name a user', async () => {
		await expectOnly({ ownerId: 'usr_9999' }, 'ownerId', /does not match any user/);
	});

	test('each team id must name a team, reported by index', async () => {
		await expectOnly({ teamIds: ['team_design', 'team_ops'] }, 'teamIds[1]', /does not match any team/);
	});

	test('endDate must not be before startDate, compared as instants', async () => {
		await expectOnly(
			{ startDate: '2026-03-01T09:00:00Z', endDate: '2026-02-28T09:00:00Z' },
			'endDate',
			/before startDate/,
		);
		// 10:00+02:00 is 08:00Z: before 09:00Z although the wall-clock hour is later.
		await expectOnly(
			{ startDate: '2026-03-01T09:00:00Z', endDate: '2026-03-01T10:00:00+02:00' },
			'endDate',
			/before startDate/,
		);
		const sameInstant = await api.createProject({
			name: unique('Same'),
			startDate: '2026-03-01T09:00:00Z',
			endDate: '2026-03-01T11:00:00+02:00',
		});
		expect(sameInstant.endDate).toBe('2026-03-01T09:00:00.000Z');
	});

	test('budget amount ≥ 0 and currency ISO 4217', async () => {
		await expectOnly({ budget: { currency: 'USD', amount: -0.01 } }, 'budget.amount', /0 or more/);
		await expectOnly({ budget: { currency: 'XYZ', amount: 1 } }, 'budget.currency', /ISO 4217/);
		await expectOnly({ budget: { currency: 'usd', amount: 1 } }, 'budget.currency', /ISO 4217/);
		const ok = await api.createProject({ name: unique('Budget'), budget: { currency: 'JPY', amount: 0 } });
		expect(ok.budget).toEqual({ currency: 'JPY', amount: 0 });
	});

	test('custom fields must match their definitions', async () => {
		await expectOnly(
			{ customFields: { colour: 'red' } },
			'customFields.colour',
			/not a defined custom field/,
		);
		await expectOnly({ customFields: { riskScore: 'high' } }, 'customFields.riskScore', /must be a number/);
		await expectOnly({ customFields: { costCenter: 1234 } }, 'customFields.costCenter', /must be a string/);
		await expectOnly({ customFields: { billable: 'yes' } }, 'customFields.billable', /true or false/);
		await expectOnly(
			{ customFields: { department: 'Legal' } },
			'customFields.department',
			/one of: Engineering, Marketing, Sales, Operations/,
		);
		await expectOnly(
			{ customFields: { kickoffDate: '31/01/2026' } },
			'customFields.kickoffDate',
			/ISO 8601 date/,
		);
		await expectOnly(
			{ customFields: { kickoffDate: '2026-02-30' } },
			'customFields.kickoffDate',
			/ISO 8601 date/,
		);
		await expectOnly({ customFields: [] }, 'customFields', /must be an object/);
	});

	test('valid values of every custom field type are accepted and returned as sent', async () => {
		const customFields = {
			department: 'Operations',
			costCenter: 'CC-42',
			riskScore: 3.5,
			kickoffDate: '2026-01-31',
			billable: false,
			crmDealId: 'D-1',
		};
		expect((await api.createProject({ name: unique('Custom'), customFields })).customFields).toEqual(
			customFields,
		);
		const withDateTime = await api.createProject({
			name: unique('Custom'),
			customFields: { kickoffDate: '2026-01-31T09:00:00+01:00' },
		});
		expect(withDateTime.customFields.kickoffDate).toBe('2026-01-31T09:00:00+01:00');
	});
});

test('every problem is listed at once, schema and semantic together', async () => {
	const error = await problems({
		name: '  ',
		status: 'Done',
		ownerId: 'usr_0',
		teamIds: ['team_design', 'nope'],
		budget: { currency: 'ABC', amount: -5 },
		startDate: '2026-05-01T00:00:00Z',
		endDate: '2026-04-01T00:00:00Z',
		customFields: { riskScore: 'high', unknownField: 1 },
		extra: true,
	});
	const fields = error.details.map((problem: Json) => problem.field).sort();
	expect(fields).toEqual(
		[
			'budget.amount',
			'budget.currency',
			'customFields.riskScore',
			'customFields.unknownField',
			'endDate',
			'extra',
			'name',
			'ownerId',
			'status',
			'teamIds[1]',
		].sort(),
	);
	expect(error.message).toMatch(/more problems in details/);
});

describe('request framing', () => {
	test('malformed JSON is a 400 INVALID_INPUT', async () => {
		const reply = await api.call('POST', '/projects', {
			raw: '{"name": "x",',
			headers: { 'content-type': 'application/json' },
		});
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({
			code: 'INVALID_INPUT',
			message: expect.any(String),
			details: [{ field: 'body', message: 'is not valid JSON' }],
		});
	});

	test('__proto__ keys are refused rather than merged', async () => {
		const reply = await api.call('POST', '/projects', {
			raw: '{"name": "p", "__proto__": {"admin": true}}',
			headers: { 'content-type': 'application/json' },
		});
		expect(reply.status).toBe(400);
		expect(reply.body.details).toEqual([{ field: 'body', message: 'is not valid JSON' }]);
	});

	test('a content type other than JSON is 415 UNSUPPORTED_MEDIA_TYPE in the same shape', async () => {
		for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
			const reply = await api.call('POST', '/projects', {
				raw: 'name=x',
				headers: { 'content-type': contentType },
			});
			expect(reply.status).toBe(415);
			expect(reply.body).toEqual({
				code: 'UNSUPPORTED_MEDIA_TYPE',
				message: expect.stringContaining('application/json'),
			});
		}
	});

	test('query parameters are validated: limit 1..100, status enum', async () => {
		for (const query of ['limit=0', 'limit=101', 'limit=ten', 'status=Done']) {
			const reply = await api.call('GET', `/projects?${query}`);
			expect(reply.status).toBe(400);
			expect(reply.body.details[0].field).toBe(query.split('=')[0]);
		}
	});
});

describe('PATCH validation', () => {
	test('same rules apply; null may clear optional fields but not name or status', async () => {
		const project = await api.createProject({ name: unique('Patchable') });
		const reply = await api.call('PATCH', `/projects/${project.id}`, {
			body: { name: null, status: null, ownerId: 'usr_404', colour: 'red' },
		});
		expect(reply.status).toBe(400);
		expect(reply.body.details.map((problem: Json) => problem.field).sort()).toEqual([
			'colour',
			'name',
			'ownerId',
			'status',
		]);
	});

	test('endDate is checked against the merged project', async () => {
		const project = await api.createProject({ name: unique('Dated'), startDate: '2026-06-01T00:00:00Z' });
		const reply = await api.call('PATCH', `/projects/${project.id}`, {
			body: { endDate: '2026-05-01T00:00:00Z' },
		});
		expect(reply.status).toBe(400);
		expect(reply.body.details).toEqual([
			{ field: 'endDate', message: expect.stringMatching(/before startDate/) },
		]);
		const moved = await api.call('PATCH', `/projects/${project.id}`, {
			body: { startDate: null, endDate: '2026-05-01T00:00:00Z' },
		});
		expect(moved.status).toBe(200);
	});
});
