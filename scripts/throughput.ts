/**
 * Throughput of the node against the alternatives, on loopback against the reference API, in one run:
 *
 *   1. 2,000 creates at 20 ms API latency, no rate limit: the node in n8n's engine against a raw HTTP client
 *      (undici, keep-alive) at the same concurrency → ratio node / raw.
 *   2. 1,000 creates against a limit of 50 requests/s: elapsed against the ideal N / rate, share of 429s,
 *      failures.
 *   3. The same two workloads through n8n's HTTP Request node in a real n8n: measured by
 *      `npm run throughput:n8n` (scripts/throughputRealN8n.ts), which starts the end-to-end suite's n8n.
 *   4. CPU time per item in the node's process and where it goes, and peak memory for 10,000 items.
 *
 * The API runs in a child process, so that its CPU is not billed to the client being measured. Each figure is
 * the median of several runs. Prints the tables and, unless --quick, writes them into docs/throughput.md
 * between its markers.
 *
 *   npm run throughput               the full run (about six minutes on 2 cores)
 *   npm run throughput -- --quick    one run of each, fewer items, docs untouched
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

import type Table from 'cli-table3';
import { Agent, request } from 'undici';

import { PROJECT_MAPPING, projectFor } from './benchProject';
import { buildIfNeeded } from '../harness/package/build';
import { forEachLimited } from '../nodes/ProjectManagement/reliability/concurrency';
import { DEFAULT_MAX_IN_FLIGHT } from '../nodes/ProjectManagement/actions/settings';
import { PACKAGE_ROOT } from '../harness/package/paths';
import { EngineHarness } from '../harness/engine/engineHarness';
import { CATEGORY_LABELS, cpuShares, type Category } from '../harness/measurement/cpuShares';
import { gc, liveHeapDuring } from '../harness/measurement/liveHeap';
import { startApiProcess, type ApiProcess } from '../harness/referenceApi/apiProcess';
import { writeDocsBlock } from '../harness/report/docsBlock';
import { median } from '../harness/report/median';
import { markdownTable, plainTable } from '../harness/report/tables';
import { DEMO_CREDENTIALS } from '../reference-api/src';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : 3;
const PART1 = { items: QUICK ? 400 : 2000, serialItems: QUICK ? 100 : 200, latencyMs: 20 };
const PART2 = { items: QUICK ? 250 : 1000, ratePerSecond: 50 };
const PART4 = { items: QUICK ? 2000 : 10_000, smallItems: QUICK ? 500 : 2500 };
const COMMAND = `npm run throughput${QUICK ? ' -- --quick' : ''}`;
const DOC = path.join(PACKAGE_ROOT, 'docs', 'throughput.md');

// ---------------------------------------------------------------------------------------------------------------
// The two clients

interface RunOutcome {
	ms: number;
	cpuMs: number;
	created: number;
	failed: number;
}

/** The node in n8n's engine, configured as a user maps a CRM deal onto it; `options` as in its Options. */
async function throughNode(
	harness: EngineHarness,
	prefix: string,
	items: number,
	options: Record<string, number> = {},
): Promise<RunOutcome> {
	const input = Array.from({ length: items }, (_, index) => projectFor(prefix, index));
	const cpu = process.cpuUsage();
	const started = performance.now();
	const result = await harness.run({
		items: input,
		credentialId: 'bench',
		settings: { onError: 'continueRegularOutput' },
		parameters: { ...PROJECT_MAPPING, options },
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
	const input = Array.from({ length: items }, (_, index) => projectFor('memory', index));
	return await harness.run({
		items: input,
		credentialId: 'bench',
		parameters: {
			name: '={{ $json.name }}',
			additionalFields: { description: '={{ $json.description }}' },
			options,
		},
	});
}

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
			const body = JSON.stringify(projectFor(prefix, index));
			const key = randomUUID();
			for (let attempt = 1; attempt <= 20; attempt++) {
				const response = await request(`${url}/api/v1/projects`, {
					method: 'POST',
					dispatcher: agent,
					headers: {
						'content-type': 'application/json',
						accept: 'application/json',
						'x-api-key': DEMO_CREDENTIALS.apiKey,
						'idempotency-key': key,
					},
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

// ---------------------------------------------------------------------------------------------------------------
// Measuring

async function medianOf(runs: number, once: (run: number) => Promise<RunOutcome>) {
	const outcomes: RunOutcome[] = [];
	for (let run = 0; run < runs; run++) outcomes.push(await once(run));
	return {
		ms: median(outcomes.map((outcome) => outcome.ms)),
		cpuMs: median(outcomes.map((outcome) => outcome.cpuMs)),
		failed: Math.max(...outcomes.map((outcome) => outcome.failed)),
	};
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

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

// ---------------------------------------------------------------------------------------------------------------
// The parts

async function part1(harness: EngineHarness, server: ApiProcess): Promise<Section> {
	const { api } = server;
	await api.resetAndConfigure({ latencyMs: PART1.latencyMs, rateLimit: { enabled: false } });
	const table = plainTable([
		'concurrency',
		'items',
		'raw undici ms/item',
		'node ms/item',
		'node / raw',
		'node speed-up over its own concurrency 1',
		'node failures',
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
	let serialNodeMsPerItem = 0;
	for (const row of rows) {
		const raw = await medianOf(RUNS, async (run) => {
			await api.reset();
			return await rawClient(api.url, `raw ${row.label} ${run}`, row.items, row.concurrency);
		});
		const node = await medianOf(RUNS, async (run) => {
			await api.reset();
			return await throughNode(harness, `node ${row.label} ${run}`, row.items, row.options);
		});
		const rawPerItem = raw.ms / row.items;
		const nodePerItem = node.ms / row.items;
		if (row.concurrency === 1) serialNodeMsPerItem = nodePerItem;
		table.push([
			row.label,
			String(row.items),
			fixed(rawPerItem),
			fixed(nodePerItem),
			fixed(nodePerItem / rawPerItem),
			row.concurrency === 1 ? '1.0' : fixed(serialNodeMsPerItem / nodePerItem, 1),
			String(node.failed),
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
	]);
	return {
		title: `1 · ${PART1.items.toLocaleString('en')} creates at ${PART1.latencyMs} ms API latency, no rate limit`,
		table,
		notes: [
			`Concurrency 1 runs ${PART1.serialItems} items (the time per item does not depend on the count when items go one at a time); the others ${PART1.items}. Each figure is the median of ${RUNS} run(s).`,
		],
	};
}

async function part2(harness: EngineHarness, server: ApiProcess): Promise<Section> {
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
	const measureWith = async (label: string, once: (run: number) => Promise<RunOutcome>) => {
		const runs: Array<RunOutcome & { share429: number }> = [];
		for (let run = 0; run < RUNS; run++) {
			await api.resetAndConfigure({
				latencyMs: 0,
				rateLimit: { enabled: true, capacity: rate, refillPerSecond: rate },
			});
			const outcome = await once(run);
			const requests = (await api.requests()).filter((entry) => entry.method === 'POST');
			const refused = requests.filter((entry) => entry.status === 429).length;
			runs.push({ ...outcome, share429: requests.length ? refused / requests.length : 0 });
		}
		const ms = median(runs.map((run) => run.ms));
		table.push([
			label,
			String(PART2.items),
			fixed(ms / 1000, 1),
			fixed(idealMs / 1000, 1),
			fixed(ms / idealMs),
			`${fixed(median(runs.map((run) => run.share429)) * 100, 1)} %`,
			String(Math.max(...runs.map((run) => run.failed))),
		]);
	};
	await measureWith('the node, default options', (run) =>
		throughNode(harness, `limited node ${run}`, PART2.items),
	);
	await measureWith(`raw undici, concurrency ${DEFAULT_MAX_IN_FLIGHT}, Retry-After per request`, (run) =>
		rawClient(api.url, `limited raw ${run}`, PART2.items, DEFAULT_MAX_IN_FLIGHT, true),
	);
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

async function part4(harness: EngineHarness, server: ApiProcess): Promise<Section[]> {
	const { api } = server;
	await api.resetAndConfigure({ latencyMs: 0, rateLimit: { enabled: false } });

	const cpuTable = plainTable([
		'client',
		'items',
		'client CPU ms/item',
		'API process CPU ms/item',
		'wall ms/item',
	]);
	const cpuOf = async (label: string, once: () => Promise<RunOutcome>) => {
		const runs: Array<RunOutcome & { serverMs: number }> = [];
		for (let run = 0; run < RUNS; run++) {
			await api.reset();
			gc();
			const before = server.cpuMs();
			const outcome = await once();
			const after = server.cpuMs();
			runs.push({ ...outcome, serverMs: before === undefined || after === undefined ? NaN : after - before });
		}
		const perItem = (value: number) => fixed(value / PART4.items, 3);
		const cpu = median(runs.map((run) => run.cpuMs));
		cpuTable.push([
			label,
			String(PART4.items),
			perItem(cpu),
			perItem(median(runs.map((run) => run.serverMs))),
			perItem(median(runs.map((run) => run.ms))),
		]);
		return cpu / PART4.items;
	};
	const rawCpu = await cpuOf(`raw undici, concurrency ${DEFAULT_MAX_IN_FLIGHT}`, () =>
		rawClient(api.url, 'cpu raw', PART4.items, DEFAULT_MAX_IN_FLIGHT),
	);
	const nodeCpu = await cpuOf('the node in n8n’s engine, default options', () =>
		throughNode(harness, 'cpu node', PART4.items),
	);
	await api.reset();
	const shares = await cpuShares(() => throughNode(harness, 'profiled', PART4.smallItems));
	const sharesTable = plainTable(['where the node run’s CPU goes', 'share', 'ms/item']);
	for (const [category, share] of Object.entries(shares) as Array<[Category, number]>) {
		sharesTable.push([CATEGORY_LABELS[category], `${fixed(share * 100, 1)} %`, fixed(share * nodeCpu, 3)]);
	}

	const memoryTable = plainTable([
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
	for (const [items, maxInFlight] of memoryRuns) {
		await api.reset();
		const figures = await liveHeapDuring(() => throughNodeHolding(harness, items, { maxInFlight }));
		memoryTable.push([
			String(items),
			maxInFlight === DEFAULT_MAX_IN_FLIGHT ? `${maxInFlight} (default)` : String(maxInFlight),
			fixed(figures.peakLiveMb, 1),
			fixed(figures.retainedMb, 1),
			fixed(figures.transientMb, 1),
			fixed((figures.retainedMb * 1024) / items, 2),
			fixed(figures.rssPeakMb, 1),
		]);
	}
	return [
		{
			title: `4 · CPU per item (${PART4.items.toLocaleString('en')} creates, no latency)`,
			table: cpuTable,
			notes: [
				`The node and n8n's engine cost ${fixed(nodeCpu - rawCpu, 3)} ms of CPU per item more than the raw client (${fixed(nodeCpu, 3)} against ${fixed(rawCpu, 3)}). Client CPU: \`process.cpuUsage()\` of this process over the run; the API runs in a child process, whose CPU (from /proc) is shown beside it and is not included. Median of ${RUNS} run(s).`,
			],
		},
		{
			title: `4 · Where the node run's CPU goes (V8 sampling profile of ${PART4.smallItems.toLocaleString('en')} creates)`,
			table: sharesTable,
			notes: [
				"Self time of the sampled functions by the package they belong to, as shares of the samples taken while n8n's thread was not idle, applied to the CPU per item measured above (the profiled run is slower; only its shares are used). Samples are wall time: a native call such as a socket's connect also counts the moments the OS gave the CPU to the API's process, so the HTTP share is an upper bound.",
			],
		},
		{
			title: 'Memory: peak and retained heap for one run of the node',
			table: memoryTable,
			notes: [
				`Live heap of this process (\`--expose-gc\`): a full GC, then \`heapUsed\`, every 100 ms during the run and once after it. "Retained" is what is left while the run's result is still held: n8n's own input, output and run data, which grow with the items whatever the node does. "Transient" is the peak on top of that, a sampled figure that varies by a megabyte or two from run to run. The rows one item at a time (as the node ran before it sent items at once, with the same figures then) show the part that grows with the items: n8n's handling of the output at the end of the run. The difference to the default at the same count is what the items under way cost (${DEFAULT_MAX_IN_FLIGHT} requests, their sockets and answers), which does not grow with the items: the node builds its output in input order as items end, and holds back only those that end before an earlier one. RSS also counts memory V8 keeps after collecting, so it is shown for scale only.`,
			],
		},
	];
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
	if (!(global as { gc?: unknown }).gc)
		console.warn('Run with --expose-gc (npm run throughput does) for memory figures.');
	buildIfNeeded();
	const harness = await EngineHarness.load();
	const server = await startApiProcess();
	harness.setCredential('bench', { baseUrl: server.api.url, apiKey: DEMO_CREDENTIALS.apiKey });
	const sections: Section[] = [];
	const started = Date.now();
	const loadAtStart = os.loadavg()[0];
	try {
		// One warm-up of each client, so that module loading and JIT are not billed to the first measurement.
		await throughNode(harness, 'warm-up', 200);
		await rawClient(server.api.url, 'warm-up raw', 200, 10);
		sections.push(await part1(harness, server));
		sections.push(await part2(harness, server));
		sections.push(...(await part4(harness, server)));
	} finally {
		await server.api.close();
	}
	const seconds = Math.round((Date.now() - started) / 1000);
	for (const section of sections) {
		console.log(`\n${section.title}`);
		console.log(section.table.toString());
		for (const note of section.notes) console.log(note);
	}
	// Other work on the machine slows the wall times (the CPU figures less): the load average says how much.
	const load = `load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;
	const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, ${os.platform()}, ${load}`;
	console.log(`\n${COMMAND}: ${seconds} s on ${machine}`);
	if (QUICK) {
		console.log('--quick: fewer items and one run each; docs/throughput.md left as it was.');
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
