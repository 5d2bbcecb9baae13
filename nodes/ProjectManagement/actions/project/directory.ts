import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { DirectoryEntry } from '../../fields/directoryMatch';
import { isEmail, ownerIdForEmail, teamIdsForNames } from '../../fields/directoryMatch';
import { FieldError } from '../../fields/fieldError';
import { connectionOf } from '../../transport/connection';
import { asPage, paginate } from '../../transport/paginate';
import type { CallSettings } from '../../transport/request';
import { apiRequest, settle } from '../../transport/request';
import type { CallCost } from '../outcome';
import { NO_CALLS, addCosts, lookupCost } from '../outcome';

/**
 * An owner given by email and teams given by name, turned into the IDs the API takes before anything is sent
 * (fields/directoryMatch.ts matches them). The users and teams are read from the API (`GET /users`, `GET /teams`,
 * every page) once for a short while per API in the n8n process, the way custom field definitions are
 * (customFieldSchema.ts): a run of a thousand deals, or a form that starts one execution per submission, reads
 * them once, and runs asking at the same time share that one read. An email that matches nobody in a list read a
 * while ago is looked up again in a fresh one, so a user added a minute ago is found.
 *
 * The item's idempotency key is made from what the user gave (the email, the team names), not from the IDs found
 * here: the key is known before any request (the Dry Run shows it, items with the same key run in order), and the
 * same input gives the same key on every run whatever the directory answers.
 */

/** How long lists read from the API are used before they are read again. */
const FRESH_FOR_MS = 2 * 60_000;
/** A name or email not found in a list older than this is looked up in a new read once. */
const RECHECK_OLDER_THAN_MS = 5_000;
const MAX_LISTS = 128;
const MAX_ENTRIES = 10_000;

type Kind = 'users' | 'teams';

interface Read {
	entries: DirectoryEntry[];
	/** What reading cost; only the run that made the read pays it. */
	cost: CallCost;
}

/** Per API and list: when it was asked for, and the answer (shared by every run asking meanwhile). */
const known = new Map<string, { at: number; read: Promise<Read> }>();

const entryOf = (raw: IDataObject): DirectoryEntry | undefined =>
	typeof raw.id === 'string' && raw.id !== ''
		? {
				id: raw.id,
				name: typeof raw.name === 'string' ? raw.name : undefined,
				email: typeof raw.email === 'string' ? raw.email : undefined,
			}
		: undefined;

async function readList(this: IExecuteFunctions, kind: Kind, settings: CallSettings): Promise<Read> {
	let cost: CallCost = NO_CALLS;
	const raw = await paginate(async (cursor) => {
		const qs = cursor ? { limit: 100, cursor } : { limit: 100 };
		const response = await apiRequest.call(this, { method: 'GET', path: `/${kind}`, qs }, settings);
		cost = addCosts(cost, response);
		return asPage(response);
	}, MAX_ENTRIES);
	return { entries: raw.map(entryOf).filter((entry) => entry !== undefined), cost };
}

/** The list, from the process's copy while it is fresh (and, with `newerThan`, read since then), else read now. */
async function listOf(
	this: IExecuteFunctions,
	kind: Kind,
	settings: CallSettings,
	newerThan = 0,
): Promise<Read & { at: number }> {
	const key = `${kind} ${(await connectionOf(this)).paceKey}`;
	const cached = known.get(key);
	if (cached !== undefined && Date.now() - cached.at < FRESH_FOR_MS && cached.at >= newerThan) {
		const { entries } = await cached.read;
		return { entries, cost: NO_CALLS, at: cached.at };
	}
	const entry = { at: Date.now(), read: readList.call(this, kind, settings) };
	known.delete(key);
	known.set(key, entry);
	for (const oldKey of known.keys()) {
		if (known.size <= MAX_LISTS) break;
		known.delete(oldKey);
	}
	// A failed read is not kept: the next item asks again.
	entry.read.catch(() => {
		if (known.get(key) === entry) known.delete(key);
	});
	return { ...(await entry.read), at: entry.at };
}

/** Why a list could not be read, in a few words for a message. */
function whyUnreadable(failure: unknown): string {
	const text = failure instanceof Error ? failure.message : String(failure);
	return text.replace(/\.$/, '');
}

/** A match, or the FieldError saying why nothing (or several) matched. */
function matched<T>(label: string, match: () => T): { value: T } | { miss: FieldError } {
	try {
		return { value: match() };
	} catch (error) {
		if (error instanceof FieldError) return { miss: error };
		return { miss: new FieldError(label, String(error), '') };
	}
}

/**
 * `match` in the list read first; a miss in a list read more than a few seconds ago is looked for once more in a
 * fresh read (a user or team added a minute ago), and the first miss stands when that read fails.
 */
async function matchFresh<T>(
	this: IExecuteFunctions,
	kind: Kind,
	settings: CallSettings,
	first: Read & { at: number },
	label: string,
	match: (entries: DirectoryEntry[]) => T,
): Promise<{ value: T; cost: CallCost }> {
	const found = matched(label, () => match(first.entries));
	if ('value' in found) return { value: found.value, cost: lookupCost(first.cost) };
	if (Date.now() - first.at < RECHECK_OLDER_THAN_MS) throw found.miss;
	const again = await settle(listOf.call(this, kind, settings, Date.now()));
	if ('failure' in again) throw found.miss;
	return {
		value: match(again.value.entries),
		cost: lookupCost(addCosts(first.cost, again.value.cost)),
	};
}

async function ownerId(
	this: IExecuteFunctions,
	email: string,
	settings: CallSettings,
): Promise<{ id: string; cost: CallCost }> {
	const first = await settle(listOf.call(this, 'users', settings));
	if ('failure' in first) {
		throw new FieldError(
			'Owner',
			`"Owner" is an email address (${email.trim()}), but the list of users could not be read: ${whyUnreadable(first.failure)}`,
			"Finding a user by email needs the credential's directory:read permission. Or give the user's ID, or pick the owner from the list.",
		);
	}
	const owner = await (matchFresh<string>).call(this, 'users', settings, first.value, 'Owner', (users) =>
		ownerIdForEmail(email, users),
	);
	return { id: owner.value, cost: owner.cost };
}

async function teamIds(
	this: IExecuteFunctions,
	given: string[],
	settings: CallSettings,
): Promise<{ ids: string[]; cost: CallCost }> {
	const first = await settle(listOf.call(this, 'teams', settings));
	// Without the list (no directory:read, say) the entries go as given, as IDs, and the API checks them.
	if ('failure' in first) return { ids: given, cost: NO_CALLS };
	const teams = await (matchFresh<string[]>).call(
		this,
		'teams',
		settings,
		first.value,
		'Team Names or IDs',
		(entries) => teamIdsForNames(given, entries),
	);
	return { ids: teams.value, cost: teams.cost };
}

/**
 * The body with an owner email and team names replaced by IDs; the same body when there is nothing to look up.
 * Throws FieldError (nothing is sent for the item) when an email or a name matches nobody, or several.
 */
export async function withDirectoryIds<Body extends { ownerId?: unknown; teamIds?: unknown }>(
	this: IExecuteFunctions,
	body: Body,
	settings: CallSettings,
): Promise<{ body: Body; cost: CallCost }> {
	let resolved = body;
	let cost: CallCost = NO_CALLS;
	if (typeof body.ownerId === 'string' && isEmail(body.ownerId)) {
		const owner = await ownerId.call(this, body.ownerId, settings);
		resolved = { ...resolved, ownerId: owner.id };
		cost = addCosts(cost, owner.cost);
	}
	if (Array.isArray(body.teamIds) && body.teamIds.length > 0) {
		const teams = await teamIds.call(this, body.teamIds as string[], settings);
		resolved = { ...resolved, teamIds: teams.ids };
		cost = addCosts(cost, teams.cost);
	}
	return { body: resolved, cost };
}
