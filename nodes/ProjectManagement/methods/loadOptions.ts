import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { priorityOptions, statusOptions } from '../descriptions/fieldOptions';
import { DEFAULT_RETRY_POLICY } from '../reliability/retry';
import { apiRequest } from '../transport/request';
import { fetchAllPages } from './dropdownRequest';

/** The dropdowns whose entries come from the API. */

export async function getTeams(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const teams = await fetchAllPages.call(this, 'the teams', '/teams');
	return teams
		.filter((team) => typeof team.id === 'string')
		.map((team) => ({
			name: typeof team.name === 'string' && team.name !== '' ? team.name : String(team.id),
			value: team.id as string,
			description: team.id as string,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A project field's allowed values as the API's OpenAPI document publishes them (the `enum` of the field in
 * the Project schema). An API that publishes none, or cannot be reached, leaves the node's own list: the choice
 * of a status should not depend on the network, and the API still checks whatever is sent.
 */
async function publishedValues(
	this: ILoadOptionsFunctions,
	field: 'status' | 'priority',
	fallback: INodePropertyOptions[],
): Promise<INodePropertyOptions[]> {
	let values: unknown;
	try {
		const response = await apiRequest.call(
			this,
			{ method: 'GET', path: '/openapi.json' },
			{ timeoutMs: 10_000, policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 } },
		);
		const schemas = ((response.body as IDataObject)?.components as IDataObject | undefined)?.schemas as
			IDataObject | undefined;
		const properties = (schemas?.Project as IDataObject | undefined)?.properties as IDataObject | undefined;
		values = (properties?.[field] as IDataObject | undefined)?.enum;
	} catch {
		return fallback;
	}
	if (!Array.isArray(values)) return fallback;
	const published = values.filter((value): value is string => typeof value === 'string' && value !== '');
	if (published.length === 0) return fallback;
	// In the API's order, which for statuses is the project's life cycle (Draft first, Cancelled last).
	return published.map((value) => ({ name: value, value }));
}

export async function getStatuses(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await publishedValues.call(this, 'status', statusOptions);
}

export async function getPriorities(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await publishedValues.call(this, 'priority', priorityOptions);
}
