/**
 * What the node costs over a bare HTTP client: the same projects created against the same reference API,
 * once by a plain loop of `fetch` calls (the baseline) and once by the node inside n8n's engine, in one run.
 * Reported as ratios, since absolute times depend on the machine. `npm run bench [-- --items 500]`.
 */
import { randomUUID } from 'node:crypto';

import { PROJECT_MAPPING, dealFor, projectBodyFor } from './benchProject';
import { buildIfNeeded } from '../harness/package/build';
import type { EngineHarness } from '../harness/engine/engineHarness';
import { startEngineAndApi } from '../harness/engineAndApi';
import type { ReferenceApi } from '../harness/referenceApi/client';
import { plainTable } from '../harness/report/tables';
import { DEMO_CREDENTIALS } from '../reference-api/src';

const argItems = process.argv.indexOf('--items');
const ITEMS = argItems > 0 ? Number(process.argv[argItems + 1]) : 500;
const LATENCIES_MS = [0, 5];

interface Measurement {
	ms: number;
	heapMb: number;
}

async function measure(work: () => Promise<void>): Promise<Measurement> {
	global.gc?.();
	const heapBefore = process.memoryUsage().heapUsed;
	let peak = heapBefore;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 5);
	const started = performance.now();
	await work();
	const ms = performance.now() - started;
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().heapUsed);
	return { ms, heapMb: (peak - heapBefore) / 1024 / 1024 };
}

async function baseline(api: ReferenceApi, prefix: string) {
	for (let index = 0; index < ITEMS; index++) {
		const response = await fetch(`${api.url}/api/v1/projects`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'x-api-key': DEMO_CREDENTIALS.apiKey,
				'idempotency-key': randomUUID(),
			},
			body: JSON.stringify(projectBodyFor(prefix, index)),
			signal: AbortSignal.timeout(10_000),
		});
		if (response.status !== 201) throw new Error(`baseline: HTTP ${response.status}`);
		await response.arrayBuffer();
	}
}

async function throughNode(api: ReferenceApi, harness: EngineHarness, prefix: string) {
	const items = Array.from({ length: ITEMS }, (_, index) => dealFor(prefix, index));
	const result = await harness.run({
		items,
		credentialId: 'bench',
		parameters: PROJECT_MAPPING,
	});
	const created = result.output.filter((item) => item.json.id).length;
	if (created !== ITEMS)
		throw new Error(`node: ${created} of ${ITEMS} created (${result.error?.message ?? ''})`);
}

async function main() {
	buildIfNeeded();
	const { api, harness } = await startEngineAndApi();
	harness.setCredential('bench', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.apiKey });
	const table = plainTable([
		'API latency',
		'items',
		'baseline ms/item',
		'node ms/item',
		'time ratio',
		'baseline heap MB',
		'node heap MB',
	]);
	try {
		// One warm-up of each, so that module loading and JIT are not billed to the first measurement.
		await api.configure({ latencyMs: 0 });
		await baseline(api, 'warm-up baseline');
		await throughNode(api, harness, 'warm-up node');
		for (const latencyMs of LATENCIES_MS) {
			await api.resetAndConfigure({ latencyMs });
			const plain = await measure(() => baseline(api, `baseline ${latencyMs}`));
			const node = await measure(() => throughNode(api, harness, `node ${latencyMs}`));
			table.push([
				`${latencyMs} ms`,
				ITEMS,
				(plain.ms / ITEMS).toFixed(2),
				(node.ms / ITEMS).toFixed(2),
				(node.ms / plain.ms).toFixed(2),
				plain.heapMb.toFixed(1),
				node.heapMb.toFixed(1),
			]);
		}
	} finally {
		await api.close();
	}
	console.log(table.toString());
	console.log(
		'time ratio = node time / baseline time for the same projects, measured in this run. Heap = peak growth of the V8 heap during the step.',
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
