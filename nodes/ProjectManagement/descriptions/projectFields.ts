import type { INodeProperties } from 'n8n-workflow';

import { currencyOptions } from './fieldOptions';

/**
 * The project's fields as Create and Update show them. Create asks for the name on its own and offers the rest
 * under "Additional Fields"; Update offers all of them, the name included, under "Update Fields". Dropdowns load
 * from the API (methods/), and every field also takes an expression.
 */

const budget: INodeProperties = {
	displayName: 'Budget',
	name: 'budget',
	type: 'fixedCollection',
	// Shown ready to fill in when added, not behind a second "Add Budget" click.
	default: { budgetValues: { currency: 'USD', amount: 0 } },
	placeholder: 'Add Budget',
	description: 'The money set aside for the project: a currency and an amount',
	options: [
		{
			displayName: 'Budget',
			name: 'budgetValues',
			values: [
				{
					displayName: 'Currency',
					name: 'currency',
					type: 'options',
					options: currencyOptions(),
					default: 'USD',
					hint: 'USD is only where the list starts: pick the currency of the amount',
					description:
						'The currency of the amount. Choose from the list, or specify a three-letter ISO 4217 code such as EUR using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'Amount',
					name: 'amount',
					type: 'number',
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 0,
					description: 'The budget amount, zero or more, as a plain number without currency signs',
				},
			],
		},
	],
};

const customFieldsJson: INodeProperties = {
	displayName: 'Custom Fields as JSON (Advanced)',
	name: 'customFieldsJson',
	type: 'json',
	default: '{}',
	description:
		'Advanced: use the Custom Fields form first. This is for a whole object from an earlier node, keyed by the API\'s field keys, for example {"department": "Sales", "riskScore": 3}. Combined with the form; a key set in both stops the item.',
};

const customFieldsUi: INodeProperties = {
	displayName: 'Custom Fields by Key (Advanced)',
	name: 'customFieldsUi',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	placeholder: 'Add Custom Field',
	description:
		'Advanced: use the Custom Fields form first. This is for fields the form does not list (yet), given by their API key. Combined with the form; a key set in both stops the item.',
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{
					displayName: 'Key',
					name: 'key',
					type: 'string',
					default: '',
					placeholder: 'e.g. department',
					description: 'The key the API knows the custom field by',
				},
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					default: '',
					description:
						'The value. For a number or a yes/no field, use an expression such as {{ 3 }} or {{ true }}.',
				},
			],
		},
	],
};

const description: INodeProperties = {
	displayName: 'Description',
	name: 'description',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	description: 'What the project is about, as plain text of up to 5,000 characters',
};

const endDate: INodeProperties = {
	displayName: 'End Date',
	name: 'endDate',
	type: 'dateTime',
	default: '',
	description:
		'When the project is planned to end. Must not be before the start date. Text from an expression is accepted in ISO 8601 form, such as 2026-03-31.',
	hint: 'A date without a time, such as 2026-03-31, is sent as that day (2026-03-31T00:00:00Z), as for Start Date.',
};

const name: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	placeholder: 'e.g. Acme Corp onboarding',
	description: 'The new name of the project. Project names are unique in the project-management system.',
};

const ownerId: INodeProperties = {
	displayName: 'Owner',
	name: 'ownerId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description:
		"The user who owns the project: pick one from the list, or give their email address (as a CRM holds it) or their user ID. An email is looked up among the system's users before anything is sent.",
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a user...',
			typeOptions: { searchListMethod: 'searchUsers', searchable: true },
		},
		{
			displayName: 'By Email',
			name: 'email',
			type: 'string',
			placeholder: 'e.g. grace@example.com',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[^@\\s]+@[^@\\s]+$',
						errorMessage: 'An email address, such as grace@example.com',
					},
				},
			],
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. usr_1001 (an email works here too)',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '[A-Za-z0-9][A-Za-z0-9_-]*',
						errorMessage: 'A user ID is made of letters, digits, "_" and "-", such as usr_1001',
					},
				},
			],
		},
	],
};

const priority: INodeProperties = {
	displayName: 'Priority Name or ID',
	name: 'priority',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getPriorities' },
	default: 'Medium',
	description:
		'How urgent the project is, such as Low, Medium, High or Critical. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

const startDate: INodeProperties = {
	displayName: 'Start Date',
	name: 'startDate',
	type: 'dateTime',
	default: '',
	description:
		'When the project is planned to start. Text from an expression is accepted in ISO 8601 form, such as 2026-02-01 or 2026-02-01T09:00:00Z.',
	hint: "A date without a time, such as 2026-02-01, is sent as that day (2026-02-01T00:00:00Z) whatever the workflow's time zone; a time without a zone is read in the workflow's time zone.",
};

const status: INodeProperties = {
	displayName: 'Status Name or ID',
	name: 'status',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getStatuses' },
	default: 'Draft',
	description:
		'The stage the project is in, such as Draft, Planned, Active, On Hold or Completed. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

const teamIds: INodeProperties = {
	displayName: 'Team Names or IDs',
	name: 'teamIds',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getTeams' },
	default: [],
	description:
		'The teams working on the project, by name or ID (a list, or text separated by commas such as Design, Sales; names are looked up before anything is sent). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

const byLabel = (a: INodeProperties, b: INodeProperties) => a.displayName.localeCompare(b.displayName);

/** Create: everything but the name, which Create asks for on its own. */
export const additionalProjectFields: INodeProperties = {
	displayName: 'Additional Fields',
	name: 'additionalFields',
	type: 'collection',
	placeholder: 'Add Field',
	default: {},
	description:
		"More fields of the new project. Fields you do not add are not sent and keep the API's defaults.",
	options: [
		budget,
		customFieldsJson,
		customFieldsUi,
		description,
		endDate,
		ownerId,
		priority,
		startDate,
		status,
		teamIds,
	].sort(byLabel),
};

/** Update: every field, the name included; only the fields added here are changed. */
export const updateProjectFields: INodeProperties = {
	displayName: 'Update Fields',
	name: 'updateFields',
	type: 'collection',
	placeholder: 'Add Field',
	default: {},
	description: 'The fields to change. Fields you do not add keep their current value.',
	options: [
		budget,
		customFieldsJson,
		customFieldsUi,
		description,
		endDate,
		name,
		ownerId,
		priority,
		startDate,
		status,
		teamIds,
	].sort(byLabel),
};

/**
 * The custom fields the API defines (`GET /custom-fields`), each with an input that suits its type: text,
 * number, date, a list of options, or a yes/no switch. Values are checked against the type before sending.
 */
export const customFieldsMapper: INodeProperties = {
	displayName: 'Custom Fields',
	name: 'customFields',
	type: 'resourceMapper',
	noDataExpression: true,
	default: { mappingMode: 'defineBelow', value: null },
	description:
		'The place to set custom fields: every custom field your project-management system defines, each with an input that suits its type',
	typeOptions: {
		loadOptionsDependsOn: ['authentication'],
		resourceMapper: {
			resourceMapperMethod: 'getCustomFields',
			mode: 'add',
			valuesLabel: 'Custom Fields',
			fieldWords: { singular: 'custom field', plural: 'custom fields' },
			addAllFields: false,
			supportAutoMap: false,
			noFieldsError: 'Your project-management system defines no custom fields.',
		},
	},
};
