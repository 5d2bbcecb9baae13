/**
 * Throughput of the node against the alternatives, on loopback against the reference API, in one run, with the
 * expression engine n8n 2.x runs (`vm`: an isolate per execution) and, beside it, the `legacy` one:
 *
 *   1. 2,000 creates at 20 ms API latency, no rate limit: the node in n8n's engine against a raw HTTP client
 *      (undici, keep-alive) at the same concurrency → ratio node / raw.
 *   2. 1,000 creates against a limit of 50 requests/s: elapsed against the ideal N / rate, share of 429s,
 *      failures.
 *   3. The same two workloads through n8n's HTTP Request node in a real n8n: measured by
 *      `npm run throughput:n8n` (scripts/throughputRealN8n.ts), which starts the end-to-end suite's n8n.
 *   4. CPU time per item in the node's process and where it goes (by package, and by the n8n call the node
 *      makes), what the node asks of n8n per item, and peak memory for 10,000 items.
 *   5. What a new connection per request costs (n8n's request helper opens one for every request): the raw
 *      client with keep-alive and with a new connection per request, beside the node, at concurrency 10.
 *
 * Every item is a CRM deal with six fields mapped by expressions (scripts/benchProject.ts). The API runs in a
 * child process, so that its CPU is not billed to the client being measured. Clients are measured in turn within
 * each run (interleaved), each figure the median of several runs. Prints the tables and, unless --quick, writes
 * them into docs/throughput.md between its markers.
 *
 *   npm run throughput               the full run (about twenty minutes on 2 busy cores)
 *   npm run throughput -- --quick    one run of each, fewer items, docs untouched
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import type Table from 'cli-table3';
import { Agent, request } from 'undici';

import {
	MAPPED_FIELDS,
	PROJECT_AUTO_MAPPING,
	PROJECT_MAPPING,
	dealFor,
	projectBodyFor,
	shapedDealFor,
} from './benchProject';
import { buildIfNeeded } from '../harness/package/build';
import { forEachLimited } from '../nodes/ProjectManagement/reliability/concurrency';
import { DEFAULT_MAX_IN_FLIGHT } from '../nodes/ProjectManagement/actions/settings';
import { PACKAGE_ROOT } from '../harness/package/paths';
import { EngineHarness } from '../harness/engine/engineHarness';
import type { ExpressionEngine } from '../harness/engine/expressionEngine';
import {
	CATEGORY_LABELS,
	categoryShares,
	cpuProfile,
	nodeCallShares,
	type Category,
	type CallShare,
} from '../harness/measurement/cpuShares';
import { gc, liveHeapDuring } from '../harness/measurement/liveHeap';
import { countNodeCalls, timeParameterReads, type ParameterReadCost } from '../harness/measurement/nodeCalls';
import { startApiProcess, type ApiProcess } from '../harness/referenceApi/apiProcess';
import { writeDocsBlock } from '../harness/report/docsBlock';
import { median } from '../harness/report/median';
import { markdownTable, plainTable } from '../harness/report/tables';
import { DEMO_CREDENTIALS } from '../reference-api/src';

/** `--small`: the item counts of --quick, but three runs each (medians of 3), for a machine short of time. */
const SMALL = process.argv.includes('--small');
const QUICK = process.argv.includes('--quick') || SMALL;
const RUNS = QUICK && !SMALL ? 1 : 3;
const PART1 = { items: QUICK ? 400 : 2000, serialItems: QUICK ? 100 : 200, latencyMs: 20 };
const PART2 = { items: QUICK ? 250 : 1000, ratePerSecond: 50 };
const PART4 = { items: QUICK ? 2000 : 10_000, smallItems: QUICK ? 500 : 2500, countedItems: 200 };
const PART5 = { concurrency: 10, items: QUICK ? 400 : 2000, cpuItems: QUICK ? 1000 : 5000, latencyMs: 20 };
const COMMAND = `npm run throughput${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const DOC = path.join(PACKAGE_ROOT, 'docs', 'throughput.md');
const PART6 = { items: QUICK ? 1000 : 5000, profiledItems: QUICK ? 500 : 2500 };
const ENGINES: ExpressionEngine[] = ['vm', 'legacy'];
/** `--only=1,6`: just those parts, to try them out; leaves docs/throughput.md alone. */
const ONLY = process.argv
	.find((arg) => arg.startsWith('--only='))
	?.slice('--only='.length)
	.split(',')
	.map(Number);
const runs = (part: number) => ONLY === undefined || ONLY.includes(part);

// ---------------------------------------------------------------------------------------------------------------
// The clients

interface RunOutcome {
	ms: number;
	cpuMs: number;
	created: number;
	failed: number;
}

type Harnesses = Record<ExpressionEngine, EngineHarness>;

/** How the deal reaches the node: six fields mapped by expressions, or shaped earlier and mapped automatically. */
type Mapping = 'perField' | 'auto';

/**
 * The node in n8n's engine, configured as a user maps a CRM deal onto it; `options` as in its Options. The
 * process is switched to the harness's expression engine before the clock starts.
 */
async function throughNode(
	harness: EngineHarness,
	prefix: string,
	items: number,
	options: Record<string, number> = {},
	mapping: Mapping = 'perField',
): Promise<RunOutcome> {
	const auto = mapping === 'auto';
	const input = Array.from({ length: items }, (_, index) =>
		auto ? shapedDealFor(prefix, index) : dealFor(prefix, index),
	);
	await harness.prepareExpressionEngine();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const result = await harness.run({
		items: input,
		credentialId: 'bench',
		settings: { onError: 'continueRegularOutput' },
		parameters: { ...(auto ? PROJECT_AUTO_MAPPING : PROJECT_MAPPING), options },
	});
	const ms = performance.now() - started;
	const used = process.cpuUsage(cpu);
	const created = result.output.filter((item) => typeof item.json.id === 'string').length;
	return { ms, cpuMs: (used.user + used.system) / 1000, created, failed: items - created };
}

/** Like throughNode, but returns the run itself: what n8n holds afterwards (output and run data). */
async function throughNodeHolding(
	harness: EngineHarness,
	items: number,
	options: Record<string, number>,
): Promise<unknown> {
	const input = Array.from({ length: items }, (_, index) => dealFor('memory', index));
	return await harness.run({
		items: input,
		credentialId: 'bench',
		parameters: { ...PROJECT_MAPPING, options },
	});
}

const headersFor = () => ({
	'content-type': 'application/json',
	accept: 'application/json',
	'x-api-key': DEMO_CREDENTIALS.apiKey,
	'idempotency-key': randomUUID(),
});

/**
 * A raw HTTP client: undici with keep-alive, `concurrency` requests under way, the same body and headers the
 * node sends. With `honourRetryAfter`, a 429 is sent again after its Retry-After (per request, as a careful
 * hand-written client would); without, a 429 counts as a failure.
 */
async function rawClient(
	url: string,
	prefix: string,
	items: number,
	concurrency: number,
	honourRetryAfter = false,
): Promise<RunOutcome> {
	const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
	let created = 0;
	const cpu = process.cpuUsage();
	const started = performance.now();
	try {
		await forEachLimited(items, concurrency, async (index) => {
			const body = JSON.stringify(projectBodyFor(prefix, index));
			const headers = headersFor();
			for (let attempt = 1; attempt <= 20; attempt++) {
				const response = await request(`${url}/api/v1/projects`, {
					method: 'POST',
					dispatcher: agent,
					headers,
					body,
				});
				const json = (await response.body.json()) as { id?: string };
				if (response.statusCode === 201 && json.id) {
					created++;
					return;
				}
				if (response.statusCode !== 429 || !honourRetryAfter) return;
				const seconds = Number(response.headers['retry-after'] ?? 1);
				await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
			}
		});
	} finally {
		await agent.close();
	}
	const ms = performance.now() - started;
	const used = process.cpuUsage(cpu);
	return { ms, cpuMs: (used.user + used.system) / 1000, created, failed: items - created };
}

/**
 * A raw client that opens a new TCP connection for every request, as n8n's request helper does (a new HTTP agent
 * per request): Node's http with a new agent without keep-alive for each request, the same body and headers.
 */
async function rawClientNewConnections(
	url: string,
	prefix: string,
	items: number,
	concurrency: number,
): Promise<RunOutcome> {
	let created = 0;
	const cpu = process.cpuUsage();
	const started = performance.now();
	await forEachLimited(items, concurrency, async (index) => {
		const body = JSON.stringify(projectBodyFor(prefix, index));
		const agent = new http.Agent({ keepAlive: false });
		const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
			const outgoing = http.request(
				`${url}/api/v1/projects`,
				{ method: 'POST', agent, headers: { ...headersFor(), 'content-length': Buffer.byteLength(body) } },
				(incoming) => {
					let text = '';
					incoming.setEncoding('utf8');
					incoming.on('data', (chunk: string) => (text += chunk));
					incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
					incoming.on('error', reject);
				},
			);
			outgoing.on('error', reject);
			outgoing.end(body);
		});
		agent.destroy();
		if (answer.status === 201 && (JSON.parse(answer.text) as { id?: string }).id) created++;
	});
	const ms = performance.now() - started;
	const used = process.cpuUsage(cpu);
	return { ms, cpuMs: (used.user + used.system) / 1000, created, failed: items - created };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface Figures {
	ms: number;
	cpuMs: number;
	failed: number;
	/** The API process's CPU over the runs, when read (ms, median). */
	apiCpuMs: number;
}

/**
 * Runs every client once per run, in turn (interleaved, so that a busy spell on the machine falls on all of them
 * rather than on one), `before` each; answers each client's medians.
 */
async function interleaved<K extends string>(
	server: ApiProcess,
	clients: Record<K, (run: number) => Promise<RunOutcome>>,
	before: () => Promise<unknown> = () => server.api.reset(),
): Promise<Record<K, Figures>> {
	const outcomes = {} as Record<K, Array<RunOutcome & { apiCpuMs: number }>>;
	for (let run = 0; run < RUNS; run++) {
		for (const [name, once] of Object.entries(clients) as Array<[K, (run: number) => Promise<RunOutcome>]>) {
			await before();
			gc();
			const apiBefore = server.cpuMs();
			const outcome = await once(run);
			const apiAfter = server.cpuMs();
			const apiCpuMs = apiBefore === undefined || apiAfter === undefined ? NaN : apiAfter - apiBefore;
			(outcomes[name] ??= []).push({ ...outcome, apiCpuMs });
		}
	}
	const figures = {} as Record<K, Figures>;
	for (const name of Object.keys(clients) as K[]) {
		const runs = outcomes[name];
		figures[name] = {
			ms: median(runs.map((run) => run.ms)),
			cpuMs: median(runs.map((run) => run.cpuMs)),
			apiCpuMs: median(runs.map((run) => run.apiCpuMs)),
			failed: Math.max(...runs.map((run) => run.failed)),
		};
	}
	return figures;
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const loadAverage = () => os.loadavg()[0].toFixed(1);

interface Section {
	title: string;
	table: Table.Table;
	notes: string[];
}

function markdown(section: Section): string {
	const rows = section.table as unknown as string[][];
	const head = (section.table.options.head ?? []) as string[];
	return [
		`### ${section.title}`,
		'',
		markdownTable(
			head,
			rows.map((row) => row.map(String)),
		),
		'',
		...section.notes,
	].join('\n');
}

/** The load average while a section ran: other work on the machine slows the wall times (the CPU figures less). */
async function measured(work: () => Promise<Section[]>): Promise<Section[]> {
	const before = loadAverage();
	const sections = await work();
	const note = `Load average ${before} when this part started, ${loadAverage()} when it ended.`;
	sections[sections.length - 1].notes.push('', note);
	return sections;
}

// ---------------------------------------------------------------------------------------------------------------
// The parts

async function part1(harnesses: Harnesses, server: ApiProcess): Promise<Section> {
	const { api } = server;
	await api.resetAndConfigure({ latencyMs: PART1.latencyMs, rateLimit: { enabled: false } });
	const table = plainTable([
		'concurrency',
		'items',
		'raw undici ms/item',
		'node ms/item, vm',
		'node / raw, vm',
		'node ms/item, legacy',
		'node / raw, legacy',
		'vm: speed-up over its own concurrency 1',
		'node failures (vm, legacy)',
	]);
	const rows: Array<{ label: string; concurrency: number; items: number; options: Record<string, number> }> =
		[
			{ label: '1', concurrency: 1, items: PART1.serialItems, options: { maxInFlight: 1 } },
			{ label: '10', concurrency: 10, items: PART1.items, options: { maxInFlight: 10 } },
			{
				label: `${DEFAULT_MAX_IN_FLIGHT} (the node's default)`,
				concurrency: DEFAULT_MAX_IN_FLIGHT,
				items: PART1.items,
				options: {},
			},
		];
	let serialVmMsPerItem = 0;
	for (const row of rows) {
		const figures = await interleaved(server, {
			raw: (run) => rawClient(api.url, `raw ${row.label} ${run}`, row.items, row.concurrency),
			vm: (run) => throughNode(harnesses.vm, `vm ${row.label} ${run}`, row.items, row.options),
			legacy: (run) => throughNode(harnesses.legacy, `legacy ${row.label} ${run}`, row.items, row.options),
		});
		const perItem = (ms: number) => ms / row.items;
		const raw = perItem(figures.raw.ms);
		const vm = perItem(figures.vm.ms);
		const legacy = perItem(figures.legacy.ms);
		if (row.concurrency === 1) serialVmMsPerItem = vm;
		table.push([
			row.label,
			String(row.items),
			fixed(raw),
			fixed(vm),
			fixed(vm / raw),
			fixed(legacy),
			fixed(legacy / raw),
			row.concurrency === 1 ? '1.0' : fixed(serialVmMsPerItem / vm, 1),
			`${figures.vm.failed}, ${figures.legacy.failed}`,
		]);
	}
	table.push([
		"all items of the run (HTTP Request node's default)",
		String(PART1.items),
		'',
		'part 3: see the last section',
		'',
		'',
		'',
		'',
		'',
	]);
	return {
		title: `1 · ${PART1.items.toLocaleString('en')} creates at ${PART1.latencyMs} ms API latency, no rate limit`,
		table,
		notes: [
			`Each item maps ${MAPPED_FIELDS.length} fields of a CRM deal by expressions (${MAPPED_FIELDS.join(', ')}). vm: the expression engine n8n 2.x runs (an isolate per execution); legacy: n8n-workflow's older one, which a process that never starts vm uses. Concurrency 1 runs ${PART1.serialItems} items (the time per item does not depend on the count when items go one at a time); the others ${PART1.items}. Raw, vm and legacy run in turn; each figure is the median of ${RUNS} run(s).`,
		],
	};
}

async function part2(harnesses: Harnesses, server: ApiProcess): Promise<Section> {
	const { api } = server;
	const rate = PART2.ratePerSecond;
	const idealMs = (PART2.items / rate) * 1000;
	const table = plainTable([
		'client',
		'items',
		'seconds',
		'ideal seconds (N / rate)',
		'ratio',
		'429 share',
		'failures',
	]);
	type Client = 'vm' | 'legacy' | 'raw';
	await api.reset();
	const shares: Record<Client, number[]> = { vm: [], legacy: [], raw: [] };
	let current: Client = 'vm';
	const tracked =
		(client: Client, once: (run: number) => Promise<RunOutcome>) =>
		async (run: number): Promise<RunOutcome> => {
			current = client;
			return await once(run);
		};
	const configure = async () => {
		// The share of 429s of the run before, then a fresh API and bucket for the next.
		const requests = (await api.requests()).filter((entry) => entry.method === 'POST');
		if (requests.length > 0) {
			shares[current].push(requests.filter((entry) => entry.status === 429).length / requests.length);
		}
		await api.resetAndConfigure({
			latencyMs: 0,
			rateLimit: { enabled: true, capacity: rate, refillPerSecond: rate },
		});
	};
	const figures = await interleaved(
		server,
		{
			vm: tracked('vm', (run) => throughNode(harnesses.vm, `limited vm ${run}`, PART2.items)),
			legacy: tracked('legacy', (run) => throughNode(harnesses.legacy, `limited legacy ${run}`, PART2.items)),
			raw: tracked('raw', (run) =>
				rawClient(api.url, `limited raw ${run}`, PART2.items, DEFAULT_MAX_IN_FLIGHT, true),
			),
		},
		configure,
	);
	await configure();
	const labels: Record<Client, string> = {
		vm: 'the node, default options, vm',
		legacy: 'the node, default options, legacy',
		raw: `raw undici, concurrency ${DEFAULT_MAX_IN_FLIGHT}, Retry-After per request`,
	};
	for (const client of ['vm', 'legacy', 'raw'] as Client[]) {
		table.push([
			labels[client],
			String(PART2.items),
			fixed(figures[client].ms / 1000, 1),
			fixed(idealMs / 1000, 1),
			fixed(figures[client].ms / idealMs),
			`${fixed(median(shares[client]) * 100, 1)} %`,
			String(figures[client].failed),
		]);
	}
	await api.reset();
	table.push([
		'HTTP Request node (real n8n, Batching + Retry On Fail)',
		String(PART2.items),
		'part 3: see the last section',
		fixed(idealMs / 1000, 1),
		'',
		'',
		'',
	]);
	return {
		title: `2 · ${PART2.items.toLocaleString('en')} creates against a limit of ${rate} requests/s`,
		table,
		notes: [
			`The API's token bucket holds ${rate} and refills ${rate} a second (\`RateLimit-Policy: "default";q=${rate};w=1\`). 429 share: refused requests / all create requests the API saw. Median of ${RUNS} run(s).`,
		],
	};
}

/** The node's calls in a profile, with what each costs per item given the measured CPU per item. */
function callRows(
	shares: Record<ExpressionEngine, CallShare[]>,
	cpuPerItem: Record<ExpressionEngine, number>,
	top: number,
): string[][] {
	const key = (share: CallShare) => `${share.caller}\u0000${share.callee}`;
	const legacyByKey = new Map(shares.legacy.map((share) => [key(share), share.share]));
	const shown = shares.vm.slice(0, top);
	const rest = (engine: ExpressionEngine) => {
		const keys = new Set(shown.map(key));
		return shares[engine]
			.filter((share) => !keys.has(key(share)))
			.reduce((sum, share) => sum + share.share, 0);
	};
	const row = (label: string, callee: string, vm: number, legacy: number) => [
		label,
		callee,
		`${fixed(vm * 100, 1)} %`,
		fixed(vm * cpuPerItem.vm, 3),
		fixed(legacy * cpuPerItem.legacy, 3),
	];
	return [
		...shown.map((share) => row(share.caller, share.callee, share.share, legacyByKey.get(key(share)) ?? 0)),
		row('everything else', '', rest('vm'), rest('legacy')),
	];
}

async function part4(harnesses: Harnesses, server: ApiProcess): Promise<Section[]> {
	const { api } = server;
	await api.resetAndConfigure({ latencyMs: 0, rateLimit: { enabled: false } });

	const figures = await interleaved(server, {
		raw: () => rawClient(api.url, 'cpu raw', PART4.items, DEFAULT_MAX_IN_FLIGHT),
		vm: () => throughNode(harnesses.vm, 'cpu vm', PART4.items),
		legacy: () => throughNode(harnesses.legacy, 'cpu legacy', PART4.items),
	});
	const perItem = (value: number) => value / PART4.items;
	const cpuTable = plainTable([
		'client',
		'items',
		'client CPU ms/item',
		'API process CPU ms/item',
		'wall ms/item',
	]);
	const labels = {
		raw: `raw undici, concurrency ${DEFAULT_MAX_IN_FLIGHT}`,
		vm: 'the node in n8n’s engine, default options, vm',
		legacy: 'the node in n8n’s engine, default options, legacy',
	};
	for (const client of ['raw', 'vm', 'legacy'] as const) {
		cpuTable.push([
			labels[client],
			String(PART4.items),
			fixed(perItem(figures[client].cpuMs), 3),
			fixed(perItem(figures[client].apiCpuMs), 3),
			fixed(perItem(figures[client].ms), 3),
		]);
	}
	const cpuPerItem = { vm: perItem(figures.vm.cpuMs), legacy: perItem(figures.legacy.cpuMs) };
	const rawCpu = perItem(figures.raw.cpuMs);

	const categories = {} as Record<ExpressionEngine, Record<Category, number>>;
	const calls = {} as Record<ExpressionEngine, CallShare[]>;
	for (const engine of ENGINES) {
		await api.reset();
		await harnesses[engine].prepareExpressionEngine();
		const profile = await cpuProfile(() =>
			throughNode(harnesses[engine], `profiled ${engine}`, PART4.smallItems),
		);
		categories[engine] = categoryShares(profile);
		calls[engine] = nodeCallShares(profile);
	}
	const sharesTable = plainTable([
		'where the node run’s CPU goes',
		'vm share',
		'vm ms/item',
		'legacy share',
		'legacy ms/item',
	]);
	for (const category of Object.keys(CATEGORY_LABELS) as Category[]) {
		sharesTable.push([
			CATEGORY_LABELS[category],
			`${fixed(categories.vm[category] * 100, 1)} %`,
			fixed(categories.vm[category] * cpuPerItem.vm, 3),
			`${fixed(categories.legacy[category] * 100, 1)} %`,
			fixed(categories.legacy[category] * cpuPerItem.legacy, 3),
		]);
	}
	const callsTable = plainTable([
		'the node’s function',
		'what it called',
		'vm share',
		'vm ms/item',
		'legacy ms/item',
	]);
	for (const row of callRows(calls, cpuPerItem, 14)) callsTable.push(row);

	await api.reset();
	await harnesses.vm.prepareExpressionEngine();
	const vmBefore = EngineHarness.engineCounts();
	const counted = await countNodeCalls(() => throughNode(harnesses.vm, 'counted', PART4.countedItems));
	const vmEvaluations = EngineHarness.engineCounts().evaluations - vmBefore.evaluations;
	const requests = (await api.requests()).length;
	const each = (count: number) => fixed(count / PART4.countedItems, 2);
	const countsTable = plainTable(['what the node asks of n8n', 'per item']);
	const parameterCalls = Object.values(counted.parameters).reduce((a, b) => a + b, 0);
	countsTable.push(['getNodeParameter calls', each(parameterCalls)]);
	for (const [name, count] of Object.entries(counted.parameters).sort((a, b) => b[1] - a[1])) {
		countsTable.push([`  getNodeParameter('${name}')`, each(count)]);
	}
	countsTable.push(
		['expressions evaluated (all of n8n’s, the mapped fields among them)', each(counted.evaluations)],
		['  of these through the vm engine’s isolate', each(vmEvaluations)],
		[
			'credential reads (getCredentials: the node’s and n8n’s request helper’s)',
			each(counted.credentialReads),
		],
		['deep copies by n8n-workflow’s deepCopy', each(counted.deepCopies)],
		['HTTP requests the API received', each(requests)],
	);

	const memoryTable = plainTable([
		'engine',
		'items',
		'Max Requests in Flight',
		'live heap peak MB',
		'retained after the run MB (input, output, run data)',
		'transient MB (peak − retained)',
		'KB per item retained',
		'RSS peak growth MB',
	]);
	const memoryRuns: Array<[number, number]> = [
		[PART4.smallItems, 1],
		[PART4.smallItems, DEFAULT_MAX_IN_FLIGHT],
		[PART4.items, 1],
		[PART4.items, DEFAULT_MAX_IN_FLIGHT],
	];
	for (const engine of ENGINES) {
		for (const [items, maxInFlight] of memoryRuns) {
			await api.reset();
			await harnesses[engine].prepareExpressionEngine();
			const memory = await liveHeapDuring(() =>
				throughNodeHolding(harnesses[engine], items, { maxInFlight }),
			);
			memoryTable.push([
				engine,
				String(items),
				maxInFlight === DEFAULT_MAX_IN_FLIGHT ? `${maxInFlight} (default)` : String(maxInFlight),
				fixed(memory.peakLiveMb, 1),
				fixed(memory.retainedMb, 1),
				fixed(memory.transientMb, 1),
				fixed((memory.retainedMb * 1024) / items, 2),
				fixed(memory.rssPeakMb, 1),
			]);
		}
	}
	return [
		{
			title: `4 · CPU per item (${PART4.items.toLocaleString('en')} creates, no latency)`,
			table: cpuTable,
			notes: [
				`With the vm engine, the node and n8n's engine cost ${fixed(cpuPerItem.vm - rawCpu, 3)} ms of CPU per item more than the raw client (${fixed(cpuPerItem.vm, 3)} against ${fixed(rawCpu, 3)}); with legacy ${fixed(cpuPerItem.legacy - rawCpu, 3)} ms more (${fixed(cpuPerItem.legacy, 3)}). vm costs ${fixed(cpuPerItem.vm / cpuPerItem.legacy, 1)} times the CPU of legacy. Client CPU: \`process.cpuUsage()\` of this process over the run, all its threads (the vm engine's isolates included); the API runs in a child process, whose CPU (from /proc) is shown beside it and is not included. Median of ${RUNS} run(s), the three clients in turn.`,
			],
		},
		{
			title: `4 · Where the node run's CPU goes (V8 sampling profile of ${PART4.smallItems.toLocaleString('en')} creates)`,
			table: sharesTable,
			notes: [
				"Self time of the sampled functions by the package they belong to, as shares of the samples taken while n8n's thread was not idle, applied to the CPU per item measured above (the profiled run is slower; only its shares are used). Samples are wall time: a native call such as a socket's connect also counts the moments the OS gave the CPU to the API's process, so the HTTP share is an upper bound. With vm, n8n's thread waits in isolated-vm's evalClosureSync while the isolate runs the expression; those samples count as expressions.",
			],
		},
		{
			title: "4 · Inside the node's calls: what each costs per item",
			table: callsTable,
			notes: [
				"From the same profiles: each sample taken while the node's code was on the stack, by the node's innermost function and the first function it called outside its own code (the package in brackets); \"(its own code)\" is time in the node's code itself. Samples with none of the node's code on the stack (n8n's engine before and after the node, socket events, answers being parsed by axios) are grouped by category. Rows ordered by the vm share; ms/item as above.",
			],
		},
		{
			title: `4 · What the node asks of n8n per item (${PART4.countedItems} creates, counted)`,
			table: countsTable,
			notes: [
				"Counted by wrapping n8n's own methods for one run (harness/measurement/nodeCalls.ts): NodeExecutionContext's _getNodeParameter and _getCredentials, n8n-workflow's Expression.resolveSimpleParameterValue and deepCopy. Each getNodeParameter resolves every expression inside the parameter it reads (a collection: all of its fields), in a new WorkflowDataProxy each time; with vm, each expression is one call into the execution's isolate.",
			],
		},
		{
			title: 'Memory: peak and retained heap for one run of the node',
			table: memoryTable,
			notes: [
				`Live heap of this process (\`--expose-gc\`): a full GC, then \`heapUsed\`, every 100 ms during the run (or four times as long as the last GC took, when GCs are slow) and once after it. With vm, the isolate's own heap (at most 128 MB, n8n's default) is not part of \`heapUsed\`; it shows in RSS only. "Retained" is what is left while the run's result is still held: n8n's own input, output and run data, which grow with the items whatever the node does. "Transient" is the peak on top of that, a sampled figure that varies by a megabyte or two from run to run. The rows one item at a time show the part that grows with the items: n8n's handling of the output at the end of the run. The difference to the default at the same count is what the items under way cost (${DEFAULT_MAX_IN_FLIGHT} requests, their sockets and answers), which does not grow with the items. RSS also counts memory V8 keeps after collecting, so it is shown for scale only.`,
			],
		},
	];
}

async function part5(harnesses: Harnesses, server: ApiProcess): Promise<Section> {
	const { api } = server;
	const { concurrency, items, cpuItems, latencyMs } = PART5;
	const clients = (count: number, tag: string) => ({
		keepAlive: (run: number) => rawClient(api.url, `${tag} keep ${run}`, count, concurrency),
		newConnection: (run: number) => rawClientNewConnections(api.url, `${tag} new ${run}`, count, concurrency),
		vm: (run: number) => throughNode(harnesses.vm, `${tag} vm ${run}`, count, { maxInFlight: concurrency }),
		legacy: (run: number) =>
			throughNode(harnesses.legacy, `${tag} legacy ${run}`, count, { maxInFlight: concurrency }),
	});
	const wall = await interleaved(server, clients(items, 'conn'), () =>
		api.resetAndConfigure({ latencyMs, rateLimit: { enabled: false } }),
	);
	const cpu = await interleaved(server, clients(cpuItems, 'conn cpu'), () =>
		api.resetAndConfigure({ latencyMs: 0, rateLimit: { enabled: false } }),
	);
	await api.reset();
	const table = plainTable([
		'client, concurrency 10',
		`wall ms/item, ${latencyMs} ms latency`,
		'node (vm) / this client',
		'client CPU ms/item, no latency',
		'API process CPU ms/item',
	]);
	const labels = {
		keepAlive: 'raw undici, keep-alive (connections reused)',
		newConnection: 'raw node:http, a new connection per request (as n8n’s helper)',
		vm: 'the node in n8n’s engine, vm',
		legacy: 'the node in n8n’s engine, legacy',
	};
	const wallPerItem = (name: keyof typeof labels) => wall[name].ms / items;
	const cpuPerItem = (name: keyof typeof labels) => cpu[name].cpuMs / cpuItems;
	const apiPerItem = (name: keyof typeof labels) => cpu[name].apiCpuMs / cpuItems;
	for (const name of Object.keys(labels) as Array<keyof typeof labels>) {
		table.push([
			labels[name],
			fixed(wallPerItem(name)),
			fixed(wallPerItem('vm') / wallPerItem(name)),
			fixed(cpuPerItem(name), 3),
			fixed(apiPerItem(name), 3),
		]);
	}
	const connectionWall = wallPerItem('newConnection') - wallPerItem('keepAlive');
	const connectionCpu = cpuPerItem('newConnection') - cpuPerItem('keepAlive');
	const connectionApiCpu = apiPerItem('newConnection') - apiPerItem('keepAlive');
	const gapWall = wallPerItem('vm') - wallPerItem('keepAlive');
	const gapCpu = cpuPerItem('vm') - cpuPerItem('keepAlive');
	const failed = Math.max(...Object.values(wall).map((figures) => figures.failed));
	return {
		title: `5 · A new connection per request: what n8n's request helper costs (concurrency ${concurrency})`,
		table,
		notes: [
			`n8n 2.41's request helper builds a new HTTP agent for every request, so every request opens a new TCP connection; no option of a community node changes that. A raw client that does the same needs ${fixed(connectionWall, 2)} ms more per item at ${latencyMs} ms latency (${fixed(wallPerItem('newConnection'), 2)} against ${fixed(wallPerItem('keepAlive'), 2)}) and ${fixed(connectionCpu, 3)} ms more CPU per item in the client (the API's process ${fixed(connectionApiCpu, 3)} ms more), which is what the node would gain per item if n8n reused connections.`,
			'',
			`The node (vm) against the keep-alive client: ${fixed(gapWall, 2)} ms per item of wall time and ${fixed(gapCpu, 3)} ms of CPU. Of the CPU gap, the new connection per request (n8n's helper) explains ${fixed(connectionCpu, 3)} ms (${fixed((connectionCpu / gapCpu) * 100, 0)} %); the rest, ${fixed(gapCpu - connectionCpu, 3)} ms, is n8n's expressions and engine and the node's own code, split by the profile in part 4. ${items} items for wall time, ${cpuItems} without latency for CPU, the four clients in turn, medians of ${RUNS} run(s); failures: ${failed}.`,
		],
	};
}

/** What a sample of the node's calls is: the node's own code, its parameter reads, or other work. */
function ownWorkOf(share: CallShare): 'own' | 'parameters' | 'request' | 'otherCalls' | 'outside' {
	if (share.caller.startsWith('(n8n, outside')) return 'outside';
	if (share.callee === '(its own code)') return 'own';
	if (/NodeParameter/.test(share.callee)) return 'parameters';
	if (/httpRequest|[Rr]equestWith|axios|OutboundHttp/.test(share.callee)) return 'request';
	return 'otherCalls';
}

async function part6(harnesses: Harnesses, server: ApiProcess): Promise<Section> {
	const { api } = server;
	const { items, profiledItems } = PART6;
	const harness = harnesses.vm;
	const figures = await interleaved(
		server,
		{
			perField: (run) => throughNode(harness, `own field ${run}`, items, {}, 'perField'),
			auto: (run) => throughNode(harness, `own auto ${run}`, items, {}, 'auto'),
		},
		() => api.resetAndConfigure({ latencyMs: 0, rateLimit: { enabled: false } }),
	);
	const mappings: Mapping[] = ['perField', 'auto'];
	const split = {} as Record<Mapping, Record<ReturnType<typeof ownWorkOf>, number>>;
	const top = {} as Record<Mapping, CallShare[]>;
	for (const mapping of mappings) {
		await api.reset();
		await harness.prepareExpressionEngine();
		const profile = await cpuProfile(() =>
			throughNode(harness, `own profiled ${mapping}`, profiledItems, {}, mapping),
		);
		const shares = nodeCallShares(profile);
		split[mapping] = { own: 0, parameters: 0, request: 0, otherCalls: 0, outside: 0 };
		for (const share of shares) split[mapping][ownWorkOf(share)] += share.share;
		top[mapping] = shares.filter((share) => ownWorkOf(share) === 'otherCalls').slice(0, 3);
	}
	// The parameter reads timed directly, in a run of their own (median of the runs).
	const reads = {} as Record<Mapping, ParameterReadCost>;
	for (const mapping of mappings) {
		const timed: ParameterReadCost[] = [];
		for (let run = 0; run < RUNS; run++) {
			await api.reset();
			await harness.prepareExpressionEngine();
			timed.push(
				await timeParameterReads(() =>
					throughNode(harness, `own timed ${mapping} ${run}`, profiledItems, {}, mapping),
				),
			);
		}
		reads[mapping] = {
			calls: median(timed.map((cost) => cost.calls)),
			wallMs: median(timed.map((cost) => cost.wallMs)),
			cpuMs: median(timed.map((cost) => cost.cpuMs)),
		};
	}
	await api.reset();
	const cpu = (mapping: Mapping) => figures[mapping].cpuMs / items;
	const ms = (mapping: Mapping, part: ReturnType<typeof ownWorkOf>) => split[mapping][part] * cpu(mapping);
	const table = plainTable([
		'vm engine, default options, no latency',
		'six fields mapped by expressions',
		'Map Automatically (item shaped earlier)',
	]);
	const row = (label: string, value: (mapping: Mapping) => string) =>
		table.push([label, value('perField'), value('auto')]);
	row('CPU ms/item, the whole run', (mapping) => fixed(cpu(mapping), 3));
	row('wall ms/item', (mapping) => fixed(figures[mapping].ms / items, 3));
	row("the node's own code, ms/item", (mapping) => fixed(ms(mapping, 'own'), 3));
	row('its parameter reads (getNodeParameter, the expressions in them), ms/item', (mapping) =>
		fixed(ms(mapping, 'parameters'), 3),
	);
	row("**the node's own code and its parameter reads**, ms/item (profile)", (mapping) =>
		fixed(ms(mapping, 'own') + ms(mapping, 'parameters'), 3),
	);
	row('getNodeParameter calls per item (timed run)', (mapping) =>
		fixed(reads[mapping].calls / profiledItems, 1),
	);
	row(
		'parameter reads timed: CPU ms/item (wall ms/item)',
		(mapping) =>
			`${fixed(reads[mapping].cpuMs / profiledItems, 3)} (${fixed(reads[mapping].wallMs / profiledItems, 3)})`,
	);
	row("**the node's own code (profile) and its parameter reads (timed CPU)**, ms/item", (mapping) =>
		fixed(ms(mapping, 'own') + reads[mapping].cpuMs / profiledItems, 3),
	);
	row('CPU ms/item more than Map Automatically', (mapping) => fixed(cpu(mapping) - cpu('auto'), 3));
	row("n8n's request helper called by the node (axios, agent, credential), ms/item", (mapping) =>
		fixed(ms(mapping, 'request'), 3),
	);
	row("the node's other calls into n8n and libraries, ms/item", (mapping) =>
		fixed(ms(mapping, 'otherCalls'), 3),
	);
	row("n8n outside the node's calls (engine, sockets, parsing answers), ms/item", (mapping) =>
		fixed(ms(mapping, 'outside'), 3),
	);
	row('failures', (mapping) => String(figures[mapping].failed));
	const named = (mapping: Mapping) =>
		top[mapping]
			.map((share) => `${share.caller} → ${share.callee} ${fixed(share.share * cpu(mapping), 3)}`)
			.join('; ');
	return {
		title: `6 · The node's own work per item, vm engine: mapped by expressions against Map Automatically (${items.toLocaleString('en')} creates)`,
		table,
		notes: [
			`CPU per item: \`process.cpuUsage()\` over a run of ${items} creates without latency, the two mappings in turn, medians of ${RUNS} run(s). The split applies the shares of a V8 sampling profile of ${profiledItems} creates of each (part 4's "inside the node's calls", grouped): samples in the node's own functions; samples inside getNodeParameter called by the node (with vm, the isolate evaluating the expressions); inside n8n's request helper; other calls the node makes (largest: per-field ${named('perField') || 'none'}; Map Automatically ${named('auto') || 'none'}); and samples with no node code on the stack. Timed: each getNodeParameter the node makes wrapped for ${profiledItems} creates of each mapping (medians of ${RUNS} run(s)), wall time and the process's CPU (all threads, so with vm the isolate's work) inside it; it is synchronous, so n8n's thread did nothing else meanwhile. The timed CPU is the better figure for the parameter reads: the profile's samples are wall time, and on a busy machine they also count the moments the waiting thread was not scheduled. With Map Automatically the item is shaped by an earlier node, whose cost is not in this node's run.`,
		],
	};
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
	if (!(global as { gc?: unknown }).gc)
		console.warn('Run with --expose-gc (npm run throughput does) for memory figures.');
	buildIfNeeded();
	const harnesses: Harnesses = {
		vm: await EngineHarness.load({ expressionEngine: 'vm' }),
		legacy: await EngineHarness.load({ expressionEngine: 'legacy' }),
	};
	const server = await startApiProcess();
	for (const harness of Object.values(harnesses)) {
		harness.setCredential('bench', { baseUrl: server.api.url, apiKey: DEMO_CREDENTIALS.apiKey });
	}
	const sections: Section[] = [];
	const started = Date.now();
	const loadAtStart = loadAverage();
	try {
		// One warm-up of each client, so that module loading and JIT are not billed to the first measurement.
		for (const engine of ENGINES) await throughNode(harnesses[engine], `warm-up ${engine}`, 200);
		await rawClient(server.api.url, 'warm-up raw', 200, 10);
		await rawClientNewConnections(server.api.url, 'warm-up new', 200, 10);
		if (runs(1)) sections.push(...(await measured(async () => [await part1(harnesses, server)])));
		if (runs(2)) sections.push(...(await measured(async () => [await part2(harnesses, server)])));
		if (runs(4)) sections.push(...(await measured(() => part4(harnesses, server))));
		if (runs(5)) sections.push(...(await measured(async () => [await part5(harnesses, server)])));
		if (runs(6)) sections.push(...(await measured(async () => [await part6(harnesses, server)])));
	} finally {
		await server.api.close();
		await EngineHarness.stopExpressionEngine();
	}
	const seconds = Math.round((Date.now() - started) / 1000);
	for (const section of sections) {
		console.log(`\n${section.title}`);
		console.log(section.table.toString());
		for (const note of section.notes) console.log(note);
	}
	const load = `load average ${loadAtStart} at the start, ${loadAverage()} at the end`;
	const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, ${os.platform()}, ${load}`;
	console.log(`\n${COMMAND}: ${seconds} s on ${machine}`);
	if (SMALL && ONLY !== undefined) {
		// Fewer items, medians of 3, some parts: into a block of their own, beside the full run's.
		writeDocsBlock(DOC, {
			name: 'throughput-small',
			writtenBy: 'scripts/throughput.ts --small --only=…',
			content: [
				'',
				`Made with \`${COMMAND}\` (${seconds} s) on ${machine}, ${new Date().toISOString().slice(0, 10)}: fewer items than the full run, medians of ${RUNS} runs.`,
				'',
				...sections.map((section) => `${markdown(section)}\n`),
			].join('\n'),
		});
		console.log(`Figures written to ${path.relative(PACKAGE_ROOT, DOC)}.`);
		return;
	}
	if (QUICK || ONLY !== undefined) {
		console.log('--quick or --only: docs/throughput.md left as it was.');
		return;
	}
	writeDocsBlock(DOC, {
		name: 'throughput',
		writtenBy: 'scripts/throughput.ts',
		content: [
			'',
			`Made with \`${COMMAND}\` (${seconds} s) on ${machine}, ${new Date().toISOString().slice(0, 10)}.`,
			'',
			...sections.map((section) => `${markdown(section)}\n`),
		].join('\n'),
	});
	console.log(`Figures written to ${path.relative(PACKAGE_ROOT, DOC)}.`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
