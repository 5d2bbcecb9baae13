/**
 * One pace per API for the whole n8n process: n8n loads a node's module once per process and runs every
 * execution with it, so a registry kept here is shared by all executions that call the same API (the same
 * credential and Base URL): what one answer teaches (a RateLimit-Policy, a used-up quota, a Retry-After hold, a
 * 429's slow-down) paces every execution, also when each carries one item. Across processes (queue-mode workers)
 * nothing is shared: each paces itself from the API's answers.
 *
 * Bounded: at most `maxEntries` APIs, the one used longest ago dropped first, and an entry unused for `idleMs` is
 * dropped when the registry is next used. No timers. Keys must hold no secrets (see transport/connection.ts);
 * entries hold pacing state only.
 */
export class Registry<T> {
	/** In order of last use, the oldest first. */
	private readonly entries = new Map<string, { value: T; usedAt: number }>();

	constructor(
		private readonly make: () => T,
		private readonly now: () => number,
		readonly maxEntries = 64,
		readonly idleMs = 15 * 60_000,
	) {}

	get(key: string): T {
		const now = this.now();
		for (const [oldKey, entry] of this.entries) {
			if (now - entry.usedAt <= this.idleMs) break;
			this.entries.delete(oldKey);
		}
		const entry = this.entries.get(key) ?? { value: this.make(), usedAt: now };
		this.entries.delete(key);
		entry.usedAt = now;
		this.entries.set(key, entry);
		for (const oldKey of this.entries.keys()) {
			if (this.entries.size <= this.maxEntries) break;
			this.entries.delete(oldKey);
		}
		return entry.value;
	}

	get size(): number {
		return this.entries.size;
	}
}
