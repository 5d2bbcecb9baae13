import { pageQuerySchema } from './common';
import { PROJECT_PRIORITIES, PROJECT_STATUSES } from '../store';

const dateTime = {
	type: ['string', 'null'],
	format: 'date-time',
	description:
		'RFC 3339 date-time with an offset, e.g. 2026-01-31T09:00:00Z or 2026-01-31T11:00:00+02:00; stored in UTC.',
};

const budget = {
	type: ['object', 'null'],
	required: ['currency', 'amount'],
	additionalProperties: false,
	properties: {
		currency: { type: 'string', description: 'ISO 4217 code, e.g. USD.', examples: ['USD'] },
		amount: { type: 'number', minimum: 0 },
	},
};

/** Writable fields; null clears an optional field (and means "not set" on create). */
const writableProperties = {
	name: { type: 'string', minLength: 1, maxLength: 200, description: 'Unique (case-insensitive, trimmed).' },
	description: { type: ['string', 'null'], maxLength: 5000 },
	status: { type: 'string', enum: [...PROJECT_STATUSES], description: "Defaults to 'Draft'." },
	priority: { type: ['string', 'null'], enum: [...PROJECT_PRIORITIES, null] },
	startDate: dateTime,
	endDate: { ...dateTime, description: `${dateTime.description} Not before startDate.` },
	ownerId: { type: ['string', 'null'], description: 'A user id from GET /users.' },
	teamIds: {
		type: ['array', 'null'],
		items: { type: 'string' },
		uniqueItems: true,
		description: 'Team ids from GET /teams.',
	},
	budget,
	customFields: {
		type: ['object', 'null'],
		additionalProperties: true,
		description: 'Values keyed by custom field key (GET /custom-fields), typed as the definition says.',
	},
};

export const projectCreateBody = {
	type: 'object',
	required: ['name'],
	additionalProperties: false,
	properties: writableProperties,
};

export const projectPatchBody = {
	type: 'object',
	additionalProperties: false,
	description: 'Any subset of the writable fields; customFields, when given, replaces the whole object.',
	properties: writableProperties,
};

export const projectSchema = {
	$id: 'Project',
	type: 'object',
	required: [
		'id',
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
		'createdAt',
		'updatedAt',
	],
	additionalProperties: false,
	properties: {
		id: { type: 'string', pattern: '^prj_[0-9a-f]{12}$' },
		...writableProperties,
		name: { type: 'string' },
		teamIds: { type: 'array', items: { type: 'string' } },
		customFields: { type: 'object', additionalProperties: true },
		createdAt: { type: 'string', format: 'date-time' },
		updatedAt: { type: 'string', format: 'date-time' },
	},
} as const;

export const projectIdParams = {
	type: 'object',
	required: ['id'],
	properties: { id: { type: 'string', description: 'Project id, e.g. prj_0123456789ab.' } },
} as const;

export const projectListQuery = {
	type: 'object',
	properties: {
		...pageQuerySchema.properties,
		name: { type: 'string', description: 'Exact name, case-insensitive.' },
		status: { type: 'string', enum: [...PROJECT_STATUSES] },
		search: { type: 'string', description: 'Case-insensitive substring of the name.' },
	},
} as const;
