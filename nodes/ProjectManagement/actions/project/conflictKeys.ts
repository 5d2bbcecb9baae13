/*
 * Conflict keys: what an item creates or changes, so that the router keeps items that touch the same thing in
 * their input order while other items run beside them (reliability/concurrency.ts). Coarser than the API's own
 * comparison is safe (more items wait for each other), finer would not be.
 */

/** A project's name as the API compares names: trimmed, without regard to case. */
export const nameConflictKey = (name: unknown) =>
	`name:${String(name ?? '')
		.normalize('NFKC')
		.trim()
		.toLowerCase()}`;

export const projectConflictKey = (id: string) => `project:${id}`;

/** Two items with the same idempotency key are one request to the API (the user's own key, say). */
export const idempotencyConflictKey = (key: string) => `key:${key}`;
