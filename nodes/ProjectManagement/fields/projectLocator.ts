import { FieldError } from './fieldError';
import { describeValue } from './values';

/**
 * Which project a Get, Update or Delete is about: n8n's resource locator gives a mode (from the list, by ID, by
 * URL) and a value. The patterns are shared with the node's description, so that the editor's check and the
 * run's reading agree.
 */

/** A project ID as the API issues them, e.g. prj_0123456789ab. */
export const PROJECT_ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9_-]*';

/** The address of a project's page: `<Base URL>/projects/<id>`, with anything after the ID ignored. */
export const PROJECT_URL_PATTERN = `https?://.+/projects/(${PROJECT_ID_PATTERN})`;

/** The value of a resource locator, or the value itself when an expression or an older workflow gave plain text. */
export function locatorValue(raw: unknown): unknown {
	if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw) {
		return (raw as { value: unknown }).value;
	}
	return raw;
}

function locatorMode(raw: unknown): string | undefined {
	if (raw !== null && typeof raw === 'object' && 'mode' in raw) {
		const mode = (raw as { mode: unknown }).mode;
		return typeof mode === 'string' ? mode : undefined;
	}
	return undefined;
}

/**
 * The project ID from a locator value. A page address is accepted in every mode (people and AI agents paste
 * them where an ID was asked for), and the ID is checked before any request, so that a stray value never
 * reaches another API path.
 */
export function projectIdFrom(raw: unknown, label = 'Project'): string {
	const value = locatorValue(raw);
	const mode = locatorMode(raw);
	if (typeof value !== 'string' || value.trim() === '') {
		throw new FieldError(
			label,
			value === '' || value === undefined || value === null
				? `"${label}" is empty`
				: `"${label}" must be a project ID or a project's address, but it is ${describeValue(value)}`,
			'Pick a project from the list, enter its ID (such as prj_0123456789ab), or paste the address of its page.',
		);
	}
	const text = value.trim();
	const fromUrl = new RegExp(PROJECT_URL_PATTERN).exec(text);
	if (fromUrl) return fromUrl[1];
	if (mode === 'url' || /^https?:\/\//i.test(text)) {
		throw new FieldError(
			label,
			`"${label}" is not the address of a project page: ${JSON.stringify(text.slice(0, 120))}`,
			'Paste an address of the form https://pm.example.com/projects/prj_0123456789ab, as the browser shows it on the project page.',
		);
	}
	if (!new RegExp(`^${PROJECT_ID_PATTERN}$`).test(text)) {
		throw new FieldError(
			label,
			`"${label}" is not a project ID: ${JSON.stringify(text.slice(0, 120))}`,
			'A project ID is made of letters, digits, "_" and "-", such as prj_0123456789ab.',
		);
	}
	return text;
}
