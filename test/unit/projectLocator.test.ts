import { FieldError } from '../../nodes/ProjectManagement/fields/fieldError';
import {
	PROJECT_URL_PATTERN,
	locatorValue,
	projectIdFrom,
} from '../../nodes/ProjectManagement/fields/projectLocator';

/** The project a Get, Update or Delete works on, read from n8n's resource locator in each of its modes. */

const rl = (mode: string, value: unknown) => ({ __rl: true, mode, value });

describe('the project locator', () => {
	it('takes the ID from the list, by ID, and from a page address', () => {
		expect(projectIdFrom(rl('list', 'prj_0123456789ab'))).toBe('prj_0123456789ab');
		expect(projectIdFrom(rl('id', ' prj_abc123 '))).toBe('prj_abc123');
		expect(projectIdFrom(rl('url', 'https://pm.example.com/projects/prj_abc123'))).toBe('prj_abc123');
		expect(projectIdFrom(rl('url', 'https://pm.example.com/workspace/projects/prj_abc123/tasks?tab=2'))).toBe(
			'prj_abc123',
		);
	});

	it('accepts an address where an ID was asked for, and plain text from an expression', () => {
		expect(projectIdFrom(rl('id', 'http://127.0.0.1:3000/projects/prj_0123456789ab'))).toBe(
			'prj_0123456789ab',
		);
		expect(projectIdFrom('prj_0123456789ab')).toBe('prj_0123456789ab');
	});

	it('uses the same address pattern as the editor, with the ID as its only group', () => {
		const match = new RegExp(PROJECT_URL_PATTERN).exec('https://pm.example.com/projects/prj_abc123');
		expect(match?.slice(1)).toEqual(['prj_abc123']);
	});

	it.each<[string, unknown, RegExp]>([
		['an empty value', rl('list', ''), /"Project" is empty/],
		[
			'an address of another page',
			rl('url', 'https://pm.example.com/users/usr_1'),
			/not the address of a project page/,
		],
		['an ID with a path in it', rl('id', 'prj_1/../../users'), /is not a project ID/],
		['a number list', rl('id', [1]), /must be a project ID or a project's address, but it is a list/],
	])('stops %s before any request', (_case, value, message) => {
		expect(() => projectIdFrom(value)).toThrow(FieldError);
		expect(() => projectIdFrom(value)).toThrow(message);
	});

	it('reads the value of any locator, and plain values as they are', () => {
		expect(locatorValue(rl('list', 'usr_1001'))).toBe('usr_1001');
		expect(locatorValue('usr_1002')).toBe('usr_1002');
		expect(locatorValue(undefined)).toBeUndefined();
	});
});
