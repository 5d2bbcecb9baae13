import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { customFieldsMapper, updateProjectFields } from '../../descriptions/projectFields';
import { projectLocator } from '../../descriptions/projectLocator';
import { dryRunOption, idempotencyKeyOption, requestOptions } from '../../descriptions/requestOptions';
import { FieldError } from '../../fields/fieldError';
import { buildProjectBody } from '../../fields/projectBody';
import { projectIdFrom } from '../../fields/projectLocator';
import type { KeyedTask } from '../../reliability/concurrency';
import type { CallCost, ItemDone } from '../outcome';
import { addCosts, done, lookupCost } from '../outcome';
import type { ItemSettings } from '../settings';
import { settle } from '../../transport/request';
import { ProjectNotFound } from '../failures';
import { idempotencyConflictKey, nameConflictKey, projectConflictKey } from './conflictKeys';
import { withDirectoryIds } from './directory';
import { showRequest } from './dryRun';
import { projectIn } from './projectAnswer';
import { callProject, projectPath } from './projectCall';
import { idempotencyKeyFor, readProjectInput } from './projectInput';

const properties: INodeProperties[] = [
	projectLocator,
	updateProjectFields,
	{
		...customFieldsMapper,
		hint: "The project-management system replaces all of a project's custom fields with the ones sent: when you set any custom field here, also set those the project should keep.",
	},
	{
		displayName: 'Fields to Clear',
		name: 'clearFields',
		type: 'multiOptions',
		options: [
			{ name: 'Budget', value: 'budget' },
			{ name: 'Custom Fields (All)', value: 'customFields' },
			{ name: 'Description', value: 'description' },
			{ name: 'End Date', value: 'endDate' },
			{ name: 'Owner', value: 'ownerId' },
			{ name: 'Priority', value: 'priority' },
			{ name: 'Start Date', value: 'startDate' },
			{ name: 'Teams', value: 'teamIds' },
		],
		default: [],
		description:
			'Fields to empty on the project. An empty value under Update Fields leaves a field as it is; choose it here to remove its value.',
	},
	requestOptions([dryRunOption, idempotencyKeyOption]),
];

const displayOptions = { show: { resource: ['project'], operation: ['update'] } };

const CLEARABLE: Record<string, string> = {
	budget: 'Budget',
	customFields: 'Custom Fields',
	description: 'Description',
	endDate: 'End Date',
	ownerId: 'Owner',
	priority: 'Priority',
	startDate: 'Start Date',
	teamIds: 'Teams',
};

/** The fields chosen in "Fields to Clear", sent as null; a field both set and cleared is a mistake to point out. */
function addCleared(body: IDataObject, chosen: unknown): void {
	const fields = Array.isArray(chosen) ? chosen : typeof chosen === 'string' ? chosen.split(',') : [];
	for (const raw of fields) {
		const field = String(raw).trim();
		if (field === '') continue;
		const label = CLEARABLE[field];
		if (label === undefined) {
			throw new FieldError(
				'Fields to Clear',
				`"Fields to Clear" names ${JSON.stringify(field.slice(0, 40))}, which is not a field that can be cleared`,
				`Choose from the list: ${Object.values(CLEARABLE).join(', ')}.`,
			);
		}
		if (body[field] !== undefined) {
			throw new FieldError(
				'Fields to Clear',
				`"${label}" is both set under Update Fields and chosen in "Fields to Clear"`,
				`Either set "${label}" or clear it, not both.`,
			);
		}
		body[field] = null;
	}
}

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Reads and checks the item, without a request (synchronously, so that the router prepares items in input
 * order). Items that change the same project, give two projects the same new name, or share an idempotency key
 * then run in input order, so that the last one in the input has the last word, as when items ran one at a time.
 */
export function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: ItemSettings,
): KeyedTask<ItemDone> {
	const id = projectIdFrom(this.getNodeParameter('project', itemIndex));
	const body = buildProjectBody(readProjectInput.call(this, itemIndex, 'updateFields'), this.getTimezone(), {
		requireName: false,
	}) as IDataObject;
	addCleared(body, this.getNodeParameter('clearFields', itemIndex, []));
	if (Object.keys(body).length === 0) {
		throw new FieldError(
			'Update Fields',
			'Nothing to update: no field is set',
			'Add the fields to change under "Update Fields" or "Custom Fields", or choose fields to empty in "Fields to Clear". Fields that an expression leaves empty are not sent.',
		);
	}
	// The key holds the execution: a retry or "Retry On Fail" within this run is recognised by the API, while a
	// later run applies the change again instead of getting the stored answer of an earlier one. It also holds the
	// item's position, so that items setting a project to b, then a, then b all take effect, in that order.
	const idempotencyKey = idempotencyKeyFor.call(this, settings, 'project:update', {
		id,
		body,
		execution: this.getExecutionId(),
		item: itemIndex,
	});
	const keys = [projectConflictKey(id), idempotencyConflictKey(idempotencyKey)];
	if (typeof body.name === 'string') keys.push(nameConflictKey(body.name));
	return { keys, run: async () => await send.call(this, settings, id, body, idempotencyKey) };
}

/** Changes only the fields that are set (PATCH), with the same checks, retries and key handling as Create. */
async function send(
	this: IExecuteFunctions,
	settings: ItemSettings,
	id: string,
	given: IDataObject,
	idempotencyKey: string,
): Promise<ItemDone> {
	// An owner's email and team names become IDs first; a bad one stops the item before anything is sent.
	const directory = await (withDirectoryIds<IDataObject>).call(this, given, settings.call);
	const body = directory.body;
	if (settings.dryRun) return await dryRun.call(this, settings, id, body, idempotencyKey, directory.cost);
	const response = await callProject.call(this, id, { method: 'PATCH', body, idempotencyKey }, settings.call);
	const { project, cost } = await projectIn.call(
		this,
		response,
		settings.call,
		addCosts(directory.cost, response),
		idempotencyKey,
	);
	return done(response.replayed ? 'replayed' : 'updated', cost, project, idempotencyKey);
}

/**
 * What Update would send, and whether the project exists (a read: the run would fail on a project that does
 * not). A check that cannot be made (no permission to read, an API that is down) is reported in the item.
 */
async function dryRun(
	this: IExecuteFunctions,
	settings: ItemSettings,
	id: string,
	body: IDataObject,
	idempotencyKey: string,
	before: CallCost,
): Promise<ItemDone> {
	const request = await showRequest.call(this, 'PATCH', projectPath(id), body, idempotencyKey);
	const check = await settle(callProject.call(this, id, { method: 'GET' }, settings.call));
	if ('value' in check) {
		return done(
			'dryRun',
			addCosts(before, lookupCost(check.value)),
			{ dryRun: true, request, projectCheck: `Project ${id} exists: the run would change it.` },
			idempotencyKey,
		);
	}
	if (check.failure instanceof ProjectNotFound) throw check.failure;
	const why = check.failure instanceof Error ? check.failure.message : String(check.failure);
	return done(
		'dryRun',
		before,
		{
			dryRun: true,
			request,
			projectCheck: `Not checked: the project could not be read (${why.replace(/\.$/, '')}).`,
		},
		idempotencyKey,
	);
}

export { projectLabel as label } from './projectInput';
