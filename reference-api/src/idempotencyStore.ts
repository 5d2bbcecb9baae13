import { createHash } from 'node:crypto';

export interface StoredResponse {
	status: number;
	/** Only the headers a replay must repeat (Content-Type, Location). */
	headers: Record<string, string>;
	body: unknown;
}

interface IdempotencyRecord {
	fingerprint: string;
	expiresAt: number;
	response?: StoredResponse;
}

export type IdempotencyLookup =
	| { kind: 'new' }
	| { kind: 'in-flight' }
	| { kind: 'mismatch' }
	| { kind: 'completed'; response: StoredResponse };

export interface IdempotencyScope {
	clientId: string;
	method: string;
	path: string;
	key: string;
}

/** Records keyed per client, method, path and key, living `ttlSeconds` from the first request. */
export class IdempotencyStore {
	private readonly records = new Map<string, IdempotencyRecord>();
	private writesSinceSweep = 0;

	constructor(private readonly ttlSeconds: () => number) {}

	get size(): number {
		return this.records.size;
	}

	/** Looks the key up and, when it is new, reserves it as in flight. */
	begin(scope: IdempotencyScope, fingerprint: string): IdempotencyLookup {
		const id = recordId(scope);
		const now = Date.now();
		const existing = this.records.get(id);
		if (existing && existing.expiresAt > now) {
			if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
			return existing.response ? { kind: 'completed', response: existing.response } : { kind: 'in-flight' };
		}
		this.records.set(id, { fingerprint, expiresAt: now + this.ttlSeconds() * 1000 });
		this.sweepNowAndThen(now);
		return { kind: 'new' };
	}

	complete(scope: IdempotencyScope, response: StoredResponse): void {
		const record = this.records.get(recordId(scope));
		if (record) record.response = response;
	}

	abandon(scope: IdempotencyScope): void {
		const id = recordId(scope);
		if (!this.records.get(id)?.response) this.records.delete(id);
	}

	clear(): void {
		this.records.clear();
	}

	// Lookups already ignore expired records; the sweep only bounds memory in long runs.
	private sweepNowAndThen(now: number): void {
		if (++this.writesSinceSweep < 1000) return;
		this.writesSinceSweep = 0;
		for (const [id, record] of this.records) if (record.expiresAt <= now) this.records.delete(id);
	}
}

export function fingerprintOf(body: unknown): string {
	return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** JSON with object keys sorted at every depth, so key order never changes a fingerprint. */
export function canonicalJson(value: unknown): string {
	if (value === undefined) return 'null';
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	const entries = Object.keys(value as Record<string, unknown>)
		.sort()
		.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
	return `{${entries.join(',')}}`;
}

function recordId(scope: IdempotencyScope): string {
	return JSON.stringify([scope.clientId, scope.method, scope.path, scope.key]);
}
