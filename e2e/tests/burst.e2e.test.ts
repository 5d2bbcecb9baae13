import { rmSync } from 'node:fs';

import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { apiKeyWithAllScopes } from '../../harness/referenceApi/grants';
import type { BurstOutcome } from '../../harness/realN8n/burstRun';
import { burstImports, burstSlots, runBurst } from '../../harness/realN8n/burstRun';
import { N8nHome } from '../../harness/realN8n/home';
import { N8N_LINES, installedVersion } from '../../harness/realN8n/install';
import { startWithWebhooks } from '../../harness/realN8n/productionWebhook';
import type { N8nServer } from '../../harness/realN8n/server';
import { QueueMode } from '../../harness/realN8n/queueMode';
import { packedExtensions } from './globalSetup';

/**
 * Many executions at once, as users get them: a production webhook, one execution per CRM event, the events in a
 * burst (some delivered twice), against an API that limits each credential to 20 requests per second and says so
 * only in its 429s' Retry-After. In one n8n, and in queue mode with two workers, one of which is SIGKILLed
 * mid-burst. Counted at the API and from the webhooks' answers and n8n's recorded executions; no verdict depends
 * on the machine's speed (the bounds below are there so that a hang ends the test, not to time anything).
 * The figures with timings are `npm run burst`'s (docs/many-executions.md).
 */

const LINE = '2.x';
const available = N8N_LINES.includes(LINE) && installedVersion(LINE) !== undefined;
const describeIf = available ? describe : describe.skip;

const LIMIT = { perSecond: 20, headers: false };
const BOUNDS = { deliveryTimeoutMs: 600_000, settleMs: 300_000 };
const LIFETIME_SECONDS = 1_200;

function summary(figures: BurstOutcome): string {
	const { log: _log, ...rest } = figures;
	return JSON.stringify(rest);
}

describeIf(`many executions at once (n8n ${LINE})`, () => {
	const [single] = burstSlots('Single', 1);
	const [queued] = burstSlots('Queued', 1);
	let api: ReferenceApi;
	let home: N8nHome | undefined;
	// Both setups start side by side (minutes of CPU-bound start-up each); the bursts then run one at a time.
	let singleN8n: Promise<N8nServer>;
	let queueMode: Promise<QueueMode>;

	beforeAll(async () => {
		api = await ReferenceApi.start({
			apiKeys: [
				apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, 'demo-api-key', 'Demo'),
				single.apiKey,
				queued.apiKey,
			],
		});
		home = new N8nHome(LINE, { extensions: packedExtensions() });
		singleN8n = startWithWebhooks(home, {
			...burstImports([single], api.url),
			lifetimeSeconds: LIFETIME_SECONDS,
		});
		queueMode = QueueMode.start({
			line: LINE,
			extensions: packedExtensions(),
			workers: 2,
			concurrency: 10,
			...burstImports([queued], api.url),
			lifetimeSeconds: LIFETIME_SECONDS,
			// A killed worker's executions are failed once their queue lock has expired unrenewed: 20 s here
			// instead of n8n's 60, checked every 10 s instead of 30, so that the test does not sit waiting.
			env: {
				QUEUE_WORKER_LOCK_DURATION: '20000',
				QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
				QUEUE_WORKER_STALLED_INTERVAL: '10000',
			},
		});
		// Failures surface in the tests that use them; none may go unhandled meanwhile.
		singleN8n.catch(() => undefined);
		queueMode.catch(() => undefined);
	});

	afterAll(async () => {
		const [server, setup] = await Promise.allSettled([singleN8n, queueMode]);
		await Promise.all([
			server.status === 'fulfilled' ? server.value.stop() : undefined,
			setup.status === 'fulfilled' ? setup.value.stop() : undefined,
		]);
		if (home) rmSync(home.userFolder, { recursive: true, force: true });
		await api?.close();
	}, 300_000);

	test('one n8n, 150 deliveries (125 deals, 25 delivered twice) against a Retry-After-only limit: nothing failed, lost or duplicated', async () => {
		const server = await singleN8n;
		// The queue-mode processes are up too (or have failed) before the burst, so that it runs beside idle ones.
		await Promise.allSettled([queueMode]);
		const figures = await runBurst(api, server, single, {
			distinct: 125,
			repeated: 25,
			limit: LIMIT,
			...BOUNDS,
		});
		const context = summary(figures);
		expect({
			context,
			failedAnswers: figures.failedAnswers,
			executions: figures.executions,
			dealsNotCreated: figures.dealsNotCreated,
			duplicates: figures.duplicates,
		}).toEqual({
			context,
			failedAnswers: 0,
			executions: { success: 150 },
			dealsNotCreated: 0,
			duplicates: 0,
		});
		await server.stop();
	}, 900_000);

	test('queue mode, two workers, one SIGKILLed mid-burst: no duplicate, and every deal not created has a failure said for it', async () => {
		const setup = await queueMode;
		const victim = setup.workers[0];
		const figures = await runBurst(api, setup.main, queued, {
			distinct: 80,
			repeated: 20,
			limit: LIMIT,
			...BOUNDS,
			midBurst: { whenCreated: 20, action: () => victim.kill() },
		});
		const context = summary(figures);
		expect({
			context,
			killedMidBurst: figures.midBurstAtMs !== undefined && !victim.process.running,
			duplicates: figures.duplicates,
			silentlyLost: figures.silentlyLost,
			unfinishedExecutions: figures.unfinishedExecutions,
		}).toEqual({ context, killedMidBurst: true, duplicates: 0, silentlyLost: [], unfinishedExecutions: 0 });
	}, 1_200_000);
});
