import type { RequestLogEntry } from '../../reference-api/src';

/**
 * What the API's request log says about how a burst was paced: the rate the requests arrived at, when the 429s
 * came, how many arrived together right after a hold (a herd), and, in queue mode, each process's share. Each
 * request carries the execution's id (the node sends X-N8N-Execution-Id); which process ran an execution comes
 * from the workers' logs.
 */

export interface ProcessShare {
	name: string;
	requests: number;
	creates: number;
	creates429: number;
	/** The most of its requests that arrived in one second (a sliding window). */
	peakPerSecond: number;
}

export interface BurstDiagnostics {
	/** The most requests that arrived in one second (a sliding window). */
	peakPerSecond: number;
	/** The most requests that arrived within 100 ms: a herd, when it is well above the pace. */
	peakPer100Ms: number;
	/** When the first 429 came, in seconds after the first request; undefined without any. */
	first429AtSeconds?: number;
	/** Requests per second and what they got, second by second: `.` created, `r` replayed or other 2xx, `g` a read, `c` 409 in progress, `x` 429, `!` anything else. */
	timeline: string[];
	byProcess: ProcessShare[];
}

function peakIn(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let peak = 0;
	let from = 0;
	for (let to = 0; to < sorted.length; to++) {
		while (sorted[to] - sorted[from] >= windowMs) from++;
		peak = Math.max(peak, to - from + 1);
	}
	return peak;
}

function mark(entry: RequestLogEntry): string {
	if (entry.status === 429) return 'x';
	if (entry.status === 409) return 'c';
	if (entry.method === 'GET') return entry.status < 300 ? 'g' : '!';
	if (entry.status === 201) return '.';
	return entry.status >= 200 && entry.status < 300 ? 'r' : '!';
}

export function burstDiagnostics(
	log: RequestLogEntry[],
	processOf: (executionId: string | null) => string = () => 'n8n',
): BurstDiagnostics {
	const api = log.filter((entry) => entry.route.startsWith('/api/v1'));
	if (!api.length) return { peakPerSecond: 0, peakPer100Ms: 0, timeline: [], byProcess: [] };
	const start = Math.min(...api.map((entry) => entry.receivedAt));
	const seconds: string[] = [];
	for (const entry of [...api].sort((a, b) => a.receivedAt - b.receivedAt)) {
		const second = Math.floor((entry.receivedAt - start) / 1000);
		seconds[second] = (seconds[second] ?? '') + mark(entry);
	}
	const first429 = api.filter((entry) => entry.status === 429).map((entry) => entry.receivedAt);
	const groups = new Map<string, RequestLogEntry[]>();
	for (const entry of api) {
		const name = processOf(entry.executionId);
		groups.set(name, [...(groups.get(name) ?? []), entry]);
	}
	const isCreate = (entry: RequestLogEntry) => entry.method === 'POST' && entry.route === '/api/v1/projects';
	return {
		peakPerSecond: peakIn(
			api.map((entry) => entry.receivedAt),
			1000,
		),
		peakPer100Ms: peakIn(
			api.map((entry) => entry.receivedAt),
			100,
		),
		first429AtSeconds: first429.length ? (Math.min(...first429) - start) / 1000 : undefined,
		timeline: Array.from(seconds, (marks, second) => `${String(second).padStart(3)} ${marks ?? ''}`),
		byProcess: [...groups.entries()]
			.sort(([a], [b]) => a.localeCompare(b))
			.map(([name, entries]) => ({
				name,
				requests: entries.length,
				creates: entries.filter(isCreate).length,
				creates429: entries.filter((entry) => isCreate(entry) && entry.status === 429).length,
				peakPerSecond: peakIn(
					entries.map((entry) => entry.receivedAt),
					1000,
				),
			})),
	};
}
