import { invalidInput } from './errors';

export interface Page<T> {
	data: T[];
	nextCursor: string | null;
}

const CURSOR_VERSION = 'c1';

/**
 * Keyset pagination over a list already in its stable order: the cursor names the last item
 * returned, so inserts and deletes elsewhere never shift a page.
 */
export function paginate<T>(
	items: readonly T[],
	sortKey: (item: T) => string,
	limit: number,
	cursor?: string,
): Page<T> {
	const after = cursor === undefined ? undefined : decodeCursor(cursor);
	const start = after === undefined ? 0 : firstIndexAfter(items, sortKey, after);
	const data = items.slice(start, start + limit);
	const more = start + limit < items.length;
	return { data, nextCursor: more && data.length > 0 ? encodeCursor(sortKey(data[data.length - 1])) : null };
}

function firstIndexAfter<T>(items: readonly T[], sortKey: (item: T) => string, after: string): number {
	let low = 0;
	let high = items.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (sortKey(items[mid]) <= after) low = mid + 1;
		else high = mid;
	}
	return low;
}

function encodeCursor(key: string): string {
	return Buffer.from(`${CURSOR_VERSION}:${key}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
	const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
	if (!text.startsWith(`${CURSOR_VERSION}:`)) {
		throw invalidInput([
			{ field: 'cursor', message: 'is not a cursor this API issued; use nextCursor from a previous page' },
		]);
	}
	return text.slice(CURSOR_VERSION.length + 1);
}
