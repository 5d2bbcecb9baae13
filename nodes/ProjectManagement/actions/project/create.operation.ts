import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { additionalProjectFields, customFieldsMapper } from '../../descriptions/projectFields';
import { dryRunOption, idempotencyKeyOption, requestOptions } from '../../descriptions/requestOptions';
import type { ProjectBody } from '../../fields/projectBody';
import { buildProjectBody } from '../../fields/projectBody';
import type { KeyedTask } from '../../reliability/concurrency';
import type { CallSettings } from '../../transport/request';
import { apiRequest, settle } from '../../transport/request';
import { isDuplicateName } from '../../transport/response';
import { AmbiguousName } from '../failures';
import type { CallCost, ItemDone } from '../outcome';
import { NO_CALLS, addCosts, done } from '../outcome';
import type { ItemSettings } from '../settings';
import { idempotencyConflictKey, nameConflictKey } from './conflictKeys';
import { showRequest } from './dryRun';
import { projectPath } from './projectCall';
import { idempotencyKeyFor, readProjectInput } from './projectInput';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Acme Corp onboarding',
		description:
			'The name of the new project, as plain text of up to 200 characters. Project names are unique in the project-management system.',
	},
	{
		displayName: 'If a Project With This Name Exists',
		name: 'ifExists',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Report an Error',
				value: 'error',
				description: 'The item fails with a message that names the existing project',
			},
			{
				name: 'Return the Existing Project',
				value: 'returnExisting',
				description: 'Output the project that has this name, unchanged (find or create)',
			},
			{
				name: 'Update the Existing Project',
				value: 'update',
				description: 'Change the project that has this name to the fields given here (create or update)',
			},
		],
		default: 'error',
		description:
			'What to do when the name is taken. Names are compared without regard to upper and lower case.',
	},
	additionalProjectFields,
	customFieldsMapper,
	requestOptions([dryRunOption, idempotencyKeyOption]),
];

const displayOptions = { show: { resource: ['project'], operation: ['create'] } };

export const description = updateDisplayOptions(displayOptions, properties);

type IfExists = 'error' | 'returnExisting' | 'update';

interface Found {
	project?: IDataObject;
	cost: CallCost;
}

/** The project with this exact name (compared case-insensitively by the API), if there is one. */
async function findByName(this: IExecuteFunctions, name: string, settings: CallSettings): Promise<Found> {
	const response = await apiRequest.call(
		this,
		{ method: 'GET', path: '/projects', qs: { name, limit: 2 } },
		settings,
	);
	const data = ((response.body as IDataObject)?.data ?? []) as IDataObject[];
	if (data.length > 1) throw new AmbiguousName(name, data.length);
	return { project: data[0], cost: response };
}

/** The fields an existing project gets in "update" mode: all that were given, except the name it was found by. */
function updateBodyOf(body: ProjectBody): IDataObject {
	const { name: _foundBy, ...fields } = body;
	return fields as IDataObject;
}

/** An item read and checked, ready to be sent. */
interface CreateItem {
	settings: ItemSettings;
	ifExists: IfExists;
	body: ProjectBody;
	name: string;
	idempotencyKey: string;
	updateBody: IDataObject;
	updateKey?: string;
}

/**
 * Reads and checks the item, without a request (synchronously, so that the router prepares items in input
 * order), and says what it touches: items with the same name or idempotency key then run in input order, the
 * first one creating the project and the later ones finding it, exactly as when items ran one at a time.
 */
export function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: ItemSettings,
): KeyedTask<ItemDone> {
	const ifExists = this.getNodeParameter('ifExists', itemIndex, 'error') as IfExists;
	const body = buildProjectBody(
		readProjectInput.call(this, itemIndex, 'additionalFields', this.getNodeParameter('name', itemIndex, '')),
		this.getTimezone(),
	);
	const name = body.name as string;
	const idempotencyKey = idempotencyKeyFor.call(this, settings, 'project:create', body);
	const updateBody = updateBodyOf(body);
	// An update is re-applied on a later run (a new execution) rather than answered from the API's store,
	// which would return the project as it was then; within one execution the key stays the same.
	const updateKey =
		ifExists === 'update'
			? idempotencyKeyFor.call(this, settings, 'project:upsert', {
					body: updateBody,
					execution: this.getExecutionId(),
				})
			: undefined;
	const item: CreateItem = { settings, ifExists, body, name, idempotencyKey, updateBody, updateKey };
	return {
		keys: [nameConflictKey(name), idempotencyConflictKey(idempotencyKey)],
		run: async () => await send.call(this, item),
	};
}

async function send(this: IExecuteFunctions, item: CreateItem): Promise<ItemDone> {
	const { settings, ifExists, body, name, idempotencyKey, updateBody, updateKey } = item;
	if (settings.dryRun) return await dryRun.call(this, item);

	let cost: CallCost = NO_CALLS;
	let existing: IDataObject | undefined;
	if (ifExists !== 'error') {
		const found = await findByName.call(this, name, settings.call);
		cost = addCosts(cost, found.cost);
		existing = found.project;
	}

	if (existing === undefined) {
		const posted = await settle(
			apiRequest.call(
				this,
				{ method: 'POST', path: '/projects', body: body as IDataObject, idempotencyKey },
				settings.call,
			),
		);
		if ('value' in posted) {
			const response = posted.value;
			cost = addCosts(cost, response);
			const outcome = response.replayed ? 'replayed' : 'created';
			return done(outcome, cost, response.body as IDataObject, idempotencyKey);
		}
		const failure = posted.failure;
		if (ifExists === 'error' || !isDuplicateName(failure)) throw failure;
		// Another run created the name between the lookup and the create: find it again and carry on.
		const found = await findByName.call(this, name, settings.call);
		cost = addCosts(cost, failure.details, found.cost);
		if (found.project === undefined) throw failure;
		existing = found.project;
	}

	if (ifExists === 'returnExisting' || Object.keys(updateBody).length === 0) {
		return done('existing', cost, existing);
	}
	const response = await apiRequest.call(
		this,
		{ method: 'PATCH', path: projectPath(String(existing.id)), body: updateBody, idempotencyKey: updateKey },
		settings.call,
	);
	cost = addCosts(cost, response);
	// Also when the API replays the update (an earlier attempt made it): in Create, "replayed" keeps meaning that
	// an earlier attempt created the project.
	return done('updated', cost, response.body as IDataObject, updateKey);
}

/** What Create would send, and with "If a Project With This Name Exists" what it would look up and do. */
async function dryRun(this: IExecuteFunctions, item: CreateItem): Promise<ItemDone> {
	const { ifExists, body, name, idempotencyKey, updateBody, updateKey } = item;
	const json: IDataObject = {
		dryRun: true,
		request: await showRequest.call(this, 'POST', '/projects', body as IDataObject, idempotencyKey),
	};
	if (ifExists !== 'error') {
		json.lookup = await showRequest.call(this, 'GET', '/projects', undefined, undefined, {
			name,
			limit: 2,
		});
		json.ifNameExists =
			ifExists === 'returnExisting'
				? { action: 'Return the existing project unchanged; nothing is sent after the lookup' }
				: {
						action: 'Update the existing project instead of sending the request above',
						...(await showRequest.call(this, 'PATCH', '/projects/{id}', updateBody, updateKey)),
					};
	}
	return done('dryRun', NO_CALLS, json, idempotencyKey);
}
