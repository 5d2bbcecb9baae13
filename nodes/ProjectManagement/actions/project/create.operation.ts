import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { checkCustomKey, deriveIdempotencyKey } from '../../helpers/idempotency';
import type { ProjectInput } from '../../helpers/projectFields';
import { FieldError, buildProjectBody } from '../../helpers/projectFields';
import { apiRequest } from '../../transport';
import { currencyOptions, priorityOptions, statusOptions } from '../../descriptions/fieldOptions';
import { readRequestOptions, requestOptionsDescription } from '../../descriptions/requestOptions';
import { outcomeOf } from '../../helpers/outcome';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Acme Corp onboarding',
		description: 'The name of the new project. Project names are unique in the project-management system.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Budget',
				name: 'budget',
				type: 'fixedCollection',
				default: {},
				placeholder: 'Add Budget',
				description: 'The money set aside for the project',
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
								description:
									'The currency of the amount. Choose from the list, or specify a three-letter ISO 4217 code using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
							},
							{
								displayName: 'Amount',
								name: 'amount',
								type: 'number',
								typeOptions: { minValue: 0, numberPrecision: 2 },
								default: 0,
								description: 'The budget amount, zero or more, without currency signs',
							},
						],
					},
				],
			},
			{
				displayName: 'Custom Fields',
				name: 'customFieldsUi',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Custom Field',
				description: 'Values for the custom fields your project-management system defines',
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
			},
			{
				displayName: 'Custom Fields (JSON)',
				name: 'customFieldsJson',
				type: 'json',
				default: '{}',
				description:
					'All custom fields as one JSON object, for example {"department": "Sales", "riskScore": 3}. Used instead of Custom Fields when set.',
			},
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				description: 'What the project is about',
			},
			{
				displayName: 'End Date',
				name: 'endDate',
				type: 'dateTime',
				default: '',
				description:
					'When the project is planned to end. Must not be before the start date. Text from an expression is accepted in ISO 8601 form, such as 2026-03-31.',
			},
			{
				displayName: 'Owner ID',
				name: 'ownerId',
				type: 'string',
				default: '',
				placeholder: 'e.g. usr_1001',
				description: 'The ID of the user who owns the project',
			},
			{
				displayName: 'Priority',
				name: 'priority',
				type: 'options',
				options: priorityOptions,
				default: 'Medium',
				description: 'How urgent the project is',
			},
			{
				displayName: 'Start Date',
				name: 'startDate',
				type: 'dateTime',
				default: '',
				description:
					'When the project is planned to start. Text from an expression is accepted in ISO 8601 form, such as 2026-02-01 or 2026-02-01T09:00:00Z.',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: statusOptions,
				default: 'Draft',
				description: 'The status the project starts in',
			},
			{
				displayName: 'Team IDs',
				name: 'teamIds',
				type: 'string',
				default: '',
				placeholder: 'e.g. team_design, team_sales',
				description: 'The teams working on the project: a comma-separated list, or a list from an expression',
			},
		],
	},
	requestOptionsDescription,
];

const displayOptions = { show: { resource: ['project'], operation: ['create'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The node's parameters for one item, as the field helpers expect them. */
function readInput(this: IExecuteFunctions, itemIndex: number): ProjectInput {
	const fields = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const budget = (fields.budget as IDataObject | undefined)?.budgetValues as IDataObject | undefined;
	const pairs = (fields.customFieldsUi as IDataObject | undefined)?.field as ProjectInput['customFieldPairs'];
	const json = fields.customFieldsJson;
	return {
		name: this.getNodeParameter('name', itemIndex, ''),
		description: fields.description,
		status: fields.status,
		priority: fields.priority,
		startDate: fields.startDate,
		endDate: fields.endDate,
		ownerId: fields.ownerId,
		teamIds: fields.teamIds,
		budgetCurrency: budget?.currency,
		budgetAmount: budget?.amount,
		customFieldPairs: pairs,
		customFieldsJson: json === '{}' || json === '' ? undefined : json,
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = readRequestOptions.call(this, itemIndex);
	const body = buildProjectBody(readInput.call(this, itemIndex), this.getTimezone());

	let idempotencyKey: string;
	if (settings.customKey !== undefined) {
		const checked = checkCustomKey(settings.customKey);
		if ('problem' in checked) {
			throw new FieldError(
				'Idempotency Key',
				`"Idempotency Key" ${checked.problem}`,
				'Map the key to a stable value of the item, such as a CRM deal ID, or clear the option to let the node make one.',
			);
		}
		idempotencyKey = checked.key;
	} else {
		idempotencyKey = deriveIdempotencyKey({
			workflowId: String(this.getWorkflow().id ?? ''),
			nodeId: this.getNode().id,
			operation: 'project:create',
			payload: body,
		});
	}

	const response = await apiRequest.call(
		this,
		{ method: 'POST', path: '/projects', body: body as IDataObject, idempotencyKey },
		settings.call,
	);
	return [
		{
			json: {
				...(response.body as IDataObject),
				...outcomeOf(response.replayed ? 'replayed' : 'created', response, idempotencyKey),
			},
		},
	];
}
