import {
	isEmail,
	ownerIdForEmail,
	teamIdsForNames,
	type DirectoryEntry,
} from '../../nodes/ProjectManagement/fields/directoryMatch';
import { FieldError } from '../../nodes/ProjectManagement/fields/fieldError';

/** An owner's email and team names matched against the API's users and teams. */

const users: DirectoryEntry[] = [
	{ id: 'usr_1', name: 'Grace Hopper', email: 'grace@example.com' },
	{ id: 'usr_2', name: 'Alan Turing', email: 'alan@example.com' },
	{ id: 'usr_3', name: 'Alan T.', email: 'ALAN@example.com' },
];

const teams: DirectoryEntry[] = [
	{ id: 'team_design', name: 'Design' },
	{ id: 'team_sales', name: 'Sales' },
	{ id: 'team_sales_emea', name: 'sales' },
];

function failure(run: () => unknown): FieldError {
	try {
		run();
	} catch (error) {
		if (error instanceof FieldError) return error;
		throw error;
	}
	throw new Error('did not fail');
}

describe('an owner given by email', () => {
	it('tells an email from a user ID', () => {
		expect(isEmail(' grace@example.com ')).toBe(true);
		expect(isEmail('usr_1001')).toBe(false);
		expect(isEmail('two words@example.com')).toBe(false);
	});

	it('is the one user with that address, upper and lower case aside', () => {
		expect(ownerIdForEmail(' Grace@Example.com', users)).toBe('usr_1');
	});

	it('matching nobody, fails naming the field and what to do', () => {
		const error = failure(() => ownerIdForEmail('nobody@example.com', users));
		expect(error.field).toBe('Owner');
		expect(error.message).toBe('"Owner" nobody@example.com matches no user in the project-management system');
		expect(error.hint).toMatch(/pick the owner from the list/);
	});

	it('matching two users, fails naming them rather than picking one', () => {
		const error = failure(() => ownerIdForEmail('alan@example.com', users));
		expect(error.message).toBe('"Owner" alan@example.com matches 2 users (usr_2, usr_3)');
	});
});

describe('teams given by name', () => {
	it('keeps IDs, and turns names into IDs, upper and lower case aside, each team once', () => {
		expect(teamIdsForNames(['team_design', 'DESIGN', 'team_sales'], teams)).toEqual([
			'team_design',
			'team_sales',
		]);
	});

	it('fails on a name that is no team, saying which teams there are', () => {
		const error = failure(() => teamIdsForNames(['Marketing'], teams));
		expect(error.field).toBe('Teams');
		expect(error.message).toBe('"Teams" names "Marketing", which is neither the name nor the ID of a team');
		expect(error.hint).toBe(
			'The teams are: Design, Sales, sales. Pick them from the list, or give their names or IDs.',
		);
		expect(failure(() => teamIdsForNames(['X'], [])).hint).toMatch(/lists no teams/);
	});

	it('fails on a name that several teams have, asking for the ID', () => {
		const error = failure(() => teamIdsForNames(['Sales'], teams));
		expect(error.message).toBe(
			'"Teams" names "Sales", which 2 teams are called (team_sales, team_sales_emea)',
		);
	});
});
