/**
 * Many executions at once, in a real n8n, as users run it: a production webhook (one execution per CRM event) fed
 * bursts of 300 deliveries (250 deals, 50 of them delivered twice) against the reference API limited to 20 requests
 * per second per credential; in one n8n, and in queue mode (PostgreSQL, Redis, one main, two workers with
 * concurrency 10), there also with a worker SIGKILLed mid-burst. Each row is the median of three runs; "ideal" is
 * the larger of deals / rate and the same setup's time for the same burst without a limit, measured in the same
 * run. Writes the table into docs/many-executions.md between its markers unless --quick.
 *
 *   npm run burst                       three runs of every row (about an hour on a busy 2-core machine)
 *   npm run burst -- --quick            one run of fewer rows, docs untouched
 *   npm run burst -- --setups=single    only one setup (single, queue), docs untouched
 *   npm run burst -- --runs=1           every row once instead of three times, docs untouched
 *   ... --write-docs                    write the docs block after a partial run too (its line says which)
 *   ... --profile                       n8n's processes write CPU profiles; prints the node's share of n8n's CPU
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../harness/package/paths';
import { packForN8n } from '../harness/package/pack';
import { BURST_N8N_ENV } from '../harness/realN8n/burstEnv';
import { burstDiagnostics, type BurstDiagnostics } from '../harness/realN8n/burstDiagnostics';
import { cpuProfileFlags, cpuShares } from '../harness/realN8n/cpuProfile';
import { executionPhases, spread } from '../harness/realN8n/executionPhases';
import {
	burstImports,
	burstSlots,
	runBurst,
	type BurstOutcome,
	type BurstSlot,
} from '../harness/realN8n/burstRun';
import { ensureN8nInstalled, installedVersion } from '../harness/realN8n/install';
import { startOneN8n, type OneN8n } from '../harness/realN8n/oneN8n';
import { QueueMode } from '../harness/realN8n/queueMode';
import type { N8nServer } from '../harness/realN8n/server';
import { CREATE_NODE } from '../harness/realN8n/webhookWorkflow';
import { ReferenceApi } from '../harness/referenceApi/client';
import { apiKeyWithAllScopes } from '../harness/referenceApi/grants';
import { writeDocsBlock } from '../harness/report/docsBlock';
import { median } from '../harness/report/median';
import { markdownTable, plainTable } from '../harness/report/tables';
import { DEMO_CREDENTIALS } from '../reference-api/src';

const QUICK = process.argv.includes('--quick');
const SETUPS_ARG = process.argv.find((arg) => arg.startsWith('--setups='));
const SETUPS = (SETUPS_ARG?.slice('--setups='.length) ?? 'single,queue').split(',');
const RUNS_ARG = process.argv.find((arg) => arg.startsWith('--runs='));
const RUNS = RUNS_ARG ? Math.max(1, Number(RUNS_ARG.slice('--runs='.length)) || 1) : QUICK ? 1 : 3;
const PARTIAL = QUICK || SETUPS_ARG !== undefined || RUNS_ARG !== undefined;
/** Writes the docs block also after a partial run (its line names the command and the number of runs). */
const WRITE_DOCS = !PARTIAL || process.argv.includes('--write-docs');
const PROFILE = process.argv.includes('--profile');
const BURST = { distinct: 250, repeated: 50 };
const RATE = 20;
const WORKERS = 2;
const CONCURRENCY = 10;
const LINE = '2.x';
const BOUNDS = { deliveryTimeoutMs: 900_000, settleMs: 300_000 };
const COMMAND = `npm run burst${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const DOC = path.join(PACKAGE_ROOT, 'docs', 'many-executions.md');

type Limit = 'none' | 'retryAfter' | 'headers';

interface RowSpec {
	setup: 'single' | 'queue';
	label: string;
	limit: Limit;
	kill?: boolean;
	goal?: { elapsedOverIdeal: number; share429: number };
}

const ROWS: RowSpec[] = [
	{
		setup: 'single',
		label: 'one n8n, Retry-After only',
		limit: 'retryAfter',
		goal: { elapsedOverIdeal: 1.15, share429: 0.05 },
	},
	{
		setup: 'single',
		label: 'one n8n, with RateLimit headers',
		limit: 'headers',
		goal: { elapsedOverIdeal: 1.1, share429: 0.02 },
	},
	{
		setup: 'queue',
		label: `queue mode, ${WORKERS} workers, Retry-After only`,
		limit: 'retryAfter',
		goal: { elapsedOverIdeal: 1.2, share429: 0.15 },
	},
	{
		setup: 'queue',
		label: `queue mode, ${WORKERS} workers, RateLimit headers`,
		limit: 'headers',
		goal: { elapsedOverIdeal: 1.15, share429: 0.05 },
	},
	{ setup: 'queue', label: 'queue mode, a worker SIGKILLed mid-burst', limit: 'retryAfter', kill: true },
];
const QUICK_ROWS = [ROWS[0], ROWS[2]];

interface Measured {
	row: RowSpec;
	run: number;
	outcome: BurstOutcome;
	/** The same setup's time for the same burst without a limit, in this run. */
	unlimitedMs: number;
	idealMs: number;
	diagnostics: BurstDiagnostics;
	/** When n8n started the node, in the first and the last execution (ms after the first delivery). */
	nodeStarted?: { firstMs: number; lastMs: number };
}

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/**
 * Stops the n8n setup running now (its n8n processes, PostgreSQL, Redis) when the script is interrupted: they run
 * under `timeout` for hours, and would otherwise be left behind by a Ctrl-C.
 */
let stopOnInterrupt: (() => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		log(`${signal}: stopping n8n and its databases, then leaving`);
		void (stopOnInterrupt?.() ?? Promise.resolve()).finally(() => process.exit(130));
	});
}

function limitOf(limit: Limit) {
	return limit === 'none' ? undefined : { perSecond: RATE, headers: limit === 'headers' };
}

function describe(outcome: BurstOutcome): string {
	return (
		`${(outcome.elapsedMs / 1000).toFixed(1)} s, answers failed ${outcome.failedAnswers}, executions ` +
		`${JSON.stringify(outcome.executions)}, not created ${outcome.dealsNotCreated} (silently ` +
		`${outcome.silentlyLost.length}), duplicates ${outcome.duplicates}, 429 ${outcome.creates429}/` +
		`${outcome.creates} creates, ${outcome.apiRequests} API requests; first API request after ` +
		`${(outcome.beforeApiMs / 1000).toFixed(1)} s, last answer ${(outcome.afterApiMs / 1000).toFixed(1)} s after the last API request` +
		(outcome.failedAnswers ? `; failed answers: ${JSON.stringify(outcome.failedAnswerKinds)}` : '')
	);
}

/**
 * When n8n created the executions and when each node started and ran, from n8n's records (successful ones);
 * answers when the Create node started, first and last (ms after the first delivery).
 */
async function logPhases(
	n8n: N8nServer,
	workflowId: string,
	startedAt: number,
): Promise<{ firstMs: number; lastMs: number } | undefined> {
	const phases = await executionPhases(n8n, workflowId, startedAt);
	log(`  ${phases.count} executions; seconds after the first delivery, min / 10 % / median / 90 % / max:`);
	log(`    execution created   ${spread(phases.createdMs)}`);
	for (const [node, starts] of Object.entries(phases.nodeStartMs)) {
		log(`    ${node.padEnd(19)} started ${spread(starts)}; ran ${spread(phases.nodeRunMs[node])}`);
	}
	const starts = phases.nodeStartMs[CREATE_NODE];
	return starts?.length ? { firstMs: starts[0], lastMs: starts[starts.length - 1] } : undefined;
}

/** The bursts of one setup, run after run: without a limit first (the ideal's measure), then each row. */
async function measureSetup(
	setupName: 'single' | 'queue',
	rows: RowSpec[],
	api: ReferenceApi,
	slots: BurstSlot[],
	extensions: string,
	results: Measured[],
	version: { value: string },
) {
	const perRun = rows.length + 1;
	const imports = burstImports(slots, api.url);
	let single: OneN8n | undefined;
	let queue: QueueMode | undefined;
	const profiles = PROFILE ? mkdtempSync(path.join(tmpdir(), 'pm-burst-profiles-')) : undefined;
	const env = profiles ? { ...BURST_N8N_ENV, NODE_OPTIONS: cpuProfileFlags(profiles) } : BURST_N8N_ENV;
	log(`${setupName}: starting (${slots.length} workflows)`);
	if (setupName === 'single') {
		single = await startOneN8n({
			line: LINE,
			extensions,
			database: 'postgres',
			...imports,
			lifetimeSeconds: 4 * 3600,
			env,
			log,
		});
		version.value = single.home.version;
	} else {
		queue = await QueueMode.start({
			line: LINE,
			extensions,
			workers: WORKERS,
			concurrency: CONCURRENCY,
			...imports,
			lifetimeSeconds: 4 * 3600,
			env,
			log,
		});
	}
	const n8n = single?.server ?? queue!.main;
	stopOnInterrupt = async () => {
		await single?.stop();
		await queue?.stop();
	};
	log(`${setupName}: ready`);
	try {
		for (let run = 0; run < RUNS; run++) {
			const runSlots = slots.slice(run * perRun, (run + 1) * perRun);
			const processOf = () => {
				if (!queue) return () => 'n8n';
				const byExecution = new Map<string, string>();
				for (const worker of queue.workers)
					for (const id of worker.executionIds()) byExecution.set(id, worker.name);
				return (id: string | null) => (id === null ? '(none)' : (byExecution.get(id) ?? '(unknown)'));
			};
			const unlimited = await runBurst(api, n8n, runSlots[0], { ...BURST, ...BOUNDS });
			log(`${setupName} run ${run + 1}, no limit: ${describe(unlimited)}`);
			await logPhases(n8n, runSlots[0].workflowId, unlimited.startedAt);
			for (const [index, row] of rows.entries()) {
				if (queue && queue.liveWorkers().length < WORKERS) {
					log('starting a worker in place of the one killed');
					await queue.addWorker();
				}
				const victim = row.kill ? queue!.liveWorkers()[0] : undefined;
				const outcome = await runBurst(api, n8n, runSlots[index + 1], {
					...BURST,
					limit: limitOf(row.limit),
					...BOUNDS,
					midBurst: victim
						? { whenCreated: Math.round(BURST.distinct / 4), action: () => victim.kill() }
						: undefined,
				});
				const idealMs = Math.max((BURST.distinct / RATE) * 1000, unlimited.elapsedMs);
				const diagnostics = burstDiagnostics(outcome.log, processOf());
				log(
					`${setupName} run ${run + 1}, ${row.label}: ${describe(outcome)}; elapsed / ideal ` +
						`${(outcome.elapsedMs / idealMs).toFixed(2)}${outcome.midBurstAtMs !== undefined ? `; killed at ${(outcome.midBurstAtMs / 1000).toFixed(1)} s` : ''}`,
				);
				log(
					`  peak ${diagnostics.peakPerSecond}/s, ${diagnostics.peakPer100Ms} in 100 ms, first 429 at ` +
						`${diagnostics.first429AtSeconds?.toFixed(1) ?? '–'} s; ${diagnostics.byProcess.map((share) => `${share.name}: ${share.creates} creates, ${share.creates429} × 429, peak ${share.peakPerSecond}/s`).join('; ')}`,
				);
				const nodeStarted = await logPhases(n8n, runSlots[index + 1].workflowId, outcome.startedAt);
				// Second by second at the API (. created, r replayed, g read, c 409 in progress, x 429, ! other).
				for (const line of diagnostics.timeline) log(`  ${line}`);
				results.push({
					row,
					run,
					outcome,
					unlimitedMs: unlimited.elapsedMs,
					idealMs,
					diagnostics,
					nodeStarted,
				});
			}
		}
	} finally {
		stopOnInterrupt = undefined;
		await single?.stop();
		await queue?.stop();
	}
	if (profiles) await logProfiles(setupName, profiles, extensions);
}

/** Each n8n process's CPU by package, the node's own code apart (--profile); n8n writes a profile when it exits. */
async function logProfiles(setupName: string, dir: string, extensions: string) {
	// A process writes its profile as it exits, which can come a little after its parent has gone: waited for,
	// boundedly, until no new one has come for 5 s.
	let count = -1;
	for (let round = 0; round < 12 && readdirSync(dir).length !== count; round++) {
		count = readdirSync(dir).length;
		await new Promise((resolve) => setTimeout(resolve, 5_000));
	}
	log(`${setupName}: CPU profiles of n8n's processes (${dir}), the busiest first:`);
	for (const share of cpuShares(dir, extensions).filter((each) => each.busyMs >= 1000)) {
		log(
			`  ${share.file}: busy ${(share.busyMs / 1000).toFixed(1)} s of ${(share.totalMs / 1000).toFixed(1)} s; ` +
				`this package ${share.packageMs.toFixed(0)} ms (${((share.packageMs / share.busyMs) * 100).toFixed(1)} % of busy)`,
		);
		log(`    ${share.top.map((bucket) => `${bucket.name} ${(bucket.ms / 1000).toFixed(1)} s`).join(', ')}`);
	}
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

function percent(share: number): string {
	return `${(share * 100).toFixed(1)} %`;
}

function render(
	results: Measured[],
	rows: RowSpec[],
	facts: { version: string; load: string; seconds: number },
) {
	const head = [
		'Workload',
		'Failed executions (answers / recorded)',
		'Deals not created',
		'Duplicates',
		'Elapsed',
		'Ideal',
		'Elapsed / ideal',
		'429 share',
		'Goal',
	];
	const cells = rows.map((row) => {
		const mine = results.filter((result) => result.row === row);
		const pick = (value: (result: Measured) => number) => median(mine.map(value));
		const failedAnswers = pick((result) => result.outcome.failedAnswers);
		const failedRecorded = pick((result) => result.outcome.failedExecutions);
		const notCreated = pick((result) => result.outcome.dealsNotCreated);
		const silently = pick((result) => result.outcome.silentlyLost.length);
		const duplicates = pick((result) => result.outcome.duplicates);
		const ratio = pick((result) => result.outcome.elapsedMs / result.idealMs);
		const share = pick((result) => result.outcome.share429);
		let goal = 'report';
		if (row.goal) {
			const met =
				failedAnswers === 0 &&
				failedRecorded === 0 &&
				notCreated === 0 &&
				duplicates === 0 &&
				ratio <= row.goal.elapsedOverIdeal &&
				share <= row.goal.share429;
			goal = `0 / 0 / 0, ≤ ${row.goal.elapsedOverIdeal.toFixed(2)}, ≤ ${percent(row.goal.share429).replace('.0', '')}: ${met ? 'met' : 'missed'}`;
		} else {
			goal = `0 silently, 0 duplicates: ${silently === 0 && duplicates === 0 ? 'met' : 'missed'}`;
		}
		return [
			row.label,
			`${failedAnswers} / ${failedRecorded}`,
			row.kill ? `${notCreated} (${silently} silently)` : String(notCreated),
			String(duplicates),
			`${(pick((result) => result.outcome.elapsedMs) / 1000).toFixed(1)} s`,
			`${(pick((result) => result.idealMs) / 1000).toFixed(1)} s`,
			ratio.toFixed(2),
			percent(share),
			goal,
		];
	});
	const console = plainTable(head);
	console.push(...cells);

	const detailHead = [
		'Workload',
		'n8n without a limit',
		'API requests (creates / 429 / reads)',
		'Peak per second',
		'Most in 100 ms',
		'First 429',
		'n8n started the node (first – last execution)',
		'First API request',
		'First to last API request',
		'Per process (creates, 429s, peak per second)',
	];
	const details = rows.map((row) => {
		const mine = results.filter((result) => result.row === row);
		const pick = (value: (result: Measured) => number) => median(mine.map(value));
		const reads = (result: Measured) => result.outcome.log.filter((entry) => entry.method === 'GET').length;
		const middle = [...mine].sort((a, b) => a.outcome.share429 - b.outcome.share429)[
			Math.floor(mine.length / 2)
		];
		const started = mine
			.map((result) => result.nodeStarted)
			.filter((value): value is { firstMs: number; lastMs: number } => value !== undefined);
		const first429 = mine
			.map((result) => result.diagnostics.first429AtSeconds)
			.filter((value): value is number => value !== undefined);
		return [
			row.label,
			`${BURST.distinct + BURST.repeated > 0 ? (((BURST.distinct + BURST.repeated) * 1000) / pick((result) => result.unlimitedMs)).toFixed(1) : '–'} executions/s`,
			`${pick((result) => result.outcome.creates)} / ${pick((result) => result.outcome.creates429)} / ${pick(reads)}`,
			String(pick((result) => result.diagnostics.peakPerSecond)),
			String(pick((result) => result.diagnostics.peakPer100Ms)),
			first429.length ? `${median(first429).toFixed(1)} s` : 'none',
			started.length
				? `${seconds(median(started.map((value) => value.firstMs)))} – ${seconds(median(started.map((value) => value.lastMs)))}`
				: '–',
			seconds(pick((result) => result.outcome.beforeApiMs)),
			seconds(
				pick((result) => result.outcome.elapsedMs - result.outcome.beforeApiMs - result.outcome.afterApiMs),
			),
			middle.diagnostics.byProcess
				.map((share) => `${share.name}: ${share.creates}, ${share.creates429}, ${share.peakPerSecond}`)
				.join('; '),
		];
	});
	const detailConsole = plainTable(detailHead);
	detailConsole.push(...details);
	process.stdout.write(`${console.toString()}\n${detailConsole.toString()}\n`);

	return [
		`Measured with \`${COMMAND}\` (${Math.round(facts.seconds / 60)} min) in n8n ${facts.version} (the end-to-end ` +
			`suite's install, Node 24), ${RUNS === 1 ? 'ONE run of each row (not the median of three that the goals ask for)' : `${RUNS} runs of each row, medians`}; ${BURST.distinct + BURST.repeated} ` +
			`deliveries per burst (${BURST.distinct} deals, ${BURST.repeated} of them delivered twice), the API limited ` +
			`to ${RATE} requests per second per credential; load average ${facts.load}; ${new Date().toISOString().slice(0, 10)}.`,
		'',
		markdownTable(head, cells, [1, 2, 3, 4, 5, 6, 7]),
		'',
		'What the API saw (medians; per process: the run with the median 429 share):',
		'',
		markdownTable(detailHead, details, [2, 3, 4, 5, 6, 7, 8]),
	].join('\n');
}

async function main() {
	const started = Date.now();
	const loadBefore = loadavg()[0];
	const rows = (QUICK ? QUICK_ROWS : ROWS).filter((row) => SETUPS.includes(row.setup));
	await ensureN8nInstalled(LINE, log);
	const extensions = await packForN8n(mkdtempSync(path.join(tmpdir(), 'pm-burst-pack-')));
	const setups = (['single', 'queue'] as const).filter((setup) => rows.some((row) => row.setup === setup));
	const slotsBySetup = new Map(
		setups.map((setup) => {
			const count = RUNS * (rows.filter((row) => row.setup === setup).length + 1);
			return [setup, burstSlots(setup === 'single' ? 'One' : 'Queue', count)] as const;
		}),
	);
	const api = await ReferenceApi.start({
		apiKeys: [
			apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, 'demo-api-key', 'Demo'),
			...[...slotsBySetup.values()].flat().map((slot) => slot.apiKey),
		],
	});
	const results: Measured[] = [];
	const version = { value: '' };
	try {
		for (const setup of setups) {
			await measureSetup(
				setup,
				rows.filter((row) => row.setup === setup),
				api,
				slotsBySetup.get(setup)!,
				extensions,
				results,
				version,
			);
		}
	} finally {
		await api.close();
	}
	if (!version.value) version.value = installedVersion(LINE) ?? LINE;
	const load = `${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (2 cores, shared with other work)`;
	const markdown = render(results, rows, {
		version: version.value,
		load,
		seconds: (Date.now() - started) / 1000,
	});
	console.log(`\n${markdown}`);
	if (WRITE_DOCS) {
		writeDocsBlock(DOC, { name: 'many-executions', writtenBy: 'scripts/burst.ts', content: markdown });
		console.log(`Wrote ${path.relative(PACKAGE_ROOT, DOC)}`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
