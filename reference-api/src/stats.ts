import { FAULT_CLASSES, type FaultClass } from './config';

export interface RequestLogEntry {
	seq: number;
	/** When the answer was sent (or the connection dropped); for a held response, when the hold began. */
	at: number;
	/** When the request arrived. */
	receivedAt: number;
	method: string;
	route: string;
	/** 0 when the connection was reset instead of answered. */
	status: number;
	clientId: string | null;
	idempotencyKey: string | null;
	fault: FaultClass | null;
	retryAfterSeconds: number | null;
	/** With Retry-After: the earliest moment a retry honouring it may arrive (delta from when it was sent, or the HTTP-date). */
	retryNotBefore: number | null;
	replayed: boolean;
	/** The `X-N8N-Execution-Id` header, when the client sent one (the n8n node does), to tell racing executions apart. */
	executionId: string | null;
}

export const REQUEST_LOG_LIMIT = 200_000;

export class Stats {
	total = 0;
	byStatus: Record<string, number> = {};
	byRoute: Record<string, number> = {};
	replays = 0;
	inFlightConflicts = 0;
	keyMismatches = 0;
	tokensIssued = 0;
	faultsInjected: Record<FaultClass, number> = zeroFaults();
	/** API requests received and not yet answered (or dropped), and the most there were at once. */
	inFlight = 0;
	maxInFlight = 0;
	/**
	 * Requests held by a fault (slow before commit, answer held after commit, waiting to be overtaken) whose
	 * handler has not gone on yet, whether or not their client still waits: while any is held, what the server
	 * holds or logs can still change.
	 */
	held = 0;
	private log: RequestLogEntry[] = [];
	private seq = 0;

	record(entry: Omit<RequestLogEntry, 'seq' | 'at'>): void {
		this.total++;
		const statusKey = entry.status === 0 ? 'reset' : String(entry.status);
		this.byStatus[statusKey] = (this.byStatus[statusKey] ?? 0) + 1;
		const routeKey = `${entry.method} ${entry.route}`;
		this.byRoute[routeKey] = (this.byRoute[routeKey] ?? 0) + 1;
		if (entry.replayed) this.replays++;
		if (entry.fault) this.faultsInjected[entry.fault]++;
		this.log.push({ seq: ++this.seq, at: Date.now(), ...entry });
		// Trimming in chunks keeps appends amortised O(1) while never holding much more than the limit.
		if (this.log.length > REQUEST_LOG_LIMIT + 10_000) this.log = this.log.slice(-REQUEST_LOG_LIMIT);
	}

	requestArrived(): void {
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
	}

	requestEnded(): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
	}

	entriesSince(since: number): RequestLogEntry[] {
		const entries = this.log.length > REQUEST_LOG_LIMIT ? this.log.slice(-REQUEST_LOG_LIMIT) : this.log;
		let low = 0;
		let high = entries.length;
		while (low < high) {
			const mid = (low + high) >>> 1;
			if (entries[mid].seq <= since) low = mid + 1;
			else high = mid;
		}
		return entries.slice(low);
	}

	reset(): void {
		this.total = 0;
		this.byStatus = {};
		this.byRoute = {};
		this.replays = 0;
		this.inFlightConflicts = 0;
		this.keyMismatches = 0;
		this.tokensIssued = 0;
		this.faultsInjected = zeroFaults();
		// Requests still under way stay counted; the high-water mark starts again from them.
		this.maxInFlight = this.inFlight;
		this.log = [];
		// seq keeps counting so that a poller holding an old `since` still sees what comes next.
	}
}

function zeroFaults(): Record<FaultClass, number> {
	return Object.fromEntries(FAULT_CLASSES.map((name) => [name, 0])) as Record<FaultClass, number>;
}
