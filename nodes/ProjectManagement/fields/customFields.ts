import { parseDate, usableZone } from './dates';
import { FieldError } from './fieldError';
import { describeValue, isBlank, numberFromText } from './values';

/**
 * Custom fields as the API defines them (`GET /custom-fields`), and the values a user gave for them in the three
 * places the node offers (the typed form, the key/value list, a JSON object), checked and converted to what the
 * API accepts before anything is sent.
 */

/** The API's custom field types. */
export type ApiCustomFieldType = 'text' | 'number' | 'date' | 'option' | 'boolean';

export interface ApiCustomField {
	key: string;
	label: string;
	type: string;
	options?: string[];
}

/** The input n8n shows for each API type (n8n's resource mapper field types). */
const INPUT_TYPES: Record<ApiCustomFieldType, 'string' | 'number' | 'dateTime' | 'options' | 'boolean'> = {
	text: 'string',
	number: 'number',
	date: 'dateTime',
	option: 'options',
	boolean: 'boolean',
};

/** The input type for an API field type; a type the API adds later gets a text input and is sent as typed. */
export function inputTypeFor(apiType: string): 'string' | 'number' | 'dateTime' | 'options' | 'boolean' {
	return INPUT_TYPES[apiType as ApiCustomFieldType] ?? 'string';
}

/** One field of the form as n8n stores it with the node (its resource mapper schema). */
export interface MappedField {
	id: string;
	displayName?: string;
	type?: string;
	options?: Array<{ name?: string; value?: unknown }>;
}

export interface MappedCustomFields {
	values?: Record<string, unknown> | null;
	schema?: MappedField[];
}

function problem(label: string, message: string, hint: string): FieldError {
	return new FieldError(label, `Custom field "${label}" ${message}`, hint);
}

function toText(label: string, value: unknown): string {
	if (typeof value === 'string') return value.trim();
	if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
		return String(value);
	throw problem(label, `must be text, but it is ${describeValue(value)}`, `Map "${label}" to a text value.`);
}

function toNumber(label: string, value: unknown): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	const fromText = typeof value === 'string' ? numberFromText(value) : undefined;
	if (fromText !== undefined) return fromText;
	throw problem(
		label,
		`must be a number, but it is ${describeValue(value)}`,
		`Enter a plain number such as 3 or 12.5 in "${label}", without units or thousands separators.`,
	);
}

function toBoolean(label: string, value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value))
		return value.trim().toLowerCase() === 'true';
	throw problem(
		label,
		`must be true or false, but it is ${describeValue(value)}`,
		`Use the switch, or an expression that gives true or false, such as {{ $json.billable === "yes" }}.`,
	);
}

/** A date field holds a calendar day: the day the value falls on in the workflow's time zone. */
function toCalendarDate(label: string, value: unknown, timezone: string): string {
	const date = parseDate(label, value, timezone, `Custom field "${label}"`);
	return date.setZone(timezone).toISODate() as string;
}

function toOption(label: string, value: unknown, field: MappedField): string {
	const choices = (field.options ?? [])
		.map((option) => option.value)
		.filter((choice): choice is string => typeof choice === 'string');
	const given = typeof value === 'number' ? String(value) : value;
	if (typeof given === 'string') {
		const trimmed = given.trim();
		if (choices.length === 0 || choices.includes(trimmed)) return trimmed;
		const sameButCase = choices.find((choice) => choice.toLowerCase() === trimmed.toLowerCase());
		if (sameButCase !== undefined) return sameButCase;
	}
	throw problem(
		label,
		`must be one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}, but it is ${describeValue(value)}`,
		`Pick a value from the list in "${label}", or map it to one of the values above.`,
	);
}

/**
 * The values of the typed form, each checked against the type its field had when the form was filled in and
 * converted to what the API takes (numbers, true/false, a YYYY-MM-DD day, one of the options). Empty values are
 * left out: an untouched field is not sent. A field the form does not know is sent as it is.
 */
export function normaliseMappedCustomFields(
	mapped: MappedCustomFields,
	timezone: string,
): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	const schema = new Map((mapped.schema ?? []).map((field) => [field.id, field]));
	for (const [key, value] of Object.entries(mapped.values ?? {})) {
		if (isBlank(value)) continue;
		const field = schema.get(key);
		const label = field?.displayName || key;
		switch (field?.type) {
			case 'string':
				fields[key] = toText(label, value);
				break;
			case 'number':
				fields[key] = toNumber(label, value);
				break;
			case 'boolean':
				fields[key] = toBoolean(label, value);
				break;
			case 'dateTime':
				fields[key] = toCalendarDate(label, value, timezone);
				break;
			case 'options':
				fields[key] = toOption(label, value, field);
				break;
			default:
				fields[key] = value;
		}
	}
	return fields;
}

/** Where a user can set custom fields; they combine. */
export interface CustomFieldsInput {
	/** Values from the typed custom-field form (n8n's resource mapper), with the field definitions it showed. */
	customFieldsMapped?: MappedCustomFields;
	/** Key/value pairs from the node's list. */
	customFieldPairs?: Array<{ key?: unknown; value?: unknown }>;
	/** A JSON object, as text or as an object from an expression. */
	customFieldsJson?: unknown;
}

function parseJson(text: string): { value: unknown } | { problem: string } {
	try {
		return { value: JSON.parse(text) };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

/** Nesting deeper than this in a custom field's value is refused (no field type the API knows needs it). */
export const MAX_CUSTOM_FIELD_DEPTH = 32;

/**
 * A key that cannot be a field (`__proto__` would silently vanish from the request), or a value nested too deep to
 * be sent (deep enough to exhaust the stack while it is read and sent): refused with the field named.
 */
function checkKeyAndDepth(label: string, key: string, value: unknown): void {
	if (key === '__proto__') {
		throw new FieldError(
			label,
			`"${label}" names a custom field "__proto__", which cannot be sent`,
			'Remove that key: no project-management field can be called __proto__.',
		);
	}
	// Breadth-first with a queue, not recursion: the point is to stop before the stack does.
	let level: unknown[] = [value];
	for (let depth = 1; level.length > 0; depth++) {
		if (depth > MAX_CUSTOM_FIELD_DEPTH) {
			throw new FieldError(
				label,
				`The custom field "${key}" in "${label}" is nested more than ${MAX_CUSTOM_FIELD_DEPTH} levels deep`,
				'Send a flat value (text, a number, true/false, a date, or a short list) for each custom field.',
			);
		}
		const next: unknown[] = [];
		for (const entry of level) {
			if (entry === null || typeof entry !== 'object') continue;
			for (const child of Object.values(entry)) next.push(child);
		}
		level = next;
	}
}

function customFieldsFromJson(json: unknown): Record<string, unknown> {
	const label = 'Custom Fields as JSON (Advanced)';
	const parsed = typeof json === 'string' ? parseJson(json) : { value: json };
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

function customFieldsFromPairs(
	pairs: NonNullable<CustomFieldsInput['customFieldPairs']>,
): Record<string, unknown> {
	const label = 'Custom Fields by Key (Advanced)';
	const fields: Record<string, unknown> = {};
	for (const pair of pairs) {
		if (typeof pair.key !== 'string' || pair.key.trim() === '') {
			throw new FieldError(
				label,
				`A custom field in "${label}" has no key`,
				'Give every custom field the key the API knows it by (for example department), or remove the empty row.',
			);
		}
		const key = pair.key.trim();
		if (Object.prototype.hasOwnProperty.call(fields, key)) {
			throw new FieldError(
				label,
				`The custom field "${key}" is set twice in "${label}"`,
				'Keep one row per custom field.',
			);
		}
		checkKeyAndDepth(label, key, pair.value);
		fields[key] = pair.value ?? null;
	}
	return fields;
}

/**
 * The custom fields from all three places a user can set them: the typed form, the key/value list and the JSON
 * object. They combine; a key set in two places is an error rather than a silent choice between the values.
 */
export function normaliseCustomFields(
	input: CustomFieldsInput,
	timezone = 'UTC',
): Record<string, unknown> | undefined {
	const sources: Array<[string, Record<string, unknown>]> = [];
	if (input.customFieldsMapped) {
		const mapped = normaliseMappedCustomFields(input.customFieldsMapped, usableZone(timezone));
		if (Object.keys(mapped).length > 0) sources.push(['Custom Fields', mapped]);
	}
	if (input.customFieldPairs && input.customFieldPairs.length > 0) {
		sources.push(['Custom Fields by Key (Advanced)', customFieldsFromPairs(input.customFieldPairs)]);
	}
	if (input.customFieldsJson !== undefined && !isBlank(input.customFieldsJson)) {
		sources.push(['Custom Fields as JSON (Advanced)', customFieldsFromJson(input.customFieldsJson)]);
	}
	if (sources.length === 0) return undefined;
	const fields: Record<string, unknown> = {};
	const origin: Record<string, string> = {};
	for (const [label, values] of sources) {
		for (const [key, value] of Object.entries(values)) {
			checkKeyAndDepth(label, key, value);
			if (Object.prototype.hasOwnProperty.call(origin, key)) {
				throw new FieldError(
					label,
					`The custom field "${key}" is set both in "${origin[key]}" and in "${label}"`,
					'Set each custom field in one place only.',
				);
			}
			origin[key] = label;
			fields[key] = value;
		}
	}
	return fields;
}
