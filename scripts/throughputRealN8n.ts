/**
 * Throughput, part 3: the two workloads of `npm run throughput` in a real n8n (the end-to-end suite's n8n 2.x),
 * through n8n's own HTTP Request node set up the way users set it up, beside this package's node with its
 * defaults, on the same items against the same reference API. Time is each node's execution time from n8n's run
 * data (n8n's start-up is not counted); failures and duplicates are counted at the API. Each figure is the median
 * of several runs. Writes its table into docs/throughput.md between its markers unless --quick.
 *
 *   npm run throughput:n8n               three runs of each (about ten minutes; installs n8n first if needed)
 *   npm run throughput:n8n -- --quick    one run of each, fewer items, docs untouched
 */
import path from 'node:path';

import Table from 'cli-table3';

import { PACKAGE_ROOT } from '../harness/package/paths';
import { RealN8nBench, type Contender, type RealN8nFigures } from '../harness/realN8n/throughputBench';
import { ReferenceApi } from '../harness/referenceApi/client';
import { writeDocsBlock } from '../harness/report/docsBlock';
import { median } from '../harness/report/median';
import { markdownTable } from '../harness/report/tables';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : 3;
const LATENCY = { items: QUICK ? 400 : 2000, latencyMs: 20 };
const RATE_LIMITED = { items: QUICK ? 250 : 1000, ratePerSecond: 50 };
const COMMAND = `npm run throughput:n8n${QUICK ? ' -- --quick' : ''}`;
const DOC = path.join(PACKAGE_ROOT, 'docs', 'throughput.md');

const RETRY = { retryOnFail: true } as const;
const latencyContenders: Contender[] = [
	{ kind: 'httpRequest', label: 'HTTP Request node, defaults', retryOnFail: false },
	{ kind: 'httpRequest', label: 'HTTP Request node, Retry On Fail', ...RETRY },
	{ kind: 'projectManagement', label: 'Project Management node, defaults' },
];
const rateContenders: Contender[] = [
	{ kind: 'httpRequest', label: 'HTTP Request node, Retry On Fail', ...RETRY },
	{
		kind: 'httpRequest',
		label: 'HTTP Request node, Batching 50 per 1 s, Retry On Fail',
		batching: { batchSize: 50, batchInterval: 1000 },
		...RETRY,
	},
	{ kind: 'projectManagement', label: 'Project Management node, defaults' },
];

interface Row extends RealN8nFigures {
	workload: string;
	runs: number;
	failedRuns: number;
}

async function measure(
	bench: RealN8nBench,
	api: ReferenceApi,
	workload: string,
	contender: Contender,
	items: number,
	configure: () => Promise<unknown>,
): Promise<Row> {
	const runs: RealN8nFigures[] = [];
	for (let run = 0; run < RUNS; run++) {
		await api.reset();
		await configure();
		const tag = `${workload.slice(0, 4)}${contender.label.replace(/[^A-Za-z]/g, '').slice(0, 24)}${run}`;
		const figures = await bench.run(contender, items, tag);
		runs.push(figures);
		console.log(
			`  ${workload} | ${contender.label} | run ${run + 1}: ${Math.round(figures.ms)} ms, ${figures.failures} failed, ` +
				`${figures.duplicates} duplicates, ${(figures.share429 * 100).toFixed(1)} % 429${figures.workflowError ? ` (workflow failed: ${figures.workflowError.split('\n')[0].slice(0, 120)})` : ''}`,
		);
	}
	return {
		workload,
		label: contender.label,
		ms: median(runs.map((run) => run.ms)),
		failures: median(runs.map((run) => run.failures)),
		duplicates: median(runs.map((run) => run.duplicates)),
		share429: median(runs.map((run) => run.share429)),
		requests: median(runs.map((run) => run.requests)),
		runs: runs.length,
		failedRuns: runs.filter((run) => run.workflowError !== undefined).length,
	};
}

async function main() {
	const api = await ReferenceApi.start();
	try {
		const bench = await RealN8nBench.start(api);
		console.log(`n8n ${bench.version}, ${RUNS} run(s) of each`);
		const rows: Row[] = [];
		const latencyName = `${LATENCY.items} creates, ${LATENCY.latencyMs} ms latency`;
		for (const contender of latencyContenders) {
			rows.push(
				await measure(bench, api, latencyName, contender, LATENCY.items, () =>
					api.configure({ latencyMs: LATENCY.latencyMs, rateLimit: { enabled: false } }),
				),
			);
		}
		const rateName = `${RATE_LIMITED.items} creates, ${RATE_LIMITED.ratePerSecond} requests/s limit`;
		const rate = RATE_LIMITED.ratePerSecond;
		for (const contender of rateContenders) {
			rows.push(
				await measure(bench, api, rateName, contender, RATE_LIMITED.items, () =>
					api.configure({
						latencyMs: 0,
						rateLimit: { enabled: true, capacity: rate, refillPerSecond: rate },
					}),
				),
			);
		}
		const markdown = render(rows, bench.version);
		console.log(`\n${markdown}`);
		if (!QUICK) writeDoc(markdown);
	} finally {
		await api.close();
	}
}

function render(rows: Row[], version: string): string {
	const table = new Table({
		head: ['Workload', 'Contender', 'Node time', 'vs this node', 'Failed items', 'Duplicates', '429 share'],
	});
	const cells = rows.map((row) => {
		const ours = rows.find(
			(other) => other.workload === row.workload && other.label.startsWith('Project Management'),
		);
		const ratio = ours && ours.ms > 0 ? (row.ms / ours.ms).toFixed(2) : '–';
		const failed = `${row.failures}${row.failedRuns ? ` (workflow failed in ${row.failedRuns} of ${row.runs})` : ''}`;
		return [
			row.workload,
			row.label,
			`${(row.ms / 1000).toFixed(1)} s`,
			ratio,
			failed,
			String(row.duplicates),
			`${(row.share429 * 100).toFixed(1)} %`,
		];
	});
	table.push(...cells);
	console.log(table.toString());
	return [
		`Measured with \`${COMMAND}\` in n8n ${version} (the end-to-end suite's install, Node 24), ${RUNS} run(s) of each, medians:`,
		'',
		markdownTable(
			['Workload', 'Contender', 'Node time', "Time / this node's", 'Failed items', 'Duplicates', '429 share'],
			cells,
			[2, 3, 4, 5, 6],
		),
	].join('\n');
}

function writeDoc(markdown: string) {
	writeDocsBlock(DOC, { name: 'real-n8n', writtenBy: 'scripts/throughputRealN8n.ts', content: markdown });
	console.log(`Wrote ${path.relative(PACKAGE_ROOT, DOC)}`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
