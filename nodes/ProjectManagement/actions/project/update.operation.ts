import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { customFieldsMapper, updateProjectFields } from '../../descriptions/projectFields';
import { projectLocator } from '../../descriptions/projectLocator';
import type { BatchSettings, RequestOptions } from '../../descriptions/requestOptions';
import {
	dryRunOption,
	idempotencyKeyOption,
	readRequestOptions,
	requestOptions,
} from '../../descriptions/requestOptions';
import type { KeyedTask } from '../../helpers/concurrency';
import { FieldError } from '../../helpers/fieldError';
import { NO_CALLS, outcomeOf } from '../../helpers/outcome';
import { buildProjectBody } from '../../helpers/projectFields';
import { projectIdFrom } from '../../helpers/projectLocator';
import { apiRequest } from '../../transport';
import { ProjectNotFound } from '../itemErrors';
import {
	idempotencyConflictKey,
	idempotencyKeyFor,
	isNotFound,
	nameConflictKey,
	projectConflictKey,
	projectPath,
	readProjectInput,
	settle,
	showRequest,
} from './projectRequest';

const properties: INodeProperties[] = [
	projectLocator,
	updateProjectFields,
	{
		...customFieldsMapper,
		hint: "The project-management system replaces all of a project's custom fields with the ones sent: when you set any custom field here, also set those the project should keep.",
	},
	requestOptions([dryRunOption, idempotencyKeyOption]),
];

const displayOptions = { show: { resource: ['project'], operation: ['update'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Reads and checks the item, without a request (synchronously, so that the router prepares items in input
 * order). Items that change the same project, give two projects the same new name, or share an idempotency key
 * then run in input order, so that the last one in the input has the last word, as when items ran one at a time.
 */
export function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: BatchSettings = {},
): KeyedTask<INodeExecutionData[]> {
	const settings = readRequestOptions.call(this, itemIndex, batch);
	const id = projectIdFrom(this.getNodeParameter('project', itemIndex));
	const body = buildProjectBody(readProjectInput.call(this, itemIndex, 'updateFields'), this.getTimezone(), {
		requireName: false,
	}) as IDataObject;
	if (Object.keys(body).length === 0) {
		throw new FieldError(
			'Update Fields',
			'Nothing to update: no field is set',
			'Add the fields to change under "Update Fields" or "Custom Fields". Fields that an expression leaves empty are not sent.',
		);
	}
	// The key holds the execution: a retry or "Retry On Fail" within this run is recognised by the API, while a
	// later run applies the change again instead of getting the stored answer of an earlier one.
	const idempotencyKey = idempotencyKeyFor.call(this, settings, 'project:update', {
		id,
		body,
		execution: this.getExecutionId(),
	});
	const keys = [projectConflictKey(id), idempotencyConflictKey(idempotencyKey)];
	if (typeof body.name === 'string') keys.push(nameConflictKey(body.name));
	return { keys, run: async () => await send.call(this, settings, id, body, idempotencyKey) };
}

/** Changes only the fields that are set (PATCH), with the same checks, retries and key handling as Create. */
async function send(
	this: IExecuteFunctions,
	settings: RequestOptions,
	id: string,
	body: IDataObject,
	idempotencyKey: string,
): Promise<INodeExecutionData[]> {
	if (settings.dryRun) {
		const request = await showRequest.call(this, 'PATCH', projectPath(id), body, idempotencyKey);
		return [{ json: { dryRun: true, request, ...outcomeOf('dryRun', NO_CALLS, idempotencyKey) } }];
	}

	const result = await settle(
		apiRequest.call(this, { method: 'PATCH', path: projectPath(id), body, idempotencyKey }, settings.call),
	);
	if ('failure' in result) {
		throw isNotFound(result.failure) ? new ProjectNotFound(id, result.failure) : result.failure;
	}
	const response = result.value;
	return [
		{
			json: {
				...(response.body as IDataObject),
				...outcomeOf(response.replayed ? 'replayed' : 'updated', response, idempotencyKey),
			},
		},
	];
}
