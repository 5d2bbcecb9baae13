import type { MappedField } from './customFields';
import { FieldError } from './fieldError';
import type { ProjectInput } from './projectBody';
import { describeValue } from './values';

/**
 * "Map Automatically": the incoming item's own fields, by their names, as the project. The API's field names
 * are read (name, description, status, priority, startDate, endDate, ownerId, teamIds, budget), with the
 * spellings people's data often has (owner, teams, budgetCurrency and budgetAmount), and custom fields from a
 * `customFields` object or, where the API's definitions are known, from fields named by a custom field's key.
 * Anything else on the item (a CRM's deal id, its stage) is not sent. No expression is evaluated: the values are
 * the item's, checked like the fields of the form.
 */

/** The item's fields that are the project's, or are left out on purpose because they are the API's own. */
const PROJECT_FIELDS = new Set([
	'name',
	'description',
	'status',
	'priority',
	'startDate',
	'endDate',
	'ownerId',
	'owner',
	'teamIds',
	'teams',
	'budget',
	'budgetCurrency',
	'budgetAmount',
	'customFields',
	// Set by the API, never sent: an item that came from Get carries them.
	'id',
	'createdAt',
	'updatedAt',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

export function projectInputFromItem(
	item: Record<string, unknown>,
	/** The custom fields the API defines (by key), when known; fields of the item named by one are sent. */
	customFieldSchema: MappedField[] = [],
): ProjectInput {
	if (item.name === undefined || item.name === null || item.name === '') {
		throw new FieldError(
			'name',
			'The incoming item has no "name" field',
			'Map Automatically sends the item\'s own fields: give every item a "name" (for example with an Edit Fields node before this one), or set Project Fields to "Map Each Field Below".',
		);
	}
	const budget = item.budget;
	if (budget !== undefined && budget !== null && !isObject(budget)) {
		throw new FieldError(
			'budget',
			`The item's "budget" must be an object such as {"currency": "EUR", "amount": 25000}, but it is ${describeValue(budget)}`,
			'Give "budget" a currency and an amount, or send "budgetCurrency" and "budgetAmount" instead.',
		);
	}
	const nested = item.customFields;
	if (nested !== undefined && nested !== null && !isObject(nested)) {
		throw new FieldError(
			'customFields',
			`The item's "customFields" must be an object keyed by custom field, but it is ${describeValue(nested)}`,
			'Send custom fields as an object such as {"department": "Sales"}, or as fields of the item named by their key.',
		);
	}
	const values: Record<string, unknown> = {};
	for (const field of customFieldSchema) {
		if (!PROJECT_FIELDS.has(field.id) && Object.prototype.hasOwnProperty.call(item, field.id)) {
			values[field.id] = item[field.id];
		}
	}
	if (isObject(nested)) {
		for (const [key, value] of Object.entries(nested)) {
			if (key === '__proto__') {
				throw new FieldError(
					'customFields',
					'The item\'s "customFields" names a custom field "__proto__", which cannot be sent',
					'Remove that key: no project-management field can be called __proto__.',
				);
			}
			values[key] = value;
		}
	}
	return {
		name: item.name,
		description: item.description,
		status: item.status,
		priority: item.priority,
		startDate: item.startDate,
		endDate: item.endDate,
		ownerId: item.ownerId ?? item.owner,
		teamIds: item.teamIds ?? item.teams,
		budgetCurrency: isObject(budget) ? budget.currency : item.budgetCurrency,
		budgetAmount: isObject(budget) ? budget.amount : item.budgetAmount,
		customFieldsMapped: Object.keys(values).length > 0 ? { values, schema: customFieldSchema } : undefined,
	};
}
