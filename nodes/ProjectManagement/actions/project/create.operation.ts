import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { additionalProjectFields, customFieldsMapper } from '../../descriptions/projectFields';
import { dryRunOption, idempotencyKeyOption, requestOptions } from '../../descriptions/requestOptions';
import { projectInputFromItem } from '../../fields/autoMap';
import type { ProjectBody } from '../../fields/projectBody';
import { buildProjectBody } from '../../fields/projectBody';
import type { KeyedTask } from '../../reliability/concurrency';
import { successorKey } from '../../reliability/idempotency';
import type { CallSettings } from '../../transport/request';
import { apiRequest, settle } from '../../transport/request';
import type { ApiSuccess } from '../../transport/response';
import { isDuplicateName } from '../../transport/response';
import { AmbiguousName, ProjectNotFound } from '../failures';
import type { CallCost, ItemDone } from '../outcome';
import { NO_CALLS, addCosts, done } from '../outcome';
import type { ItemSettings, RunFacts } from '../settings';
import { idempotencyConflictKey, nameConflictKey } from './conflictKeys';
import { customFieldSchema } from './customFieldSchema';
import { showRequest } from './dryRun';
import { projectIn } from './projectAnswer';
import { callProject, projectPath } from './projectCall';
import { idempotencyKeyFor, readProjectInput } from './projectInput';

/** Where the project's fields come from: filled in below, or the incoming item's own fields. */
const MAP_EACH = 'defineBelow';
const MAP_AUTOMATICALLY = 'autoMapInputData';
const mapEach = { show: { mappingMode: [MAP_EACH] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Project Fields',
		name: 'mappingMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Map Each Field Below',
				value: MAP_EACH,
				description:
					'Fill in the fields in this node, with expressions where values come from the incoming item',
			},
			{
				name: 'Map Automatically',
				value: MAP_AUTOMATICALLY,
				description:
					"Send the incoming item's own fields as the project, by their names: for data shaped in an earlier node",
			},
		],
		default: MAP_EACH,
		description:
			"Where the project's fields come from: filled in below, or the incoming item's own fields by their names",
	},
	{
		displayName:
			'The item\'s fields are sent by their names: name (required), description, status, priority, startDate, endDate, ownerId (or owner), teamIds (or teams), budget ({"currency", "amount"}), and custom fields as a customFields object or by their keys. Other fields of the item are not sent.',
		name: 'autoMapNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mappingMode: [MAP_AUTOMATICALLY] } },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Acme Corp onboarding',
		description:
			'The name of the new project, as plain text of up to 200 characters. Project names are unique in the project-management system.',
		displayOptions: mapEach,
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
	{ ...additionalProjectFields, displayOptions: mapEach },
	{ ...customFieldsMapper, displayOptions: mapEach },
	requestOptions([
		dryRunOption,
		idempotencyKeyOption,
		{
			displayName: 'Identical Items',
			name: 'identicalItems',
			type: 'options',
			options: [
				{
					name: 'Are One Project',
					value: 'oneProject',
					description:
						"An item whose fields are all the same as an earlier one's is the same request sent twice: the first creates the project, the others return it (outcome replayed), also in later runs while the API keeps idempotency keys",
				},
				{
					name: 'Are One Project Each',
					value: 'eachItem',
					description:
						'Every item creates its own project. Where names must be unique, the second identical item meets a taken name and follows "If a Project With This Name Exists".',
				},
			],
			default: 'oneProject',
			description:
				'What two items with exactly the same fields mean. The API keeps idempotency keys for a limited time (24 hours on the reference API); after that a run on the same input is new to it.',
		},
	]),
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

/**
 * Once per run: with Map Automatically, the custom fields the API defines (read once for a while per API in the
 * process), so that an item's fields named by a custom field's key are recognised and checked by type.
 */
export async function setUp(this: IExecuteFunctions, settings: ItemSettings): Promise<Partial<RunFacts>> {
	if (this.getNodeParameter('mappingMode', 0, MAP_EACH) !== MAP_AUTOMATICALLY) return {};
	return { customFieldSchema: await customFieldSchema.call(this, settings.call) };
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
	const input =
		this.getNodeParameter('mappingMode', itemIndex, MAP_EACH) === MAP_AUTOMATICALLY
			? projectInputFromItem(this.getInputData()[itemIndex].json, settings.run.customFieldSchema)
			: readProjectInput.call(
					this,
					itemIndex,
					'additionalFields',
					this.getNodeParameter('name', itemIndex, ''),
				);
	const body = buildProjectBody(input, this.getTimezone());
	const name = body.name as string;
	// Identical items are one project, unless the user chose one project for each item: then the item's
	// position is part of its key (and a re-run of the same input still finds each item's own project).
	const idempotencyKey = idempotencyKeyFor.call(
		this,
		settings,
		'project:create',
		settings.identicalItems === 'eachItem' ? { body, item: itemIndex } : body,
	);
	const updateBody = updateBodyOf(body);
	// An update is re-applied on a later run (a new execution) rather than answered from the API's store,
	// which would return the project as it was then; within one execution the key stays the same. The item's
	// position keeps apart items that make the same change at different points of one run (b, a, b).
	const updateKey =
		ifExists === 'update'
			? idempotencyKeyFor.call(this, settings, 'project:upsert', {
					body: updateBody,
					execution: this.getExecutionId(),
					item: itemIndex,
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
		const posted = await settle(post.call(this, body, idempotencyKey, settings.call));
		if ('value' in posted) return await createdProject.call(this, item, posted.value, cost);
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
	const updated = await projectIn.call(this, response, settings.call, addCosts(cost, response), updateKey);
	// Also when the API replays the update (an earlier attempt made it): in Create, "replayed" keeps meaning that
	// an earlier attempt created the project.
	return done('updated', updated.cost, updated.project, updateKey);
}

async function post(
	this: IExecuteFunctions,
	body: ProjectBody,
	idempotencyKey: string,
	settings: CallSettings,
): Promise<ApiSuccess> {
	return await apiRequest.call(
		this,
		{ method: 'POST', path: '/projects', body: body as IDataObject, idempotencyKey },
		settings,
	);
}

/** How often a create is sent again after finding that the project an earlier attempt made was deleted. */
const MAX_RECREATIONS = 2;

/**
 * The project the POST created, or, when the API replayed an earlier answer, the project an earlier attempt or
 * run created, provided it still exists: a replayed answer can name a project deleted since (the API keeps keys for
 * a day or more). Then the item is created again, under a key derived from the old one and the deleted project, so
 * that this too is safe to retry and re-run.
 */
async function createdProject(
	this: IExecuteFunctions,
	item: CreateItem,
	first: ApiSuccess,
	before: CallCost,
): Promise<ItemDone> {
	let response = first;
	let key = item.idempotencyKey;
	let cost = before;
	let note: string | undefined;
	for (let round = 0; ; round++) {
		const answer = await projectIn.call(this, response, item.settings.call, addCosts(cost, response), key);
		cost = answer.cost;
		if (!response.replayed) return { ...done('created', cost, answer.project, key), note };
		const id = String(answer.project.id);
		// Only the existence check, not an attempt at the change: it is not counted in the item's attempts.
		const check = await settle(callProject.call(this, id, { method: 'GET' }, item.settings.call));
		if ('value' in check) {
			const project = isObject(check.value.body) ? check.value.body : answer.project;
			return { ...done('replayed', cost, project, key), note };
		}
		if (!(check.failure instanceof ProjectNotFound) || round >= MAX_RECREATIONS) throw check.failure;
		note = `The project an earlier run created for this item (${id}) has been deleted since; a new one was created.`;
		key = successorKey(key, id);
		response = await post.call(this, item.body, key, item.settings.call);
	}
}

const isObject = (value: unknown): value is IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

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
