import { DateTime } from 'luxon';

import { normaliseDate } from '../../nodes/ProjectManagement/fields/dates';
import { FieldError } from '../../nodes/ProjectManagement/fields/fieldError';
import { buildProjectBody, type ProjectInput } from '../../nodes/ProjectManagement/fields/projectBody';

const build = (input: ProjectInput, zone = 'UTC') => buildProjectBody(input, zone);

function fieldErrorOf(input: ProjectInput): FieldError {
	try {
		build(input);
	} catch (error) {
		if (error instanceof FieldError) return error;
		throw error;
	}
	throw new Error('expected a FieldError');
}

describe('the request body', () => {
	it('carries every field, normalised', () => {
		expect(
			build({
				name: '  Apollo  ',
				description: 'Moon',
				status: 'Planned',
				priority: 'High',
				startDate: '2026-02-01',
				endDate: '2026-03-31T17:00:00+02:00',
				ownerId: 'usr_1001',
				teamIds: 'team_design, team_sales,,team_design',
				budgetCurrency: 'eur',
				budgetAmount: '2500.50',
				customFieldPairs: [
					{ key: 'department', value: 'Sales' },
					{ key: 'riskScore', value: 3 },
				],
			}),
		).toEqual({
			name: 'Apollo',
			description: 'Moon',
			status: 'Planned',
			priority: 'High',
			startDate: '2026-02-01T00:00:00Z',
			endDate: '2026-03-31T15:00:00Z',
			ownerId: 'usr_1001',
			teamIds: ['team_design', 'team_sales'],
			budget: { currency: 'EUR', amount: 2500.5 },
			customFields: { department: 'Sales', riskScore: 3 },
		});
	});

	it('sends only what is set', () => {
		expect(build({ name: 'Apollo', description: '', teamIds: ' , ' })).toEqual({ name: 'Apollo' });
	});

	it('combines the typed form, the key/value list and the JSON object, parsed from text or taken as an object', () => {
		expect(
			build({
				name: 'A',
				customFieldsMapped: {
					values: { riskScore: '4', costCenter: '' },
					schema: [
						{ id: 'riskScore', displayName: 'Risk Score', type: 'number' },
						{ id: 'costCenter', displayName: 'Cost Center', type: 'string' },
					],
				},
				customFieldsJson: '{"billable": true}',
				customFieldPairs: [{ key: 'x', value: 1 }],
			}).customFields,
		).toEqual({ riskScore: 4, x: 1, billable: true });
		expect(build({ name: 'A', customFieldsJson: { riskScore: 2 } }).customFields).toEqual({ riskScore: 2 });
	});

	it('for an update, sends only the fields that are set, the name included only when given', () => {
		const update = (input: ProjectInput) => buildProjectBody(input, 'UTC', { requireName: false });
		expect(update({ status: 'Active' })).toEqual({ status: 'Active' });
		expect(update({ name: ' Renamed ', description: '' })).toEqual({ name: 'Renamed' });
		expect(update({})).toEqual({});
		expect(() => update({ name: { a: 1 } })).toThrow(/"Name" must be text/);
	});

	it('takes team IDs from a list', () => {
		expect(build({ name: 'A', teamIds: ['team_sales', 7] }).teamIds).toEqual(['team_sales', '7']);
	});
});

describe('dates', () => {
	it('reads the date picker value in the workflow time zone', () => {
		expect(normaliseDate('Start Date', '2026-02-01T09:00:00', 'Europe/Berlin')).toBe('2026-02-01T08:00:00Z');
	});

	it('sends a day without a time as that day, whatever the workflow time zone', () => {
		for (const zone of ['America/New_York', 'Europe/Berlin', 'Pacific/Kiritimati', 'UTC']) {
			expect(normaliseDate('Start Date', '2026-03-01', zone)).toBe('2026-03-01T00:00:00Z');
			expect(normaliseDate('Start Date', ' 20260301 ', zone)).toBe('2026-03-01T00:00:00Z');
			expect(normaliseDate('Start Date', 20260301, zone)).toBe('2026-03-01T00:00:00Z');
		}
		// A time without a zone stays in the workflow's time zone; midnight there is another hour in UTC.
		expect(normaliseDate('Start Date', '2026-03-01T00:00:00', 'America/New_York')).toBe(
			'2026-03-01T05:00:00Z',
		);
		expect(normaliseDate('Start Date', '2026-03-01T00:00:00Z', 'America/New_York')).toBe(
			'2026-03-01T00:00:00Z',
		);
	});

	it('reads RFC 2822, SQL, JavaScript and Luxon dates and Unix timestamps', () => {
		expect(normaliseDate('d', 'Sun, 01 Feb 2026 09:00:00 +0000', 'UTC')).toBe('2026-02-01T09:00:00Z');
		expect(normaliseDate('d', '2026-02-01 09:00:00', 'UTC')).toBe('2026-02-01T09:00:00Z');
		expect(normaliseDate('d', new Date('2026-02-01T09:00:00Z'), 'UTC')).toBe('2026-02-01T09:00:00Z');
		expect(normaliseDate('d', DateTime.fromISO('2026-02-01T09:00:00Z'), 'UTC')).toBe('2026-02-01T09:00:00Z');
		expect(normaliseDate('d', 1769936400, 'UTC')).toBe('2026-02-01T09:00:00Z');
		expect(normaliseDate('d', 1769936400000, 'UTC')).toBe('2026-02-01T09:00:00Z');
	});
});

describe('bad input is stopped with the field named', () => {
	it.each<[string, ProjectInput, string, RegExp]>([
		['no name', { name: '  ' }, 'Name', /"Name" is empty/],
		['name as object', { name: { a: 1 } }, 'Name', /must be text, but it is an object/],
		['over-long name', { name: 'x'.repeat(201) }, 'Name', /201 characters long/],
		['over-long description', { name: 'A', description: 'x'.repeat(5001) }, 'Description', /at most 5000/],
		['ambiguous date', { name: 'A', startDate: '01/02/2026' }, 'Start Date', /could not be read as a date/],
		[
			'impossible date',
			{ name: 'A', startDate: '2026-02-30' },
			'Start Date',
			/could not be read|not a valid date/,
		],
		['date as list', { name: 'A', endDate: [1] }, 'End Date', /must be a date, but it is a list/],
		[
			'end before start',
			{ name: 'A', startDate: '2026-03-01', endDate: '2026-02-01' },
			'End Date',
			/is before "Start Date"/,
		],
		['negative amount', { name: 'A', budgetCurrency: 'USD', budgetAmount: -5 }, 'Budget Amount', /negative/],
		[
			'amount with separators',
			{ name: 'A', budgetCurrency: 'USD', budgetAmount: '1,000' },
			'Budget Amount',
			/must be a number/,
		],
		[
			'unknown currency',
			{ name: 'A', budgetCurrency: 'XYZ', budgetAmount: 5 },
			'Budget Currency',
			/not an ISO 4217/,
		],
		['amount without currency', { name: 'A', budgetAmount: 5 }, 'Budget Currency', /is missing/],
		[
			'broken custom-field JSON',
			{ name: 'A', customFieldsJson: '{department: Sales}' },
			'Custom Fields as JSON (Advanced)',
			/not valid JSON/,
		],
		[
			'custom-field JSON array',
			{ name: 'A', customFieldsJson: '[1]' },
			'Custom Fields as JSON (Advanced)',
			/must be a JSON object, but it is a list/,
		],
		[
			'custom field without key',
			{ name: 'A', customFieldPairs: [{ key: '', value: 1 }] },
			'Custom Fields by Key (Advanced)',
			/has no key/,
		],
		[
			'custom field twice',
			{
				name: 'A',
				customFieldPairs: [
					{ key: 'a', value: 1 },
					{ key: 'a', value: 2 },
				],
			},
			'Custom Fields by Key (Advanced)',
			/set twice/,
		],
		[
			'custom field in two places',
			{
				name: 'A',
				customFieldPairs: [{ key: 'department', value: 'Sales' }],
				customFieldsJson: '{"department": "Marketing"}',
			},
			'Custom Fields as JSON (Advanced)',
			/"department" is set both in "Custom Fields by Key \(Advanced\)" and in "Custom Fields as JSON \(Advanced\)"/,
		],
		[
			'team IDs as object',
			{ name: 'A', teamIds: { a: 1 } },
			'Teams',
			/must be a list or comma-separated text/,
		],
		['status as number list', { name: 'A', status: ['Draft'] }, 'Status', /must be text/],
	])('%s', (_case, input, field, message) => {
		const error = fieldErrorOf(input);
		expect(error.field).toBe(field);
		expect(error.message).toMatch(message);
		expect(error.hint.length).toBeGreaterThan(10);
	});
});
