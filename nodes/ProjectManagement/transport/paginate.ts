import type { IDataObject } from 'n8n-workflow';

import type { ApiSuccess } from './response';
import { UnexpectedAnswer, describeBody } from './response';

/**
 * Reading a list the API pages with `limit` and `cursor`: Get Many and the editor's dropdowns alike. The API
 * answers `{ data: [...], nextCursor }`; a missing or empty cursor ends the list.
 */

export interface Page {
	data: IDataObject[];
	nextCursor: string | null;
}

/** The page in a list's answer; anything else is an UnexpectedAnswer. */
export function asPage(response: ApiSuccess): Page {
	const page = response.body as { data?: unknown; nextCursor?: unknown } | null | undefined;
	if (page === null || typeof page !== 'object' || !Array.isArray(page.data)) {
		throw new UnexpectedAnswer(
			response.statusCode,
			describeBody(response.statusCode, page),
			'a list',
			response,
		);
	}
	return {
		data: (page.data as unknown[]).filter(
			(entry): entry is IDataObject => entry !== null && typeof entry === 'object' && !Array.isArray(entry),
		),
		nextCursor: typeof page.nextCursor === 'string' && page.nextCursor !== '' ? page.nextCursor : null,
	};
}

/**
 * A list that would not end: the API handed out a page position it had handed out before, or kept handing out
 * new ones past the most pages a list may take.
 */
export class EndlessList extends Error {
	constructor(
		readonly reason: 'repeatedCursor' | 'tooManyPages',
		readonly pages: number,
		readonly entries: number,
	) {
		super(
			reason === 'repeatedCursor'
				? 'The API sent the same page position twice'
				: `The API kept sending more pages after ${pages} pages (${entries} entries)`,
		);
		this.name = 'EndlessList';
	}
}

/**
 * Entries of a paged list, page after page, until `enough` entries are in or the last page is read. `fetchPage`
 * gets the cursor (undefined for the first page) and how many entries are still wanted. A cursor seen before, or
 * more than `maxPages` pages, throws EndlessList.
 */
export async function paginate(
	fetchPage: (cursor: string | undefined, wanted: number) => Promise<Page>,
	enough: number,
	maxPages = Infinity,
): Promise<IDataObject[]> {
	const entries: IDataObject[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	for (let pages = 1; entries.length < enough; pages++) {
		const page = await fetchPage(cursor, enough - entries.length);
		for (const entry of page.data) entries.push(entry);
		if (page.nextCursor === null) break;
		if (seen.has(page.nextCursor)) throw new EndlessList('repeatedCursor', pages, entries.length);
		if (pages >= maxPages) throw new EndlessList('tooManyPages', pages, entries.length);
		seen.add(page.nextCursor);
		cursor = page.nextCursor;
	}
	return entries.slice(0, enough);
}
