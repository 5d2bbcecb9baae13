/**
 * Throughput, part 3: the workloads of `npm run throughput` in a real n8n (the end-to-end suite's n8n 2.x, its
 * default expression engine, vm), through n8n's own HTTP Request node set up the way users set it up, beside this
 * package's node with its defaults, on the same CRM deals with the same six fields mapped by expressions
 * (scripts/benchProject.ts), against the same reference API.
 *
 * One n8n serves every run. Time is each node's execution time from n8n's run data; CPU is n8n's process's over
 * the whole execution (/proc, all threads), and, with the CPU of the same workflow without the node taken off,
 * the node's. Failures and duplicates are counted at the API. The contenders run in turn within each round
 * (interleaved), each figure the median of several rounds. Writes its table into docs/throughput.md between its
 * markers unless --quick.
 *
 *   npm run throughput:n8n               three rounds (about twenty minutes; installs n8n first if needed)
 *   npm run throughput:n8n -- --quick    one round, fewer items, docs untouched
 */
import os from 'node:os';
import path from 'node:path';

import {
	HTTP_REQUEST_JSON_BODY,
	MAPPED_FIELDS,
	PROJECT_AUTO_MAPPING,
	PROJECT_MAPPING,
	dealFor,
	shapedDealFor,
} from './benchProject';
import { PACKAGE_ROOT } from '../harness/package/paths';
import {
	RealN8nBench,
	type BenchMapping,
	type Contender,
	type RealN8nFigures,
} from '../harness/realN8n/throughputBench';
import { ReferenceApi } from '../harness/referenceApi/client';
import { writeDocsBlock } from '../harness/report/docsBlock';
import { median } from '../harness/report/median';
import { markdownTable, plainTable } from '../harness/report/tables';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : 3;
const LATENCY = { items: QUICK ? 400 : 2000, latencyMs: 20 };
const RATE_LIMITED = { items: QUICK ? 250 : 1000, ratePerSecond: 50 };
/** `--latency-only`: the latency workload alone (the rate-limited one takes as long again). */
const LATENCY_ONLY = process.argv.includes('--latency-only');
const COMMAND = `npm run throughput:n8n${QUICK || LATENCY_ONLY ? ' --' : ''}${QUICK ? ' --quick' : ''}${LATENCY_ONLY ? ' --latency-only' : ''}`;
const DOC = path.join(PACKAGE_ROOT, 'docs', 'throughput.md');

const MAPPING: BenchMapping = {
	rows: (tag, count) => Array.from({ length: count }, (_, index) => dealFor(tag, index + 1)),
	shapedRows: (tag, count) => Array.from({ length: count }, (_, index) => shapedDealFor(tag, index + 1)),
	projectParameters: PROJECT_MAPPING,
	autoMappedParameters: PROJECT_AUTO_MAPPING,
	httpJsonBody: HTTP_REQUEST_JSON_BODY,
};

const ITEMS_ONLY: Contender = { kind: 'itemsOnly', label: 'the items alone (no node sending them)' };
const OURS: Contender = { kind: 'projectManagement', label: 'Project Management node, defaults' };
const AUTO: Contender = {
	kind: 'projectManagement',
	label: 'Project Management node, defaults, Map Automatically',
	mapAutomatically: true,
};
const latencyContenders: Contender[] = [
	OURS,
	AUTO,
	{
		kind: 'httpRequest',
		label: 'HTTP Request node, defaults, key as a header parameter',
		auth: 'headerParameter',
		retryOnFail: false,
	},
	{
		kind: 'httpRequest',
		label: 'HTTP Request node, defaults, Header Auth credential',
		auth: 'headerAuthCredential',
		retryOnFail: false,
	},
];
const rateContenders: Contender[] = [
	OURS,
	{
		kind: 'httpRequest',
		label: 'HTTP Request node, Header Auth credential, Retry On Fail',
		auth: 'headerAuthCredential',
		retryOnFail: true,
	},
	{
		kind: 'httpRequest',
		label: 'HTTP Request node, Header Auth credential, Batching 50 per 1 s, Retry On Fail',
		auth: 'headerAuthCredential',
		batching: { batchSize: 50, batchInterval: 1000 },
		retryOnFail: true,
	},
];

interface Row {
	workload: string;
	label: string;
	items: number;
	ms: number;
	cpuMs: number;
	/** The node's own CPU: the execution's less the same workflow's without the node (median of the rounds). */
	nodeCpuMs: number;
	failures: number;
	duplicates: number;
	share429: number;
	runs: number;
	failedRuns: number;
}

/**
 * Runs `once` again (at most twice more) when a connection to n8n or the API was reset: on the busy machine a
 * kept-alive connection is now and then closed by the server as the client reuses it. The run is then repeated
 * from a fresh API; a reset is logged.
 */
async function withRetryOnReset<T>(once: (attempt: number) => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await once(attempt);
		} catch (error) {
			const reset =
				(error instanceof TypeError && /fetch failed/.test(error.message)) || /HTTP 503/.test(String(error));
			if (!reset || attempt >= 3) throw error;
			console.log(
				`  (a connection was reset: ${String((error as { cause?: unknown }).cause)}; running it again)`,
			);
		}
	}
}

/** Every contender of a workload once per round, in turn, with the workflow without the node among them. */
async function workload(
	bench: RealN8nBench,
	api: ReferenceApi,
	name: string,
	contenders: Contender[],
	items: number,
	configure: () => Promise<unknown>,
): Promise<Row[]> {
	const all = [ITEMS_ONLY, ...contenders];
	const runs = new Map<Contender, RealN8nFigures[]>(all.map((contender) => [contender, []]));
	for (let round = 0; round < RUNS; round++) {
		for (const contender of all) {
			const tag = `${name.slice(0, 4)}${contender.label.replace(/[^A-Za-z]/g, '').slice(0, 24)}${round}`;
			const figures = await withRetryOnReset(async (attempt) => {
				await api.reset();
				await configure();
				return await bench.run(contender, items, attempt === 1 ? tag : `${tag}r${attempt}`);
			});
			runs.get(contender)!.push(figures);
			console.log(
				`  ${name} | ${contender.label} | round ${round + 1}: node ${Math.round(figures.ms)} ms, n8n CPU ${Math.round(figures.cpuMs)} ms, ` +
					`${figures.failures} failed, ${figures.duplicates} duplicates, ${(figures.share429 * 100).toFixed(1)} % 429` +
					`${figures.workflowError ? ` (workflow failed: ${figures.workflowError.split('\n')[0].slice(0, 120)})` : ''}`,
			);
		}
	}
	const baseline = median(runs.get(ITEMS_ONLY)!.map((run) => run.cpuMs));
	return contenders.map((contender) => {
		const figures = runs.get(contender)!;
		const cpuMs = median(figures.map((run) => run.cpuMs));
		return {
			workload: name,
			label: contender.label,
			items,
			ms: median(figures.map((run) => run.ms)),
			cpuMs,
			nodeCpuMs: cpuMs - baseline,
			failures: median(figures.map((run) => run.failures)),
			duplicates: median(figures.map((run) => run.duplicates)),
			share429: median(figures.map((run) => run.share429)),
			runs: figures.length,
			failedRuns: figures.filter((run) => run.workflowError !== undefined).length,
		};
	});
}

async function main() {
	const api = await ReferenceApi.start();
	const loadAtStart = os.loadavg()[0];
	const started = Date.now();
	let bench: RealN8nBench | undefined;
	try {
		bench = await RealN8nBench.start(api, MAPPING);
		console.log(`n8n ${bench.version}, ${RUNS} round(s)`);
		const idle = await bench.idleCpuMsPerSecond();
		const rows: Row[] = [];
		rows.push(
			...(await workload(
				bench,
				api,
				`${LATENCY.items} creates, ${LATENCY.latencyMs} ms latency`,
				latencyContenders,
				LATENCY.items,
				() => api.configure({ latencyMs: LATENCY.latencyMs, rateLimit: { enabled: false } }),
			)),
		);
		const rate = RATE_LIMITED.ratePerSecond;
		if (!LATENCY_ONLY)
			rows.push(
				...(await workload(
					bench,
					api,
					`${RATE_LIMITED.items} creates, ${rate} requests/s limit`,
					rateContenders,
					RATE_LIMITED.items,
					() =>
						api.configure({
							latencyMs: 0,
							rateLimit: { enabled: true, capacity: rate, refillPerSecond: rate },
						}),
				)),
			);
		const seconds = Math.round((Date.now() - started) / 1000);
		const load = `load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;
		const markdown = render(rows, bench.version, seconds, load, idle);
		console.log(`\n${markdown}`);
		if (!QUICK) writeDoc(markdown);
	} finally {
		await bench?.stop();
		await api.close();
	}
}

function render(rows: Row[], version: string, seconds: number, load: string, idleCpu: number): string {
	const ours = (row: Row) =>
		rows.find((other) => other.workload === row.workload && other.label === OURS.label);
	const perItem = (ms: number, items: number) => (ms / items).toFixed(2);
	const cells = rows.map((row) => {
		const mine = ours(row);
		const ratio = (value: number, base: number | undefined) =>
			base !== undefined && base > 0 ? (value / base).toFixed(2) : '–';
		const failed = `${row.failures}${row.failedRuns ? ` (workflow failed in ${row.failedRuns} of ${row.runs})` : ''}`;
		return [
			row.workload,
			row.label,
			`${(row.ms / 1000).toFixed(1)} s`,
			ratio(row.ms, mine?.ms),
			perItem(row.cpuMs, row.items),
			perItem(row.nodeCpuMs, row.items),
			ratio(row.nodeCpuMs, mine?.nodeCpuMs),
			failed,
			String(row.duplicates),
			`${(row.share429 * 100).toFixed(1)} %`,
		];
	});
	const head = [
		'Workload',
		'Contender',
		'Node time',
		"Time / this node's",
		'n8n CPU ms/item',
		"the node's CPU ms/item",
		"CPU / this node's",
		'Failed items',
		'Duplicates',
		'429 share',
	];
	const table = plainTable(head);
	table.push(...cells);
	console.log(table.toString());
	const goals = goalLines(rows);
	for (const line of goals) console.log(line);
	return [
		`Measured with \`${COMMAND}\` (${seconds} s) in n8n ${version} (the end-to-end suite's install, Node 24, its default expression engine, vm), ${RUNS} round(s) with the contenders in turn, medians; ${load}, ${new Date().toISOString().slice(0, 10)}:`,
		'',
		markdownTable(head, cells, [2, 3, 4, 5, 6, 7, 8, 9]),
		'',
		...goals,
		'',
		`Every item is a CRM deal with ${MAPPED_FIELDS.length} fields mapped by expressions (${MAPPED_FIELDS.join(', ')}): in this node one parameter each, in the HTTP Request node one JSON body with an expression for each field. n8n CPU: n8n's process (user + system, all threads, from /proc) over the whole execution, from the request that starts it until n8n lists it as ended: the Manual Trigger, the items made by Edit Fields and Split Out, the node, and saving the execution. The node's CPU: that less the same workflow's without the node (measured in every round), so what the node and n8n's work for it cost. n8n used ${Number.isFinite(idleCpu) ? idleCpu.toFixed(1) : '?'} ms of CPU per second while idle, which is in both.`,
	].join('\n');
}

/** The issue's goals for the latency workload, from the medians above: met or not, with the measured ratio. */
function goalLines(rows: Row[]): string[] {
	const latency = rows.filter((row) => row.workload.includes('latency'));
	const find = (label: string) => latency.find((row) => row.label === label);
	const ours = find(OURS.label);
	const auto = find(AUTO.label);
	const cheap = find(latencyContenders[2].label);
	const careful = find(latencyContenders[3].label);
	if (!ours || !auto || !cheap || !careful) return [];
	const speedUp = (node: Row, other: Row, goal: number, what: string) => {
		const ratio = other.ms / node.ms;
		return `- ${what}: ${ratio.toFixed(2)}× faster (goal ≥ ${goal}×): ${ratio >= goal ? '**met**' : '**missed**'}`;
	};
	const cpu = (other: Row, what: string) => {
		const ratio = ours.nodeCpuMs / other.nodeCpuMs;
		return `- the node's CPU per item (mapped by expressions) against ${what}: ${ratio.toFixed(2)}× (goal ≤ 0.7×): ${ratio <= 0.7 ? '**met**' : '**missed**'}`;
	};
	return [
		'',
		'Goals of issue 16 (latency workload, ratios of the medians above, measured side by side in this run):',
		'',
		speedUp(
			ours,
			cheap,
			1.25,
			'mapped by expressions, against the HTTP Request node with the key as a header parameter',
		),
		speedUp(
			ours,
			careful,
			2,
			'mapped by expressions, against the HTTP Request node with a Header Auth credential',
		),
		speedUp(
			auto,
			cheap,
			1.5,
			'Map Automatically, against the HTTP Request node with the key as a header parameter',
		),
		speedUp(
			auto,
			careful,
			2.5,
			'Map Automatically, against the HTTP Request node with a Header Auth credential',
		),
		cpu(cheap, 'the HTTP Request node with the key as a header parameter'),
		cpu(careful, 'the HTTP Request node with a Header Auth credential'),
	];
}

function writeDoc(markdown: string) {
	writeDocsBlock(DOC, { name: 'real-n8n', writtenBy: 'scripts/throughputRealN8n.ts', content: markdown });
	console.log(`Wrote ${path.relative(PACKAGE_ROOT, DOC)}`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
