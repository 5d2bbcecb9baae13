import { DateTime } from 'luxon';

import { describeValue } from './idempotency';

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

export class FieldError extends Error {
	constructor(
		/** The field's label as the user sees it in the node. */
		readonly field: string,
		message: string,
		/** What to do about it. */
		readonly hint: string,
	) {
		super(message);
		this.name = 'FieldError';
	}
}

export interface ProjectInput {
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
	/** Key/value pairs from the node's list. */
	customFieldPairs?: Array<{ key?: unknown; value?: unknown }>;
	/** A JSON object, as text or as an object from an expression. */
	customFieldsJson?: unknown;
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

const isBlank = (value: unknown) =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

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
	if (trimmed.length > maxLength) {
		throw new FieldError(
			label,
			`"${label}" is ${trimmed.length} characters long; the API accepts at most ${maxLength}`,
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

/**
 * A date from the date picker (no zone: read in the workflow's time zone), an ISO 8601 text, an RFC 2822 or
 * HTTP date, a JavaScript or Luxon date from an expression, or a Unix timestamp in seconds or milliseconds.
 * Returned as ISO 8601 in UTC.
 */
export function normaliseDate(label: string, value: unknown, timezone: string): string {
	let parsed: DateTime | undefined;
	if (DateTime.isDateTime(value)) parsed = value;
	else if (value instanceof Date) parsed = DateTime.fromJSDate(value);
	else if (typeof value === 'number' && Number.isFinite(value)) {
		parsed = Math.abs(value) < 1e11 ? DateTime.fromSeconds(value) : DateTime.fromMillis(value);
	} else if (typeof value === 'string') {
		const trimmed = value.trim();
		const options = { zone: timezone, setZone: true };
		for (const read of [DateTime.fromISO, DateTime.fromRFC2822, DateTime.fromHTTP, DateTime.fromSQL]) {
			const candidate = read(trimmed, options);
			if (candidate.isValid) {
				parsed = candidate;
				break;
			}
		}
		if (parsed === undefined) {
			throw new FieldError(
				label,
				`"${label}" could not be read as a date: ${JSON.stringify(trimmed.slice(0, 60))}`,
				`Use the date picker, or a value like 2026-02-01 or 2026-02-01T09:00:00Z (year-month-day; a day/month order like 01/02/2026 is ambiguous and not accepted).`,
			);
		}
	} else {
		throw new FieldError(
			label,
			`"${label}" must be a date, but it is ${describeValue(value)}`,
			`Use the date picker, or map "${label}" to a date such as 2026-02-01.`,
		);
	}
	if (!parsed.isValid) {
		throw new FieldError(
			label,
			`"${label}" is not a valid date (${parsed.invalidExplanation ?? parsed.invalidReason ?? 'unknown reason'})`,
			'Check the day and month: the date must exist in the calendar.',
		);
	}
	if (parsed.year < 1900 || parsed.year > 9999) {
		throw new FieldError(
			label,
			`"${label}" is in the year ${parsed.year}, which looks like a mistake`,
			'Use a date between the years 1900 and 9999.',
		);
	}
	return parsed.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

export function normaliseTeamIds(value: unknown): string[] {
	const label = 'Team IDs';
	let entries: unknown[];
	if (Array.isArray(value)) entries = value;
	else if (typeof value === 'string') entries = value.split(',');
	else if (typeof value === 'number') entries = [value];
	else {
		throw new FieldError(
			label,
			`"${label}" must be a list or comma-separated text, but it is ${describeValue(value)}`,
			'Enter team IDs separated by commas, for example team_design, team_sales.',
		);
	}
	const ids: string[] = [];
	for (const entry of entries) {
		if (typeof entry === 'number' && Number.isFinite(entry)) {
			ids.push(String(entry));
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
		if (id !== '' && !ids.includes(id)) ids.push(id);
	}
	return ids;
}

export function normaliseAmount(value: unknown): number {
	const label = 'Budget Amount';
	let amount: number;
	if (typeof value === 'number') amount = value;
	else if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) amount = Number(value);
	else {
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
	return amount;
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

function parseJson(text: string): { value: unknown } | { problem: string } {
	try {
		return { value: JSON.parse(text) };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

export function normaliseCustomFields(input: ProjectInput): Record<string, unknown> | undefined {
	if (input.customFieldsJson !== undefined && !isBlank(input.customFieldsJson)) {
		const label = 'Custom Fields (JSON)';
		const parsed =
			typeof input.customFieldsJson === 'string'
				? parseJson(input.customFieldsJson)
				: { value: input.customFieldsJson };
		if ('problem' in parsed) {
			throw new FieldError(
				label,
				`"${label}" is not valid JSON (${parsed.problem})`,
				'Write an object such as {"department": "Sales", "riskScore": 3}, with double quotes around names and text.',
			);
		}
		const value = parsed.value;
		if (value === null || typeof value !== 'object' || Array.isArray(value)) {
			throw new FieldError(
				label,
				`"${label}" must be a JSON object, but it is ${describeValue(value)}`,
				'Write an object such as {"department": "Sales"}.',
			);
		}
		return value as Record<string, unknown>;
	}
	const pairs = input.customFieldPairs ?? [];
	if (pairs.length === 0) return undefined;
	const fields: Record<string, unknown> = {};
	for (const pair of pairs) {
		const label = 'Custom Fields';
		if (typeof pair.key !== 'string' || pair.key.trim() === '') {
			throw new FieldError(
				label,
				`A custom field has no key`,
				'Give every custom field the key the API knows it by (for example department), or remove the empty row.',
			);
		}
		const key = pair.key.trim();
		if (Object.prototype.hasOwnProperty.call(fields, key)) {
			throw new FieldError(label, `The custom field "${key}" is set twice`, 'Keep one row per custom field.');
		}
		fields[key] = pair.value ?? null;
	}
	return fields;
}

/**
 * The body of a create request. `name` is required here; every other field is sent only when set.
 * Throws FieldError for the first problem found.
 */
export function buildProjectBody(input: ProjectInput, timezone: string): ProjectBody {
	const body: ProjectBody = {};
	const zone = DateTime.local().setZone(timezone).isValid ? timezone : 'UTC';
	if (isBlank(input.name)) {
		throw new FieldError(
			'Name',
			'"Name" is empty',
			'Every project needs a name: map "Name" to a column that is filled for every item.',
		);
	}
	body.name = text('Name', input.name, MAX_NAME_LENGTH);
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
	if (!isBlank(input.ownerId)) body.ownerId = text('Owner ID', input.ownerId, 200);
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
	const customFields = normaliseCustomFields(input);
	if (customFields !== undefined) body.customFields = customFields;
	return body;
}
