import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { requestOptions } from '../../descriptions/requestOptions';
import { FieldError } from '../../fields/fieldError';
import { describeValue, numberFromText } from '../../fields/values';
import { asPage, paginate } from '../../transport/paginate';
import { apiRequest } from '../../transport/request';
import type { CallCost, ItemDone } from '../outcome';
import { NO_CALLS, addCosts, done } from '../outcome';
import type { ItemSettings } from '../settings';

/** The API's largest page. */
const PAGE_SIZE = 100;
/** Return All reads at most this many pages (100,000 projects), so that an API that never ends the list cannot hold the run. */
export const MAX_PAGES = 1_000;

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Conditions the projects must all meet. Without filters, every project is returned.',
		options: [
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				placeholder: 'e.g. Acme Corp onboarding',
				description:
					'Only the project with exactly this name (upper and lower case do not matter). Leave empty for all names.',
			},
			{
				displayName: 'Name Contains',
				name: 'search',
				type: 'string',
				default: '',
				placeholder: 'e.g. onboarding',
				description: 'Only projects whose name contains this text (upper and lower case do not matter)',
			},
			{
				displayName: 'Status Name or ID',
				name: 'status',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getStatuses' },
				default: '',
				description:
					'Only projects in this status, such as Active. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
	requestOptions(),
];

const displayOptions = { show: { resource: ['project'], operation: ['getAll'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Limit as a whole number of at least 1; text such as "10" from an expression is read, "ten" is refused. */
function limitOf(raw: unknown): number {
	const value = typeof raw === 'string' ? numberFromText(raw) : raw;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
		throw new FieldError(
			'Limit',
			`"Limit" must be a whole number of 1 or more, but it is ${describeValue(raw)}`,
			'Set Limit to how many projects to return, such as 50, or turn on Return All.',
		);
	}
	return Math.floor(value);
}

/** The filters the user set, as the API's query parameters; an empty filter is no filter. */
function queryOf(filters: IDataObject): IDataObject {
	const query: IDataObject = {};
	for (const key of ['name', 'search', 'status']) {
		const value = filters[key];
		if (typeof value === 'string' && value.trim() !== '') query[key] = value.trim();
		else if (typeof value === 'number') query[key] = String(value);
	}
	return query;
}

/**
 * Projects, oldest first, one output item each, read page by page along the API's cursor until the limit is
 * reached or, with Return All, until the last page.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: ItemSettings,
): Promise<ItemDone> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : limitOf(this.getNodeParameter('limit', itemIndex, 50));
	const query = queryOf(this.getNodeParameter('filters', itemIndex, {}) as IDataObject);

	let cost: CallCost = NO_CALLS;
	const projects = await paginate(
		async (cursor, wanted) => {
			const qs: IDataObject = { ...query, limit: Math.min(PAGE_SIZE, wanted) };
			if (cursor) qs.cursor = cursor;
			const response = await apiRequest.call(this, { method: 'GET', path: '/projects', qs }, settings.call);
			cost = addCosts(cost, response);
			return asPage(response);
		},
		limit,
		MAX_PAGES,
	);
	return done('found', cost, projects);
}
