import { FieldError } from '../../nodes/ProjectManagement/fields/fieldError';
import {
	inputTypeFor,
	normaliseMappedCustomFields,
	type MappedField,
} from '../../nodes/ProjectManagement/fields/customFields';

/** The custom-field form's values, checked against each field's type and converted before anything is sent. */

const schema: MappedField[] = [
	{
		id: 'department',
		displayName: 'Department',
		type: 'options',
		options: ['Engineering', 'Sales'].map((value) => ({ name: value, value })),
	},
	{ id: 'costCenter', displayName: 'Cost Center', type: 'string' },
	{ id: 'riskScore', displayName: 'Risk Score', type: 'number' },
	{ id: 'kickoffDate', displayName: 'Kickoff Date', type: 'dateTime' },
	{ id: 'billable', displayName: 'Billable', type: 'boolean' },
];

const normalise = (values: Record<string, unknown>, zone = 'UTC') =>
	normaliseMappedCustomFields({ values, schema }, zone);

function problemWith(values: Record<string, unknown>): FieldError {
	try {
		normalise(values);
	} catch (error) {
		if (error instanceof FieldError) return error;
		throw error;
	}
	throw new Error('expected a FieldError');
}

describe('typed custom fields', () => {
	it('gives each API type an input that suits it, and a text input to types the API adds later', () => {
		expect(['text', 'number', 'date', 'option', 'boolean', 'rating'].map(inputTypeFor)).toEqual([
			'string',
			'number',
			'dateTime',
			'options',
			'boolean',
			'string',
		]);
	});

	it('converts what expressions give into the types the API takes', () => {
		expect(
			normalise({
				department: 'sales',
				costCenter: 4711,
				riskScore: ' 3.5 ',
				kickoffDate: '2026-02-01T00:00:00',
				billable: 'TRUE',
			}),
		).toEqual({
			department: 'Sales',
			costCenter: '4711',
			riskScore: 3.5,
			kickoffDate: '2026-02-01',
			billable: true,
		});
	});

	it('sends a date field as the day the value falls on in the workflow time zone', () => {
		expect(normalise({ kickoffDate: '2026-01-31T23:30:00Z' }, 'Europe/Berlin')).toEqual({
			kickoffDate: '2026-02-01',
		});
		expect(normalise({ kickoffDate: '2026-01-31T23:30:00Z' }, 'America/New_York')).toEqual({
			kickoffDate: '2026-01-31',
		});
	});

	it('leaves untouched fields out, but keeps false', () => {
		expect(normalise({ costCenter: '', riskScore: null, billable: false, department: undefined })).toEqual({
			billable: false,
		});
	});

	it('sends a field the form does not know as it is', () => {
		expect(normalise({ addedLater: { any: 'shape' } })).toEqual({ addedLater: { any: 'shape' } });
	});

	it.each<[string, Record<string, unknown>, RegExp]>([
		[
			'text in a number field',
			{ riskScore: 'high' },
			/Custom field "Risk Score" must be a number, but it is the string "high"/,
		],
		['a word in a yes/no field', { billable: 'maybe' }, /Custom field "Billable" must be true or false/],
		[
			'a value outside the list',
			{ department: 'Legal' },
			/Custom field "Department" must be one of "Engineering", "Sales"/,
		],
		[
			'an impossible date',
			{ kickoffDate: '2026-02-30' },
			/Custom field "Kickoff Date" (could not be read|is not a valid date)/,
		],
		[
			'an object in a text field',
			{ costCenter: { a: 1 } },
			/Custom field "Cost Center" must be text, but it is an object/,
		],
	])('stops %s, naming the field by its label', (_case, values, message) => {
		const error = problemWith(values);
		expect(error.message).toMatch(message);
		expect(error.hint.length).toBeGreaterThan(10);
	});
});
