/**
 * The demo: a "CRM deals → projects" workflow run through n8n's execution engine against the reference API,
 * with a little rate limiting and a few injected faults, then a per-item table and a summary that the
 * server's own count confirms. `npm run demo`.
 */

import Table from 'cli-table3';
import type { IDataObject } from 'n8n-workflow';

import { buildIfNeeded } from '../harness/package/build';
import { DEALS, DEAL_STAGE_TO_PROJECT, DEAL_TO_PROJECT } from './demoDeals';
import { startEngineAndApi } from '../harness/engineAndApi';
import { DEMO_CREDENTIALS } from '../reference-api/src';

const FAULT_SEED = 7;

async function main() {
	buildIfNeeded();
	const { api, harness } = await startEngineAndApi({
		rateLimit: { enabled: true, capacity: 3, refillPerSecond: 2 },
		faults: {
			seed: FAULT_SEED,
			rates: { errorAfterCommit: 0.08, resetAfterCommit: 0.08, unavailable: 0.08, htmlError: 0.05 },
			retryAfterSeconds: 1,
			retryAfterFormat: 'mixed',
		},
	});
	try {
		console.log(
			`Reference API on ${api.url} (rate limit: 3 requests, refilled 2 a second; seeded faults ${FAULT_SEED})`,
		);
		harness.setCredential('demo', {
			baseUrl: api.url,
			apiKey: DEMO_CREDENTIALS.apiKey,
			keyLocation: 'header',
		});
		const started = Date.now();
		const result = await harness.run({
			items: DEALS,
			parameters: DEAL_TO_PROJECT,
			credentialId: 'demo',
			settings: { onError: 'continueRegularOutput' },
		});
		const seconds = ((Date.now() - started) / 1000).toFixed(1);

		const table = new Table({
			head: ['#', 'Deal', 'Outcome', 'Project ID', 'Attempts', 'Note'],
			wordWrap: true,
			colWidths: [4, 22, 10, 18, 10, 64],
			style: { head: [], border: [] },
		});
		const counts: Record<string, number> = {};
		result.output.forEach((item, index) => {
			const outcome = item.json._result as IDataObject;
			const label = String(outcome?.outcome ?? '?');
			counts[label] = (counts[label] ?? 0) + 1;
			const deal = DEALS[(item.pairedItem as { item: number }).item];
			table.push([
				index + 1,
				String(deal.company ?? ''),
				label,
				String(item.json.id ?? '-'),
				String(outcome?.attempts ?? '-'),
				item.json.error
					? String(item.json.error)
					: outcome?.attempts !== 1
						? `retried; waited ${(Number(outcome?.waitedMs) / 1000).toFixed(1)} s in all`
						: '',
			]);
		});
		console.log(table.toString());

		const stats = await api.stats();
		const created = counts.created ?? 0;
		const replayed = counts.replayed ?? 0;
		const failed = (counts.failed ?? 0) + (counts.unknown ?? 0);
		console.log(
			`\n${DEALS.length} deals in ${seconds} s: ${created} created, ${replayed} replayed after a lost answer, ${failed} not created (see the notes).`,
		);
		console.log(
			`Server: ${stats.projectsStored} projects stored, ${stats.requests.byStatus['429'] ?? 0} rate-limited answers, ` +
				`${Object.values(stats.faultsInjected).reduce((a, b) => a + b, 0)} injected faults, ${stats.replays} replays.`,
		);
		const confirmed = stats.projectsStored === created + replayed && result.output.length === DEALS.length;
		console.log(
			confirmed
				? 'Server count confirms: every deal is accounted for, no duplicates.'
				: 'MISMATCH between the node and the server!',
		);
		if (!confirmed) process.exitCode = 1;

		console.log(
			'\nThe CRM moves the same deals to "Active" and sends them again (existing projects are updated):',
		);
		const storedBefore = stats.projectsStored;
		const again = await harness.run({
			items: DEALS,
			parameters: DEAL_STAGE_TO_PROJECT,
			credentialId: 'demo',
			settings: { onError: 'continueRegularOutput' },
		});
		const secondCounts: Record<string, number> = {};
		for (const item of again.output) {
			const label = String((item.json._result as IDataObject | undefined)?.outcome ?? '?');
			secondCounts[label] = (secondCounts[label] ?? 0) + 1;
		}
		console.log(
			Object.entries(secondCounts)
				.map(([outcome, count]) => `${count} ${outcome}`)
				.join(', '),
		);
		const after = await api.stats();
		// In Create, "replayed" is a project an earlier attempt created; an update that was replayed is "updated".
		const newlyCreated = (secondCounts.created ?? 0) + (secondCounts.replayed ?? 0);
		const unchanged = after.projectsStored === storedBefore + newlyCreated;
		console.log(
			unchanged
				? `Server: still ${after.projectsStored} projects${newlyCreated ? ` (${newlyCreated} created now for deals that were not before)` : ''}; no duplicates.`
				: 'MISMATCH: the second run changed the number of projects unexpectedly!',
		);
		if (!unchanged) process.exitCode = 1;
	} finally {
		await api.close();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
