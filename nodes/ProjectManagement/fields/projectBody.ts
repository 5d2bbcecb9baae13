import type { CustomFieldsInput } from './customFields';
import { normaliseCustomFields } from './customFields';
import { normaliseDate, usableZone } from './dates';
import { FieldError } from './fieldError';
import { characterCount, describeValue, isBlank, numberFromText } from './values';

/**
 * Turns what the user filled in (or what expressions produced) into the API's request body, checking every
 * field first so that a bad item is stopped here, with a message naming the field, and nothing is sent for it.
 */

export const PROJECT_STATUSES = [
	'Draft',
	'Planned',
	'Pending Approval',
	'Active',
	'On Hold',
	'Completed',
	'Cancelled',
] as const;

export const PROJECT_PRIORITIES = ['Low', 'Medium', 'High', 'Critical'] as const;

/** The limits the API publishes; checked here so that an over-long value costs no request. */
export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 5000;

export interface ProjectInput extends CustomFieldsInput {
	name?: unknown;
	description?: unknown;
	status?: unknown;
	priority?: unknown;
	startDate?: unknown;
	endDate?: unknown;
	ownerId?: unknown;
	teamIds?: unknown;
	budgetCurrency?: unknown;
	budgetAmount?: unknown;
}

export interface ProjectBody {
	name?: string;
	description?: string;
	status?: string;
	priority?: string;
	startDate?: string;
	endDate?: string;
	ownerId?: string;
	teamIds?: string[];
	budget?: { currency: string; amount: number };
	customFields?: Record<string, unknown>;
}

let currencyCodes: Set<string> | undefined;

/** ISO 4217 codes known to the runtime's ICU data. */
export function knownCurrencies(): Set<string> {
	currencyCodes ??= new Set(Intl.supportedValuesOf('currency'));
	return currencyCodes;
}

function text(label: string, value: unknown, maxLength: number): string {
	if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
	if (typeof value !== 'string') {
		throw new FieldError(
			label,
			`"${label}" must be text, but it is ${describeValue(value)}`,
			`Map "${label}" to a text value, for example a single column of the incoming item.`,
		);
	}
	const trimmed = value.trim();
	// Counted as the API counts: in characters (code points), so that an emoji is one, not two.
	const length = characterCount(trimmed);
	if (length > maxLength) {
		throw new FieldError(
			label,
			`"${label}" is ${length} characters long; the API accepts at most ${maxLength}`,
			`Shorten "${label}", for example with an expression like {{ $json.text.slice(0, ${maxLength}) }}.`,
		);
	}
	return trimmed;
}

function oneOf(label: string, value: unknown): string {
	if (typeof value !== 'string') {
		throw new FieldError(
			label,
			`"${label}" must be text, but it is ${describeValue(value)}`,
			`Pick a ${label.toLowerCase()} from the list, or map it to a text value.`,
		);
	}
	return value.trim();
}

export function normaliseTeamIds(value: unknown): string[] {
	const label = 'Teams';
	let entries: unknown[];
	if (Array.isArray(value)) entries = value;
	else if (typeof value === 'string') entries = teamListFromText(value);
	else if (typeof value === 'number') entries = [value];
	else {
		throw new FieldError(
			label,
			`"${label}" must be a list or comma-separated text, but it is ${describeValue(value)}`,
			'Enter team IDs separated by commas, for example team_design, team_sales.',
		);
	}
	const ids = new Set<string>();
	for (const entry of entries) {
		if (typeof entry === 'number' && Number.isFinite(entry)) {
			ids.add(String(entry));
			continue;
		}
		if (typeof entry !== 'string') {
			throw new FieldError(
				label,
				`"${label}" holds ${describeValue(entry)}, where a team ID was expected`,
				'Each team ID must be text, such as team_design.',
			);
		}
		const id = entry.trim();
		if (id !== '') ids.add(id);
	}
	return [...ids];
}

/** Team IDs written as text: a JSON list (`["team_a","team_b"]`, as a spreadsheet cell may hold it) or comma-separated. */
function teamListFromText(text: string): unknown[] {
	const trimmed = text.trim();
	if (!trimmed.startsWith('[')) return trimmed.split(',');
	try {
		const list: unknown = JSON.parse(trimmed);
		if (Array.isArray(list)) return list;
	} catch {
		// Not JSON after all: the message below says what is expected.
	}
	throw new FieldError(
		'Teams',
		'"Teams" starts like a JSON list but is not one',
		'Write the team IDs as a JSON list such as ["team_design", "team_sales"], or separated by commas.',
	);
}

/** More significant digits than a number can hold exactly: an amount with more would be sent rounded. */
const MAX_EXACT_DIGITS = 15;

export function normaliseAmount(value: unknown): number {
	const label = 'Budget Amount';
	const amount =
		typeof value === 'number' ? value : typeof value === 'string' ? numberFromText(value) : undefined;
	if (amount === undefined) {
		throw new FieldError(
			label,
			`"${label}" must be a number, but it is ${describeValue(value)}`,
			'Use a plain number such as 25000 or 1999.50, without currency signs or thousands separators.',
		);
	}
	if (!Number.isFinite(amount)) {
		throw new FieldError(label, `"${label}" is not a finite number`, 'Use a plain number such as 25000.');
	}
	if (amount < 0) {
		throw new FieldError(
			label,
			`"${label}" is negative (${amount})`,
			'A budget must be zero or more. Leave the budget out if there is none.',
		);
	}
	// Text with more digits than a number holds would arrive rounded; a number from an expression is already
	// what it is (1.1 * 25000 may well be 27500.000000000004), so only its size is checked.
	const digits = typeof value === 'string' ? significantDigits(value) : 0;
	if (digits > MAX_EXACT_DIGITS || amount > Number.MAX_SAFE_INTEGER) {
		throw new FieldError(
			label,
			`"${label}" has more digits than can be sent exactly`,
			`Use at most ${MAX_EXACT_DIGITS} significant digits, for example 1234567890.12; the amount would otherwise arrive rounded.`,
		);
	}
	return amount;
}

/** Significant digits of a decimal number written as text ("0012.50" has 3, "1e5" has 1). */
function significantDigits(text: string): number {
	const digits = text.trim().replace(/^-/, '').split(/e/i)[0].replace('.', '');
	return Math.max(1, digits.replace(/^0+/, '').replace(/0+$/, '').length);
}

export function normaliseCurrency(value: unknown): string {
	const label = 'Budget Currency';
	if (typeof value !== 'string') {
		throw new FieldError(
			label,
			`"${label}" must be a currency code, but it is ${describeValue(value)}`,
			'Pick a currency from the list, or map it to a three-letter code such as USD or EUR.',
		);
	}
	const code = value.trim().toUpperCase();
	if (!knownCurrencies().has(code)) {
		throw new FieldError(
			label,
			`"${label}" ${JSON.stringify(value.trim().slice(0, 20))} is not an ISO 4217 currency code`,
			'Use a three-letter code such as USD, EUR or GBP.',
		);
	}
	return code;
}

export interface BodyOptions {
	/** A create request needs a name; an update changes only what is set. */
	requireName: boolean;
}

/**
 * The body of a create request (name required) or of an update (PATCH: only what is set). Every other field
 * is sent only when set. Throws FieldError for the first problem found.
 */
export function buildProjectBody(
	input: ProjectInput,
	timezone: string,
	options: BodyOptions = { requireName: true },
): ProjectBody {
	const body: ProjectBody = {};
	const zone = usableZone(timezone);
	if (isBlank(input.name)) {
		if (options.requireName) {
			throw new FieldError(
				'Name',
				'"Name" is empty',
				'Every project needs a name: map "Name" to a column that is filled for every item.',
			);
		}
	} else {
		body.name = text('Name', input.name, MAX_NAME_LENGTH);
	}
	if (!isBlank(input.description)) {
		body.description = text('Description', input.description, MAX_DESCRIPTION_LENGTH);
	}
	if (!isBlank(input.status)) body.status = oneOf('Status', input.status);
	if (!isBlank(input.priority)) body.priority = oneOf('Priority', input.priority);
	if (!isBlank(input.startDate)) body.startDate = normaliseDate('Start Date', input.startDate, zone);
	if (!isBlank(input.endDate)) body.endDate = normaliseDate('End Date', input.endDate, zone);
	if (body.startDate && body.endDate && Date.parse(body.endDate) < Date.parse(body.startDate)) {
		throw new FieldError(
			'End Date',
			`"End Date" (${body.endDate}) is before "Start Date" (${body.startDate})`,
			'Set an End Date on or after the Start Date, or leave one of them empty.',
		);
	}
	if (!isBlank(input.ownerId)) body.ownerId = text('Owner', input.ownerId, 200);
	if (!isBlank(input.teamIds)) {
		const teamIds = normaliseTeamIds(input.teamIds);
		if (teamIds.length > 0) body.teamIds = teamIds;
	}
	const hasCurrency = !isBlank(input.budgetCurrency);
	const hasAmount = !isBlank(input.budgetAmount);
	if (hasCurrency !== hasAmount) {
		const missing = hasCurrency ? 'Budget Amount' : 'Budget Currency';
		throw new FieldError(
			missing,
			`"${missing}" is missing: a budget needs both a currency and an amount`,
			`Fill in "${missing}", or remove the budget.`,
		);
	}
	if (hasCurrency && hasAmount) {
		body.budget = {
			currency: normaliseCurrency(input.budgetCurrency),
			amount: normaliseAmount(input.budgetAmount),
		};
	}
	const customFields = normaliseCustomFields(input, zone);
	if (customFields !== undefined) body.customFields = customFields;
	return body;
}
