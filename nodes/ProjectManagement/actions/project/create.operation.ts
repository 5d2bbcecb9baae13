import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { additionalProjectFields, customFieldsMapper } from '../../descriptions/projectFields';
import { dryRunOption, idempotencyKeyOption, requestOptions } from '../../descriptions/requestOptions';
import { projectInputFromItem } from '../../fields/autoMap';
import type { ProjectBody } from '../../fields/projectBody';
import { buildProjectBody } from '../../fields/projectBody';
import type { KeyedTask } from '../../reliability/concurrency';
import { canonicalJson, successorKey } from '../../reliability/idempotency';
import { SameRequest } from '../../reliability/sameRequest';
import type { CallSettings } from '../../transport/request';
import { apiRequest, settle } from '../../transport/request';
import type { ApiSuccess } from '../../transport/response';
import { isDuplicateName } from '../../transport/response';
import { AmbiguousName, NameTakenInDryRun, ProjectNotFound } from '../failures';
import { itemParameter } from '../itemParameters';
import type { CallCost, ItemDone } from '../outcome';
import { addCosts, done, lookupCost } from '../outcome';
import type { ItemSettings, RunFacts } from '../settings';
import { idempotencyConflictKey, nameConflictKey } from './conflictKeys';
import { customFieldSchema } from './customFieldSchema';
import { withDirectoryIds } from './directory';
import { showRequest } from './dryRun';
import { projectIn } from './projectAnswer';
import { callProject, projectPath } from './projectCall';
import { idempotencyKeyFor, quotedName, readProjectInput } from './projectInput';

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

/** How messages name the item: by the name of the project it creates. */
export function label(this: IExecuteFunctions, itemIndex: number): string | undefined {
	const name =
		this.getNodeParameter('mappingMode', itemIndex, MAP_EACH) === MAP_AUTOMATICALLY
			? this.getInputData()[itemIndex]?.json.name
			: itemParameter.call(this, 'name', itemIndex, '');
	return quotedName(name);
}

/** An item read and checked, ready to be sent. */
interface CreateItem {
	settings: ItemSettings;
	ifExists: IfExists;
	body: ProjectBody;
	name: string;
	idempotencyKey: string;
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
					itemParameter.call(this, 'name', itemIndex, ''),
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
	// An update is re-applied on a later run (a new execution) rather than answered from the API's store,
	// which would return the project as it was then; within one execution the key stays the same. The item's
	// position keeps apart items that make the same change at different points of one run (b, a, b).
	const updateKey =
		ifExists === 'update'
			? idempotencyKeyFor.call(this, settings, 'project:upsert', {
					body: updateBodyOf(body),
					execution: this.getExecutionId(),
					item: itemIndex,
				})
			: undefined;
	const item: CreateItem = { settings, ifExists, body, name, idempotencyKey, updateKey };
	return {
		keys: [nameConflictKey(name), idempotencyConflictKey(idempotencyKey)],
		run: async () => await send.call(this, item),
	};
}

/** Creates under way in this n8n process, per API (its shared pacer): see reliability/sameRequest.ts. */
const underWay = new WeakMap<object, SameRequest<ItemDone>>();

/**
 * Sends the item, or, when another execution in this process is sending the same create to the same API right
 * now (a webhook delivered twice), waits for it and returns its project: the API would have answered this one
 * from its idempotency store anyway, and this saves a turn of its rate limit. Not for "Update It": an update is
 * applied again by each execution.
 */
async function send(this: IExecuteFunctions, item: CreateItem): Promise<ItemDone> {
	const { settings, ifExists, body, idempotencyKey } = item;
	const pacer = settings.call.pacer;
	if (settings.dryRun || ifExists === 'update' || pacer === undefined) return await sendOwn.call(this, item);
	let same = underWay.get(pacer);
	if (same === undefined) {
		same = new SameRequest<ItemDone>();
		underWay.set(pacer, same);
	}
	const started = Date.now();
	// A derived key already stands for the body; a key the user gave may come with another body.
	const key =
		settings.customKey === undefined
			? `${ifExists}\n${idempotencyKey}`
			: `${ifExists}\n${idempotencyKey}\n${canonicalJson(body)}`;
	const { value, shared } = await same.run(key, async () => await sendOwn.call(this, item));
	if (!shared) return value;
	return {
		...value,
		outcome: value.outcome === 'created' ? 'replayed' : value.outcome,
		cost: { attempts: 0, waitedMs: Date.now() - started },
		// Each execution gets objects of its own: a later node may change them.
		json: JSON.parse(JSON.stringify(value.json)) as IDataObject[],
		note: SHARED_NOTE,
	};
}

const SHARED_NOTE =
	'Another execution was creating this same project at the same moment (the event was probably delivered twice): this item returns that project, and nothing was sent for it.';

async function sendOwn(this: IExecuteFunctions, item: CreateItem): Promise<ItemDone> {
	const { settings, ifExists, name, idempotencyKey, updateKey } = item;
	if (settings.dryRun) return await dryRun.call(this, item);
	// An owner's email and team names become IDs first; a bad one stops the item before anything is sent.
	const directory = await (withDirectoryIds<ProjectBody>).call(this, item.body, settings.call);
	const body = directory.body;
	const updateBody = updateBodyOf(body);

	// Lookups on the way count with their waits, not as attempts (actions/outcome.ts).
	let onTheWay: CallCost = directory.cost;
	let found: Found | undefined;
	if (ifExists !== 'error') found = await findByName.call(this, name, settings.call);

	if (found?.project === undefined) {
		if (found !== undefined) onTheWay = addCosts(onTheWay, lookupCost(found.cost));
		const posted = await settle(post.call(this, body, idempotencyKey, settings.call));
		if ('value' in posted) return await createdProject.call(this, item, body, posted.value, onTheWay);
		const failure = posted.failure;
		if (ifExists === 'error' || !isDuplicateName(failure)) throw failure;
		// Another run created the name between the lookup and the create: find it again and carry on.
		onTheWay = addCosts(onTheWay, lookupCost(failure.details));
		found = await findByName.call(this, name, settings.call);
		if (found.project === undefined) throw failure;
	}
	const existing = found.project;

	if (ifExists === 'returnExisting' || Object.keys(updateBody).length === 0) {
		// The lookup that found it decided the item.
		return done('existing', addCosts(onTheWay, found.cost), existing);
	}
	onTheWay = addCosts(onTheWay, lookupCost(found.cost));
	const response = await apiRequest.call(
		this,
		{ method: 'PATCH', path: projectPath(String(existing.id)), body: updateBody, idempotencyKey: updateKey },
		settings.call,
	);
	const updated = await projectIn.call(
		this,
		response,
		settings.call,
		addCosts(onTheWay, response),
		updateKey,
	);
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
	body: ProjectBody,
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
		// Only the existence check, not an attempt at the change: its waits count, not its attempts.
		const check = await settle(callProject.call(this, id, { method: 'GET' }, item.settings.call));
		if ('value' in check) {
			const project = isObject(check.value.body) ? check.value.body : answer.project;
			return { ...done('replayed', addCosts(cost, lookupCost(check.value)), project, key), note };
		}
		if (!(check.failure instanceof ProjectNotFound) || round >= MAX_RECREATIONS) throw check.failure;
		note = `The project an earlier run created for this item (${id}) has been deleted since; a new one was created.`;
		key = successorKey(key, id);
		// The create under the new key decides the item now; what came before was on the way.
		cost = addCosts(lookupCost(cost), lookupCost(check.failure.failure.details));
		response = await post.call(this, body, key, item.settings.call);
	}
}

const isObject = (value: unknown): value is IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * What Create would send, checked as far as reading allows: the fields, an owner's email and team names (looked
 * up), and whether a project has the name (looked up, in every mode: with "Report an Error" a taken name fails the
 * Dry Run as it would fail the run). Reads only; nothing is created or changed. A lookup that cannot be made (no
 * permission to read, an API that is down) is reported in the item instead of failing it.
 */
async function dryRun(this: IExecuteFunctions, item: CreateItem): Promise<ItemDone> {
	const { settings, ifExists, name, idempotencyKey, updateKey } = item;
	const directory = await (withDirectoryIds<ProjectBody>).call(this, item.body, settings.call);
	const body = directory.body;
	const json: IDataObject = {
		dryRun: true,
		request: await showRequest.call(this, 'POST', '/projects', body as IDataObject, idempotencyKey),
	};
	let cost = directory.cost;
	const lookup = await settle(findByName.call(this, name, settings.call));
	if ('failure' in lookup) {
		if (lookup.failure instanceof AmbiguousName) throw lookup.failure;
		const why = lookup.failure instanceof Error ? lookup.failure.message : String(lookup.failure);
		json.nameCheck = `Not checked: the name could not be looked up (${why.replace(/\.$/, '')}).`;
		return done('dryRun', cost, json, idempotencyKey);
	}
	cost = addCosts(cost, lookupCost(lookup.value.cost));
	const existing = lookup.value.project;
	if (existing === undefined) {
		json.nameCheck = 'No project has this name yet: the run would create it.';
	} else if (ifExists === 'error') {
		throw new NameTakenInDryRun(name, String(existing.id));
	} else if (ifExists === 'returnExisting') {
		json.nameCheck = `Project ${String(existing.id)} has this name: the run would return it unchanged, and send nothing else.`;
	} else {
		json.nameCheck = `Project ${String(existing.id)} has this name: the run would update it instead of creating one.`;
		json.update = await showRequest.call(
			this,
			'PATCH',
			projectPath(String(existing.id)),
			updateBodyOf(body),
			updateKey,
		);
	}
	return done('dryRun', cost, json, idempotencyKey);
}
