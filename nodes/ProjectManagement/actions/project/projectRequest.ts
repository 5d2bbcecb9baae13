import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import type { RequestOptions } from '../../descriptions/requestOptions';
import type { MappedCustomFields } from '../../helpers/customFields';
import { FieldError } from '../../helpers/fieldError';
import { checkCustomKey, deriveIdempotencyKey } from '../../helpers/idempotency';
import type { ProjectInput } from '../../helpers/projectFields';
import { locatorValue } from '../../helpers/projectLocator';
import { API_PATH, ApiCallFailure, credentialType } from '../../transport';

/** What Create and Update share: reading the project's fields, the idempotency key, and the dry run. */

/** The node's parameters for one item, as the field helpers expect them. */
export function readProjectInput(
	this: IExecuteFunctions,
	itemIndex: number,
	collection: 'additionalFields' | 'updateFields',
	name?: unknown,
): ProjectInput {
	const fields = this.getNodeParameter(collection, itemIndex, {}) as IDataObject;
	const budget = (fields.budget as IDataObject | undefined)?.budgetValues as IDataObject | undefined;
	const pairs = (fields.customFieldsUi as IDataObject | undefined)?.field as ProjectInput['customFieldPairs'];
	const json = fields.customFieldsJson;
	const mapper = this.getNodeParameter('customFields', itemIndex, null) as IDataObject | null;
	return {
		name: name ?? fields.name,
		description: fields.description,
		status: fields.status,
		priority: fields.priority,
		startDate: fields.startDate,
		endDate: fields.endDate,
		ownerId: locatorValue(fields.ownerId),
		teamIds: fields.teamIds,
		budgetCurrency: budget?.currency,
		budgetAmount: budget?.amount,
		customFieldsMapped: mapper
			? {
					values: mapper.value as MappedCustomFields['values'],
					schema: mapper.schema as MappedCustomFields['schema'],
				}
			: undefined,
		customFieldPairs: pairs,
		customFieldsJson: json === '{}' || json === '' ? undefined : json,
	};
}

/**
 * The key a change is sent with: the user's own, or one derived from the workflow, the node, the operation and
 * `payload`, so that the same item gets the same key on every retry and re-run.
 */
export function idempotencyKeyFor(
	this: IExecuteFunctions,
	settings: RequestOptions,
	operation: string,
	payload: unknown,
): string {
	if (settings.customKey !== undefined) {
		const checked = checkCustomKey(settings.customKey);
		if ('problem' in checked) {
			throw new FieldError(
				'Idempotency Key',
				`"Idempotency Key" ${checked.problem}`,
				'Map the key to a stable value of the item, such as a CRM deal ID, or clear the option to let the node make one.',
			);
		}
		return checked.key;
	}
	return deriveIdempotencyKey({
		workflowId: String(this.getWorkflow().id ?? ''),
		nodeId: this.getNode().id,
		operation,
		payload,
	});
}

/** A request as a dry run shows it: what would be sent, where, with which key. Never headers or secrets. */
export interface ShownRequest extends IDataObject {
	method: IHttpRequestMethods;
	url: string;
}

/**
 * The address a request goes to, from the credential's Base URL. Any user name or password written into the
 * Base URL is left out.
 */
export async function requestUrl(this: IExecuteFunctions, path: string, qs?: IDataObject): Promise<string> {
	const credentials = await this.getCredentials(credentialType(this));
	let base = String(credentials.baseUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
	base = base.replace(/^(https?:\/\/)[^/@]*@/i, '$1');
	const query = Object.entries(qs ?? {})
		.filter(([, value]) => value !== undefined && value !== '')
		.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
		.join('&');
	return `${base}${API_PATH}${path}${query ? `?${query}` : ''}`;
}

export async function showRequest(
	this: IExecuteFunctions,
	method: IHttpRequestMethods,
	path: string,
	body?: IDataObject,
	idempotencyKey?: string,
	qs?: IDataObject,
): Promise<ShownRequest> {
	const shown: ShownRequest = { method, url: await requestUrl.call(this, path, qs) };
	if (body !== undefined) shown.body = body;
	if (idempotencyKey !== undefined) shown.idempotencyKey = idempotencyKey;
	return shown;
}

export const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;

/*
 * Conflict keys: what an item creates or changes, so that the router keeps items that touch the same thing in
 * their input order while other items run beside them. Coarser than the API's own comparison is safe (more
 * items wait for each other), finer would not be.
 */

/** A project's name as the API compares names: trimmed, without regard to case. */
export const nameConflictKey = (name: unknown) =>
	`name:${String(name ?? '')
		.normalize('NFKC')
		.trim()
		.toLowerCase()}`;

export const projectConflictKey = (id: string) => `project:${id}`;

/** Two items with the same idempotency key are one request to the API (the user's own key, say). */
export const idempotencyConflictKey = (key: string) => `key:${key}`;

/**
 * A call's result or its failure as a value, so that an expected answer such as 404 can be handled where it is
 * expected. Every failure still ends in the router, which turns it into the message for the user.
 */
export async function settle<T>(promise: Promise<T>): Promise<{ value: T } | { failure: unknown }> {
	try {
		return { value: await promise };
	} catch (failure) {
		return { failure };
	}
}

export const isNotFound = (failure: unknown): failure is ApiCallFailure =>
	failure instanceof ApiCallFailure && failure.details.statusCode === 404;
