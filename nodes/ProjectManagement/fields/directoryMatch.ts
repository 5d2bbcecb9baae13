import { FieldError } from './fieldError';

/**
 * An owner given by email and teams given by name, matched against the users and teams the API lists, so that
 * what a CRM or a spreadsheet holds (grace@example.com, "Design, Sales") is sent as the IDs the API takes. Plain
 * functions: the lists are read in actions/project/directory.ts.
 */

/** A user or a team as the API lists them. */
export interface DirectoryEntry {
	id: string;
	name?: string;
	email?: string;
}

/** Whether an owner value is an email address rather than a user ID. */
export const isEmail = (value: string) => /^[^\s@]+@[^\s@]+$/.test(value.trim());

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

const listOf = (entries: DirectoryEntry[]) => entries.map((entry) => entry.id).join(', ');

/** The ID of the one user with this email; a FieldError naming the field when none or several have it. */
export function ownerIdForEmail(email: string, users: DirectoryEntry[]): string {
	const matches = users.filter((user) => typeof user.email === 'string' && same(user.email, email));
	if (matches.length === 1) return matches[0].id;
	if (matches.length === 0) {
		throw new FieldError(
			'Owner',
			`"Owner" ${email.trim()} matches no user in the project-management system`,
			"Check the email address, or pick the owner from the list (Owner → From List), or give the user's ID.",
		);
	}
	throw new FieldError(
		'Owner',
		`"Owner" ${email.trim()} matches ${matches.length} users (${listOf(matches.slice(0, 5))})`,
		"Pick the owner from the list (Owner → From List), or give the user's ID.",
	);
}

/** How many team names a message lists before "and N more". */
const NAMES_SHOWN = 10;

/**
 * Team IDs for what the user gave: an entry that is a team's ID stays; one that is a team's name (upper and lower
 * case aside) becomes that team's ID. A FieldError for an entry that is neither, or the name of several teams.
 */
export function teamIdsForNames(given: string[], teams: DirectoryEntry[]): string[] {
	const ids = new Set(teams.map((team) => team.id));
	const resolved = new Set<string>();
	for (const entry of given) {
		if (ids.has(entry)) {
			resolved.add(entry);
			continue;
		}
		const named = teams.filter((team) => typeof team.name === 'string' && same(team.name, entry));
		if (named.length === 1) {
			resolved.add(named[0].id);
			continue;
		}
		if (named.length > 1) {
			throw new FieldError(
				'Teams',
				`"Teams" names "${entry}", which ${named.length} teams are called (${listOf(named.slice(0, 5))})`,
				'Give the team ID instead of its name for this team.',
			);
		}
		const names = teams.map((team) => team.name ?? team.id);
		const more = names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : '';
		throw new FieldError(
			'Teams',
			`"Teams" names "${entry}", which is neither the name nor the ID of a team`,
			names.length === 0
				? 'The project-management system lists no teams: leave Teams empty.'
				: `The teams are: ${names.slice(0, NAMES_SHOWN).join(', ')}${more}. Pick them from the list, or give their names or IDs.`,
		);
	}
	return [...resolved];
}
