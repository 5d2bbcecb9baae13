import type { FieldProblem } from '../errors';
import type { CustomFieldDefinition } from '../seed';
import type { Budget, Directory, Project, ProjectFields, ProjectPriority, ProjectStatus } from '../store';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

type Body = Record<string, unknown>;

/**
 * Checks the JSON schema cannot express: references to the directory, currencies, date order and custom
 * field definitions. Runs next to the schema errors, so each check looks only at values of the right type.
 */
export function projectBodyProblems(body: unknown, directory: Directory): FieldProblem[] {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
	const input = body as Body;
	const problems: FieldProblem[] = [];
	if (typeof input.name === 'string' && input.name.length > 0 && input.name.trim() === '') {
		problems.push({ field: 'name', message: 'must not be blank' });
	}
	if (typeof input.ownerId === 'string' && !directory.hasUser(input.ownerId)) {
		problems.push({ field: 'ownerId', message: `does not match any user (see GET /users)` });
	}
	if (Array.isArray(input.teamIds)) {
		input.teamIds.forEach((teamId, index) => {
			if (typeof teamId === 'string' && !directory.hasTeam(teamId)) {
				problems.push({ field: `teamIds[${index}]`, message: `does not match any team (see GET /teams)` });
			}
		});
	}
	const budget = input.budget as Body | null | undefined;
	if (
		budget &&
		typeof budget === 'object' &&
		typeof budget.currency === 'string' &&
		!CURRENCIES.has(budget.currency)
	) {
		problems.push({
			field: 'budget.currency',
			message: 'must be an ISO 4217 currency code such as USD or EUR',
		});
	}
	problems.push(...dateOrderProblems(input.startDate, input.endDate));
	if (input.customFields && typeof input.customFields === 'object' && !Array.isArray(input.customFields)) {
		problems.push(...customFieldProblems(input.customFields as Body, directory));
	}
	return problems;
}

/** Dates are compared as instants, so offsets like +02:00 order correctly. */
export function dateOrderProblems(startDate: unknown, endDate: unknown): FieldProblem[] {
	if (typeof startDate !== 'string' || typeof endDate !== 'string') return [];
	const start = Date.parse(startDate);
	const end = Date.parse(endDate);
	if (Number.isNaN(start) || Number.isNaN(end) || end >= start) return [];
	return [{ field: 'endDate', message: `must not be before startDate (${new Date(start).toISOString()})` }];
}

function customFieldProblems(values: Body, directory: Directory): FieldProblem[] {
	const problems: FieldProblem[] = [];
	for (const [key, value] of Object.entries(values)) {
		const field = `customFields.${key}`;
		const definition = directory.customField(key);
		if (!definition) {
			problems.push({ field, message: 'is not a defined custom field (see GET /custom-fields)' });
			continue;
		}
		const message = customValueProblem(definition, value);
		if (message) problems.push({ field, message });
	}
	return problems;
}

function customValueProblem(definition: CustomFieldDefinition, value: unknown): string | undefined {
	switch (definition.type) {
		case 'text':
			return typeof value === 'string' ? undefined : `must be a string (${definition.label} is a text field)`;
		case 'number':
			return typeof value === 'number'
				? undefined
				: `must be a number (${definition.label} is a number field)`;
		case 'boolean':
			return typeof value === 'boolean'
				? undefined
				: `must be true or false (${definition.label} is a boolean field)`;
		case 'date':
			return typeof value === 'string' && isIsoDate(value)
				? undefined
				: `must be an ISO 8601 date such as 2026-01-31 or a date-time with an offset (${definition.label} is a date field)`;
		case 'option':
			return typeof value === 'string' && definition.options?.includes(value)
				? undefined
				: `must be one of: ${definition.options?.join(', ')}`;
	}
}

function isIsoDate(value: string): boolean {
	const dateOnly = ISO_DATE.exec(value);
	if (dateOnly) {
		const [, year, month, day] = dateOnly.map(Number);
		const date = new Date(Date.UTC(year, month - 1, day));
		return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
	}
	return ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) && isIsoDate(value.slice(0, 10));
}

/** Applies a validated create body: trims the name, fills defaults, normalises dates to UTC. */
export function fieldsForCreate(body: Body): ProjectFields {
	return {
		name: (body.name as string).trim(),
		description: (body.description as string | null | undefined) ?? null,
		status: (body.status as ProjectStatus | undefined) ?? 'Draft',
		priority: (body.priority as ProjectPriority | null | undefined) ?? null,
		startDate: normaliseDate(body.startDate),
		endDate: normaliseDate(body.endDate),
		ownerId: (body.ownerId as string | null | undefined) ?? null,
		teamIds: [...((body.teamIds as string[] | null | undefined) ?? [])],
		budget: copyBudget(body.budget),
		customFields: { ...((body.customFields as Record<string, unknown> | null | undefined) ?? {}) },
	};
}

/** The fields a client may set; every change to a project is a change to one of these. */
export const WRITABLE_FIELDS = [
	'name',
	'description',
	'status',
	'priority',
	'startDate',
	'endDate',
	'ownerId',
	'teamIds',
	'budget',
	'customFields',
] as const;

/** The project as it would be after a validated PATCH body; absent fields keep their value. */
export function fieldsForPatch(current: Project, body: Body): ProjectFields {
	const given = fieldsForCreate({ name: current.name, ...body });
	const merged = {} as Record<(typeof WRITABLE_FIELDS)[number], unknown>;
	for (const key of WRITABLE_FIELDS)
		merged[key] = Object.prototype.hasOwnProperty.call(body, key) ? given[key] : current[key];
	return merged as ProjectFields;
}

function normaliseDate(value: unknown): string | null {
	return typeof value === 'string' ? new Date(value).toISOString() : null;
}

function copyBudget(value: unknown): Budget | null {
	if (!value || typeof value !== 'object') return null;
	const budget = value as Budget;
	return { currency: budget.currency, amount: budget.amount };
}
