import type { IDataObject } from 'n8n-workflow';

/**
 * Reading a list the API pages with `limit` and `cursor`: Get Many and the editor's dropdowns alike. The API
 * answers `{ data: [...], nextCursor }`; a missing or empty cursor ends the list.
 */

export interface Page {
	data: IDataObject[];
	nextCursor: string | null;
}

export function asPage(body: unknown): Page {
	const page = (body ?? {}) as { data?: unknown; nextCursor?: unknown };
	return {
		data: Array.isArray(page.data) ? (page.data as IDataObject[]) : [],
		nextCursor: typeof page.nextCursor === 'string' && page.nextCursor !== '' ? page.nextCursor : null,
	};
}

/** The API handed out a page position it had handed out before: following it would never end. */
export class RepeatedCursor extends Error {
	constructor() {
		super('The API sent the same page position twice');
		this.name = 'RepeatedCursor';
	}
}

/**
 * Entries of a paged list, page after page, until `enough` entries are in or the last page is read. `fetchPage`
 * gets the cursor (undefined for the first page) and how many entries are still wanted. A cursor seen before
 * throws RepeatedCursor.
 */
export async function paginate(
	fetchPage: (cursor: string | undefined, wanted: number) => Promise<Page>,
	enough: number,
): Promise<IDataObject[]> {
	const entries: IDataObject[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	while (entries.length < enough) {
		const page = await fetchPage(cursor, enough - entries.length);
		entries.push(...page.data);
		if (page.nextCursor === null) break;
		if (seen.has(page.nextCursor)) throw new RepeatedCursor();
		seen.add(page.nextCursor);
		cursor = page.nextCursor;
	}
	return entries.slice(0, enough);
}
