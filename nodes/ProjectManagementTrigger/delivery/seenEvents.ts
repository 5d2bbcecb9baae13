/**
 * The record of event ids this trigger has taken, for recognising a delivery the API sends again (it delivers at
 * least once: a retry after a lost answer, a duplicate). Kept in the workflow's static data, which n8n saves after
 * every delivery, so it is bounded both ways: ids older than the window are dropped, and so are the oldest ones
 * beyond the count. Plain functions, no n8n types; the record is a JSON-safe list of [id, ms since the epoch].
 */

/** How long an event id is remembered: 24 hours, far longer than the API's redeliveries last. */
export const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The most event ids remembered; at more than this many events a day the oldest are forgotten first. */
export const DEDUPE_MAX_EVENTS = 1000;

export type SeenEvents = Array<[string, number]>;

/** The record as static data holds it; anything that is not a list of [id, time] pairs is dropped. */
export function readSeenEvents(value: unknown): SeenEvents {
	if (!Array.isArray(value)) return [];
	return value.filter(
		(entry): entry is [string, number] =>
			Array.isArray(entry) &&
			entry.length === 2 &&
			typeof entry[0] === 'string' &&
			typeof entry[1] === 'number' &&
			Number.isFinite(entry[1]),
	);
}

/** Whether the id was taken within the window before `nowMs`. */
export function wasSeen(seen: SeenEvents, id: string, nowMs: number): boolean {
	return seen.some(([seenId, at]) => seenId === id && nowMs - at < DEDUPE_WINDOW_MS);
}

/**
 * A new record with the id taken at `nowMs`: entries past the window dropped, the id last (once), and at most
 * DEDUPE_MAX_EVENTS entries, the oldest dropped first. The given record is left as it is.
 */
export function withSeen(seen: SeenEvents, id: string, nowMs: number): SeenEvents {
	const kept = seen.filter(([seenId, at]) => seenId !== id && nowMs - at < DEDUPE_WINDOW_MS);
	kept.push([id, nowMs]);
	return kept.slice(Math.max(0, kept.length - DEDUPE_MAX_EVENTS));
}
