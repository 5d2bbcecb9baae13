import type { IDataObject } from 'n8n-workflow';

import { DEMO_CREDENTIALS, noFaults } from '../../reference-api/src';
import type { EngineHarness, RunResult } from '../engine/engineHarness';
import { startEngineAndApi } from '../engineAndApi';
import type { ReferenceApi } from '../referenceApi/client';
import { apiKeyWithAllScopes, oauthClientWithAllScopes } from '../referenceApi/grants';
import { reportsFromOutputs, type ItemReport } from './itemReports';
import { buildItems, nodeParameters, reusedKey, type MatrixItem } from './items';
import { measure, type Measured } from './measure';
import type { Scenario } from './scenarios';

/**
 * Runs a scenario of the fault matrix through n8n's engine against the reference API and measures it from both
 * ends: what the node reported for each item (`_result`, or `details` on the error output) and what the server holds
 * and logged. Nothing here trusts the node's word where the server can check it.
 */

/** Credentials whose secrets must never show up in any output, error, run data or log. */
export const CANARY = {
	apiKey: 'pm_canary_matrix_7c1e9a4b2d5f8e3a6b0d',
	clientId: 'canary-matrix-client',
	clientSecret: 'canary-matrix-secret-4f2e8d1c9b7a5e3d',
} as const;

export const WORKFLOW_ID = 'wf-fault-matrix';
export const NODE_ID = 'pm-matrix-node';

/** A scenario run, measured from both ends (see measure.ts for what the server side found). */
export interface ScenarioResult extends Measured {
	scenario: Scenario;
	items: number;
	seconds: number;
	counts: { created: number; replayed: number; existing: number; failed: number; unknown: number };
	/** Items without an outcome, or reported more than once, or output items pointing at no input item. */
	unreported: number;
	reportedTwice: number;
	strayOutputs: number;
	/** Attempts the node reported, in all, and the largest for one item. */
	attempts: number;
	maxAttempts: number;
	/** POST /projects requests the server saw (n8n's own resend after a 401 included). */
	serverAttempts: number;
	/** Every /api/v1 request the node's credential made (Create's name lookups included). */
	serverRequests: number;
	faultsInjected: Record<string, number>;
	/** 409 answers for a key whose first request was still in flight. */
	inFlightConflicts: number;
	/** The "unknown" items, run again without faults: how many turned out to have been created. */
	settle: {
		unknown: number;
		wereCreated: number;
		createdNow: number;
		duplicatesAfter: number;
		orphansAfter: number;
	};
	/** Secrets (API key, client secret, OAuth2 tokens) found in outputs, errors, run data. */
	secretHits: number;
	reports: ItemReport[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The timeout of the run that settles "unknown" items, as a user would run them again (the node's default). */
const SETTLE_TIMEOUT_SECONDS = 30;
/** The API-key credential as another n8n process would use it (see start()). */
export const OTHER_PROCESS_CREDENTIAL = 'matrix-key-other-process';

export class MatrixRunner {
	/** Every OAuth2 access token n8n-core obtained during the runs, for the secret search. */
	readonly tokens = new Set<string>();

	private constructor(
		readonly api: ReferenceApi,
		readonly harness: EngineHarness,
	) {}

	static async start(): Promise<MatrixRunner> {
		const { api, harness } = await startEngineAndApi({
			apiKeys: [
				apiKeyWithAllScopes(CANARY.apiKey, 'canary-matrix-key', 'Canary key'),
				apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, DEMO_CREDENTIALS.apiKeyClientId, 'Observer'),
			],
			oauthClients: [oauthClientWithAllScopes(CANARY.clientId, CANARY.clientSecret, 'Canary client')],
		});
		const runner = new MatrixRunner(api, harness);
		const apiKey = { baseUrl: api.url, apiKey: CANARY.apiKey, keyLocation: 'header' };
		harness.setCredential('matrix-key', apiKey);
		// The same key under another ID has a pace and a share of identical requests of its own in this process, as
		// a second n8n process (a queue-mode worker) has: executions run with it race the others at the API.
		harness.setCredential(OTHER_PROCESS_CREDENTIAL, { ...apiKey });
		harness.setCredential('matrix-oauth', {
			baseUrl: api.url,
			clientId: CANARY.clientId,
			clientSecret: CANARY.clientSecret,
			scope: 'projects:read projects:write',
			authentication: 'body',
		});
		// Every token n8n-core stores, first fetch or refresh, goes into the list of secrets to look for.
		const helper = harness.credentials;
		const update = helper.updateCredentialsOauthTokenData.bind(helper);
		helper.updateCredentialsOauthTokenData = async (credentials, type, data) => {
			const token = (data.oauthTokenData as IDataObject | undefined)?.access_token;
			if (typeof token === 'string') runner.tokens.add(token);
			await update(credentials, type, data);
		};
		return runner;
	}

	async close(): Promise<void> {
		await this.api.close();
	}

	/** The secrets to search for: the credentials' and every token issued to the node. */
	secrets(): string[] {
		return [CANARY.apiKey, CANARY.clientSecret, ...this.tokens];
	}

	countSecrets(text: string): number {
		let hits = 0;
		for (const secret of this.secrets()) if (text.includes(secret)) hits++;
		return hits;
	}

	credentialOf(scenario: Scenario) {
		return scenario.credential === 'oauth2'
			? ({ credentialType: 'projectManagementOAuth2Api', credentialId: 'matrix-oauth' } as const)
			: ({ credentialType: 'projectManagementApi', credentialId: 'matrix-key' } as const);
	}

	/** A request as the scenario's credential would send it, for preparing the server before a run. */
	private async prepare(scenario: Scenario, body: IDataObject, idempotencyKey?: string): Promise<string> {
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (scenario.credential === 'oauth2') {
			const response = await fetch(`${this.api.url}/oauth/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({
					grant_type: 'client_credentials',
					client_id: CANARY.clientId,
					client_secret: CANARY.clientSecret,
				}).toString(),
				signal: AbortSignal.timeout(10_000),
			});
			const token = ((await response.json()) as { access_token: string }).access_token;
			this.tokens.add(token);
			headers.authorization = `Bearer ${token}`;
		} else {
			headers['x-api-key'] = CANARY.apiKey;
		}
		if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
		const response = await fetch(`${this.api.url}/api/v1/projects`, {
			method: 'POST',
			headers,
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(10_000),
		});
		if (response.status !== 201) throw new Error(`prepare: HTTP ${response.status} ${await response.text()}`);
		return ((await response.json()) as { id: string }).id;
	}

	/** Runs `items` as `executions` concurrent executions of the same workflow; reports per input item. */
	async runItems(
		scenario: Scenario,
		items: MatrixItem[],
		executions: number,
		parameters = nodeParameters(scenario),
		credentialId?: string,
	): Promise<{ reports: ItemReport[]; results: RunResult[]; strayOutputs: number; secretHits: number }> {
		const size = Math.ceil(items.length / executions);
		const slices = Array.from({ length: executions }, (_, index) =>
			items.slice(index * size, (index + 1) * size),
		);
		const results = await Promise.all(
			slices.map((slice) =>
				this.harness.run({
					items: slice.map((item) => item.json),
					parameters,
					...this.credentialOf(scenario),
					...(credentialId === undefined ? {} : { credentialId }),
					settings: { onError: 'continueErrorOutput' },
					workflowId: WORKFLOW_ID,
					nodeId: NODE_ID,
				}),
			),
		);
		const { reports, strayOutputs } = reportsFromOutputs(items, size, results);
		let secretHits = 0;
		for (const { run, error } of results) {
			secretHits += this.countSecrets(
				JSON.stringify(run) + [error?.message, error?.description, error?.stack].join('\n'),
			);
		}
		return { reports, results, strayOutputs, secretHits };
	}

	/**
	 * Waits until no held or slow answer of the scenario can still change what the server holds or logged: until
	 * the API holds no request any more (bounded by the longest hold), however long that took on this machine.
	 */
	private async quiesce(scenario: Scenario): Promise<void> {
		const deadline = Date.now() + scenario.api.slowMs + 5_000;
		while ((await this.api.stats()).held > 0 && Date.now() < deadline) await sleep(20);
	}

	async run(scenario: Scenario): Promise<ScenarioResult> {
		const { api } = this;
		await api.resetAndConfigure({
			faults: { rates: noFaults() },
			rateLimit: { enabled: false },
			uniqueNames: scenario.api.uniqueNames,
			ignoreIdempotencyKeys: false,
			inFlightRetryAfterSeconds: scenario.api.inFlightRetryAfterSeconds,
			tokenTtlSeconds: 3600,
			latencyMs: 0,
		});

		// What exists before the run: the projects whose names duplicateName items take, and the requests
		// whose keys reusedKey items reuse with other data.
		const items = buildItems(scenario);
		const before = new Map<string, string>();
		for (const [index, item] of items.entries()) {
			if (item.kind === 'duplicateName')
				before.set(await this.prepare(scenario, { name: item.name }), item.name);
			if (item.kind === 'reusedKey') {
				const key = reusedKey(scenario, index);
				const name = `${scenario.id} prior ${index}`;
				before.set(await this.prepare(scenario, { name }, key), name);
			}
		}
		const logStart = (await api.requests()).at(-1)?.seq ?? 0;

		await api.configure({
			faults: {
				seed: scenario.seed,
				rates: { ...noFaults(), ...scenario.rates },
				slowMs: scenario.api.slowMs,
				slowUntilOvertaken: scenario.api.slowUntilOvertaken ?? false,
				retryAfterSeconds: scenario.api.retryAfterSeconds,
				retryAfterFormat: scenario.api.retryAfterFormat,
			},
			rateLimit: scenario.api.rateLimit ?? { enabled: false },
			ignoreIdempotencyKeys: scenario.api.ignoreIdempotencyKeys,
		});

		const started = Date.now();
		const run = await this.runItems(scenario, items, scenario.executions);
		const seconds = (Date.now() - started) / 1000;
		await this.quiesce(scenario);
		// Faults and the rate limit off before reading: the observer's reads must not be refused.
		await api.configure({ faults: { rates: noFaults() }, rateLimit: { enabled: false } });

		const stats = await api.stats();
		const everything = (await api.requests()).filter((entry) => entry.seq > logStart);
		// The observer (this runner, reading projects) uses the demo key; the node uses the canary credentials.
		const nodeRequests = everything.filter(
			(entry) => entry.route.startsWith('/api/v1') && entry.clientId !== DEMO_CREDENTIALS.apiKeyClientId,
		);
		const log = nodeRequests.filter((entry) => entry.method === 'POST' && entry.route === '/api/v1/projects');
		const projects = (await api.projects()).filter((project) => !before.has(String(project.id)));
		const measured = measure(scenario, run.reports, projects, log, before);

		// Settle the "unknown" items the way a user would: run them again, here without faults.
		const unknownItems = run.reports.filter((report) => report.outcome === 'unknown');
		let settle: ScenarioResult['settle'] = {
			unknown: unknownItems.length,
			wereCreated: 0,
			createdNow: 0,
			duplicatesAfter: measured.duplicates,
			orphansAfter: measured.orphans,
		};
		if (unknownItems.length > 0) {
			// As a user runs them again: with the node's default timeout, not the row's 1 s one, so that the verdict
			// does not depend on how busy the machine is (on a loaded CI machine a 1 s timeout left an item unknown
			// a second time). The idempotency key does not depend on the options, so the key is the same.
			const settling = { ...scenario, node: { ...scenario.node, timeoutSeconds: SETTLE_TIMEOUT_SECONDS } };
			const again = await this.runItems(
				settling,
				unknownItems.map((report) => items[report.index]),
				1,
			);
			const settled = run.reports.map((report) => ({ ...report }));
			again.reports.forEach((report, index) => {
				Object.assign(settled[unknownItems[index].index], { ...report, index: unknownItems[index].index });
			});
			await this.quiesce(scenario);
			const after = (await api.projects()).filter((project) => !before.has(String(project.id)));
			const remeasured = measure(scenario, settled, after, [], before);
			settle = {
				unknown: unknownItems.length,
				wereCreated: again.reports.filter((report) => report.outcome === 'replayed').length,
				createdNow: again.reports.filter((report) => report.outcome === 'created').length,
				duplicatesAfter: remeasured.duplicates,
				orphansAfter: remeasured.orphans,
			};
		}

		const counts = { created: 0, replayed: 0, existing: 0, failed: 0, unknown: 0 };
		for (const report of run.reports) {
			if (report.outcome && report.outcome in counts) counts[report.outcome as keyof typeof counts]++;
		}
		const faultsInjected = Object.fromEntries(
			Object.entries(stats.faultsInjected).filter(([, count]) => count > 0),
		);
		return {
			scenario,
			items: items.length,
			seconds,
			counts,
			unreported: run.reports.filter((report) => report.reports === 0 || !report.outcome).length,
			reportedTwice: run.reports.filter((report) => report.reports > 1).length,
			strayOutputs: run.strayOutputs,
			attempts: run.reports.reduce((sum, report) => sum + report.attempts + report.rateLimited, 0),
			maxAttempts: Math.max(0, ...run.reports.map((report) => report.attempts + report.rateLimited)),
			serverAttempts: log.length,
			serverRequests: nodeRequests.length,
			...measured,
			faultsInjected,
			inFlightConflicts: stats.inFlightConflicts,
			settle,
			secretHits: run.secretHits,
			reports: run.reports,
		};
	}
}
