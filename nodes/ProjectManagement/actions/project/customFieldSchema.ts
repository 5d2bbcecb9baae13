import type { IExecuteFunctions } from 'n8n-workflow';

import type { MappedField } from '../../fields/customFields';
import { inputTypeFor } from '../../fields/customFields';
import { connectionOf } from '../../transport/connection';
import { asPage, paginate } from '../../transport/paginate';
import type { CallSettings } from '../../transport/request';
import { apiRequest, settle } from '../../transport/request';

/**
 * The custom fields the API defines, as Map Automatically needs them to recognise an item's fields by key and to
 * check their values by type. Read once for a while per API in the n8n process, not per execution: a form that
 * starts one execution per submission would otherwise pay one more request for each.
 */

/** How long definitions read from the API are used before they are read again. */
const FRESH_FOR_MS = 5 * 60_000;
const MAX_APIS = 64;
const MAX_DEFINITIONS = 2_000;

/** Per API (its pace key): when the definitions were asked for, and the answer (shared by every run asking meanwhile). */
const known = new Map<string, { at: number; schema: Promise<MappedField[]> }>();

function schemaOf(definitions: Array<Record<string, unknown>>): MappedField[] {
	return definitions
		.filter((definition) => typeof definition.key === 'string' && definition.key !== '')
		.map((definition) => ({
			id: definition.key as string,
			displayName:
				typeof definition.label === 'string' && definition.label !== '' ? definition.label : undefined,
			type: inputTypeFor(String(definition.type ?? 'text')),
			options: Array.isArray(definition.options)
				? definition.options
						.filter((choice): choice is string => typeof choice === 'string')
						.map((choice) => ({ name: choice, value: choice }))
				: undefined,
		}));
}

/**
 * The definitions, or none when they cannot be read (a credential without directory:read, an API that has none):
 * then only an item's `customFields` object is sent, unchecked by type, as with "Custom Fields as JSON (Advanced)".
 */
export async function customFieldSchema(
	this: IExecuteFunctions,
	settings: CallSettings,
): Promise<MappedField[]> {
	const connected = await settle(connectionOf(this));
	if ('failure' in connected) return [];
	const key = connected.value.paceKey;
	const cached = known.get(key);
	if (cached !== undefined && Date.now() - cached.at < FRESH_FOR_MS) return await cached.schema;
	const entry = { at: Date.now(), schema: readSchema.call(this, settings) };
	known.delete(key);
	known.set(key, entry);
	for (const oldKey of known.keys()) {
		if (known.size <= MAX_APIS) break;
		known.delete(oldKey);
	}
	const schema = await entry.schema;
	// A failed read is not kept: the next run asks again.
	if (schema === UNREADABLE && known.get(key) === entry) known.delete(key);
	return schema;
}

const UNREADABLE: MappedField[] = [];

async function readSchema(this: IExecuteFunctions, settings: CallSettings): Promise<MappedField[]> {
	const read = await settle(
		paginate(async (cursor) => {
			const qs = cursor ? { limit: 100, cursor } : { limit: 100 };
			return asPage(await apiRequest.call(this, { method: 'GET', path: '/custom-fields', qs }, settings));
		}, MAX_DEFINITIONS),
	);
	return 'failure' in read ? UNREADABLE : schemaOf(read.value);
}
