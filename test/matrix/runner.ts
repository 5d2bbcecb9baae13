import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { DEMO_CREDENTIALS, FAULT_CLASSES, type RequestLogEntry } from '../../reference-api/src';
import { EngineHarness, type RunResult } from '../../harness/engine/engineHarness';
import { ReferenceApi } from '../../harness/referenceApi/client';
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

const ALL_SCOPES = ['projects:read', 'projects:write', 'directory:read'] as const;

export const WORKFLOW_ID = 'wf-fault-matrix';
export const NODE_ID = 'pm-matrix-node';

export type ItemKind = 'ok' | 'badOwner' | 'duplicateName' | 'reusedKey';

export interface MatrixItem {
	kind: ItemKind;
	/** The name the project gets (or, for duplicateName, the name that is taken). */
	name: string;
	json: IDataObject;
}

/** How one input item ended, as the node reported it. */
export interface ItemReport {
	index: number;
	kind: ItemKind;
	name: string;
	/** How many output items (regular and error output together) point at this input item. */
	reports: number;
	outcome?: string;
	attempts: number;
	waitedMs: number;
	idempotencyKey?: string;
	projectId?: string;
	retryable?: boolean;
	error?: string;
}

export interface ScenarioResult {
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
	/** Items whose reported attempts differ from the requests the server saw with their key (401 resends aside). */
	attemptMismatches: number;
	/** Projects on the server made during the run (projects that existed before are left out). */
	serverProjects: number;
	/** Projects beyond the first for one item. */
	duplicates: number;
	/** Projects no output item reported, not even as "unknown". */
	orphans: number;
	/** Items reported failed although a project for them exists. */
	falseFailures: number;
	/** Items reported created/replayed whose id is not on the server or belongs to another item's project. */
	wrongReports: number;
	/** Business-error items that did not fail as they must (failed, not retryable, 1 attempt when faults allow). */
	businessViolations: number;
	/** Retries that reached the server before the Retry-After of the answer before them allowed. */
	earlyRetries: number;
	/** Retries that followed an answer with Retry-After (how much the check above had to check). */
	retriesAfterRetryAfter: number;
	/** Smallest margin by which such a retry came after the moment Retry-After allowed, in ms. */
	minRetryAfterMarginMs: number | null;
	/** Items whose waitedMs falls short of the Retry-After waits the server asked of them (see WAIT_SLACK_MS). */
	waitUnderreported: number;
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

function itemKinds(scenario: Scenario): ItemKind[] {
	const { badOwner = 0, duplicateName = 0, reusedKey = 0 } = scenario.business;
	return Array.from({ length: scenario.items }, (_, index) => {
		// A fixed stride spreads each kind evenly over the items.
		const bucket = ((index * 37) % 100) / 100;
		if (bucket < badOwner) return 'badOwner';
		if (bucket < badOwner + duplicateName) return 'duplicateName';
		if (bucket < badOwner + duplicateName + reusedKey) return 'reusedKey';
		return 'ok';
	});
}

export function buildItems(scenario: Scenario): MatrixItem[] {
	return itemKinds(scenario).map((kind, index) => {
		const name = kind === 'duplicateName' ? existingName(scenario, index) : `${scenario.id} deal ${index}`;
		const json: IDataObject = {
			dealId: kind === 'reusedKey' ? reusedKey(scenario, index) : `${scenario.id}-deal-${index}`,
			// The taken name arrives in another case: names are unique case-insensitively.
			name: kind === 'duplicateName' ? name.toUpperCase() : name,
			description: `Deal ${index} of scenario ${scenario.id}`,
			ownerId: kind === 'badOwner' ? 'usr_nobody' : 'usr_1001',
		};
		return { kind, name, json };
	});
}

const existingName = (scenario: Scenario, index: number) => `${scenario.id} existing ${index}`;
const reusedKey = (scenario: Scenario, index: number) => `${scenario.id}-reused-${index}`;

export function nodeParameters(scenario: Scenario): INodeParameters {
	return {
		name: '={{ $json.name }}',
		ifExists: scenario.ifExists,
		additionalFields: {
			description: '={{ $json.description }}',
			ownerId: { __rl: true, mode: 'id', value: '={{ $json.ownerId }}' },
		},
		options: {
			...scenario.node,
			...(scenario.customKeys ? { idempotencyKey: '={{ $json.dealId }}' } : {}),
		},
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pairedIndex(item: INodeExecutionData): number | undefined {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	if (Array.isArray(paired)) return paired.length === 1 ? paired[0].item : undefined;
	return paired?.item;
}

function noFaults(): Record<string, number> {
	return Object.fromEntries(FAULT_CLASSES.map((name) => [name, 0]));
}

export class MatrixRunner {
	/** Every OAuth2 access token n8n-core obtained during the runs, for the secret search. */
	readonly tokens = new Set<string>();

	private constructor(
		readonly api: ReferenceApi,
		readonly harness: EngineHarness,
	) {}

	static async start(): Promise<MatrixRunner> {
		const api = await ReferenceApi.start({
			apiKeys: [
				{ key: CANARY.apiKey, clientId: 'canary-matrix-key', name: 'Canary key', scopes: [...ALL_SCOPES] },
				{
					key: DEMO_CREDENTIALS.apiKey,
					clientId: DEMO_CREDENTIALS.apiKeyClientId,
					name: 'Observer',
					scopes: [...ALL_SCOPES],
				},
			],
			oauthClients: [
				{
					clientId: CANARY.clientId,
					clientSecret: CANARY.clientSecret,
					name: 'Canary client',
					scopes: [...ALL_SCOPES],
				},
			],
		});
		try {
			const harness = await EngineHarness.load();
			const runner = new MatrixRunner(api, harness);
			harness.setCredential('matrix-key', { baseUrl: api.url, apiKey: CANARY.apiKey, keyLocation: 'header' });
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
		} catch (error) {
			await api.close();
			throw error;
		}
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
					settings: { onError: 'continueErrorOutput' },
					workflowId: WORKFLOW_ID,
					nodeId: NODE_ID,
				}),
			),
		);
		const reports: ItemReport[] = items.map((item, index) => ({
			index,
			kind: item.kind,
			name: item.name,
			reports: 0,
			attempts: 0,
			waitedMs: 0,
		}));
		let strayOutputs = 0;
		let secretHits = 0;
		results.forEach((result, sliceIndex) => {
			const offset = sliceIndex * size;
			for (const output of [...result.output, ...result.errorOutput]) {
				const local = pairedIndex(output);
				const report = local === undefined ? undefined : reports[offset + local];
				if (!report || local! >= slices[sliceIndex].length) {
					strayOutputs++;
					continue;
				}
				report.reports++;
				// A failed item on the error output carries its outcome record in `details` (see actions/router.ts).
				const outcome = (output.json._result ?? output.json.details ?? {}) as IDataObject;
				report.outcome = outcome.outcome as string | undefined;
				report.attempts = Number(outcome.attempts ?? 0);
				report.waitedMs = Number(outcome.waitedMs ?? 0);
				report.idempotencyKey = outcome.idempotencyKey as string | undefined;
				report.retryable = outcome.retryable as boolean | undefined;
				if (typeof output.json.id === 'string') report.projectId = output.json.id;
				if (typeof output.json.error === 'string') report.error = output.json.error;
			}
			const error = result.error;
			secretHits += this.countSecrets(
				JSON.stringify(result.run) + [error?.message, error?.description, error?.stack].join('\n'),
			);
		});
		return { reports, results, strayOutputs, secretHits };
	}

	/** Waits until no held or slow answer of the scenario can still change what the server holds or logged. */
	private async quiesce(scenario: Scenario): Promise<void> {
		const slow = (scenario.rates.slowBeforeCommit ?? 0) + (scenario.rates.timeoutAfterCommit ?? 0);
		if (slow > 0) await sleep(scenario.api.slowMs + 100);
	}

	async run(scenario: Scenario): Promise<ScenarioResult> {
		const { api } = this;
		await api.reset();
		await api.configure({
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
			const again = await this.runItems(
				scenario,
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
			attempts: run.reports.reduce((sum, report) => sum + report.attempts, 0),
			maxAttempts: Math.max(0, ...run.reports.map((report) => report.attempts)),
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

type Measured = Pick<
	ScenarioResult,
	| 'serverProjects'
	| 'duplicates'
	| 'orphans'
	| 'falseFailures'
	| 'wrongReports'
	| 'businessViolations'
	| 'attemptMismatches'
	| 'earlyRetries'
	| 'retriesAfterRetryAfter'
	| 'minRetryAfterMarginMs'
	| 'waitUnderreported'
>;

const nameKey = (name: unknown) => String(name).trim().toLowerCase();

/**
 * The node measures a wait from when it has read the answer, the server from when it sent it; the difference
 * (transit, parsing, a busy event loop) is allowed per wait. A node that did not report its waits at all would
 * still fall short by far more: the waits checked are whole seconds, or 0.
 */
export const WAIT_SLACK_MS = 250;

/** Compares what the node reported with what the server holds and logged. */
export function measure(
	scenario: Scenario,
	reports: ItemReport[],
	projects: Array<Record<string, unknown>>,
	log: RequestLogEntry[],
	/** Projects that existed before the run, id → name. */
	before: Map<string, string> = new Map(),
): Measured {
	const byName = new Map<string, Array<Record<string, unknown>>>();
	for (const project of projects) {
		const key = nameKey(project.name);
		byName.set(key, [...(byName.get(key) ?? []), project]);
	}
	const byId = new Map(projects.map((project) => [String(project.id), project]));

	let duplicates = 0;
	for (const list of byName.values()) duplicates += Math.max(0, list.length - 1);

	const reportedIds = new Map<string, number>();
	const unknownNames = new Set<string>();
	let falseFailures = 0;
	let wrongReports = 0;
	let businessViolations = 0;
	for (const report of reports) {
		const exists = (byName.get(nameKey(report.name)) ?? []).length > 0;
		if (report.outcome === 'created' || report.outcome === 'replayed' || report.outcome === 'existing') {
			const id = report.projectId ?? '';
			// "existing" names a project from before the run; the others one made during it.
			const name = report.outcome === 'existing' ? before.get(id) : byId.get(id)?.name;
			if (name === undefined || nameKey(name) !== nameKey(report.name)) wrongReports++;
			if (report.projectId !== undefined) {
				reportedIds.set(report.projectId, (reportedIds.get(report.projectId) ?? 0) + 1);
			}
		}
		if (report.outcome === 'unknown') unknownNames.add(nameKey(report.name));
		if (report.outcome === 'failed' && exists && report.kind !== 'duplicateName') falseFailures++;
		if (report.kind === 'duplicateName' && scenario.ifExists === 'returnExisting') {
			// Find or create: the name lookup finds the project, nothing is sent after it.
			if (report.outcome !== 'existing' || report.attempts !== 1) businessViolations++;
		} else if (report.kind !== 'ok') {
			const failedForGood = report.outcome === 'failed' && report.retryable === false;
			// With transient faults the one decisive answer may come after retries, or never (then "unknown").
			const clean = Object.keys(scenario.rates).length === 0;
			if (
				clean ? !(failedForGood && report.attempts === 1) : !(failedForGood || report.outcome === 'unknown')
			) {
				businessViolations++;
			}
		}
	}
	for (const count of reportedIds.values()) if (count > 1) wrongReports += count - 1;

	let orphans = 0;
	for (const project of projects) {
		if (reportedIds.has(String(project.id))) continue;
		if (unknownNames.has(nameKey(project.name))) continue;
		orphans++;
	}

	// Retries per item and execution, in the order they arrived.
	const byAttemptChain = new Map<string, RequestLogEntry[]>();
	for (const entry of log) {
		if (!entry.idempotencyKey) continue;
		const chain = `${entry.executionId ?? ''}|${entry.idempotencyKey}`;
		byAttemptChain.set(chain, [...(byAttemptChain.get(chain) ?? []), entry]);
	}
	let earlyRetries = 0;
	let retriesAfterRetryAfter = 0;
	let minRetryAfterMarginMs: number | null = null;
	const requestedWaitMs = new Map<string, number>();
	const attemptsSeen = new Map<string, number>();
	for (const entries of byAttemptChain.values()) {
		entries.sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
		const key = entries[0].idempotencyKey!;
		// n8n-core sends a request once more itself after a 401 (new token); the node counts that as one attempt.
		attemptsSeen.set(
			key,
			(attemptsSeen.get(key) ?? 0) + entries.filter((entry) => entry.status !== 401).length,
		);
		for (let index = 1; index < entries.length; index++) {
			const previous = entries[index - 1];
			if (previous.retryNotBefore === null) continue;
			retriesAfterRetryAfter++;
			const margin = entries[index].receivedAt - previous.retryNotBefore;
			minRetryAfterMarginMs =
				minRetryAfterMarginMs === null ? margin : Math.min(minRetryAfterMarginMs, margin);
			if (margin < 0) earlyRetries++;
			const asked = Math.max(0, previous.retryNotBefore - previous.at - WAIT_SLACK_MS);
			requestedWaitMs.set(key, (requestedWaitMs.get(key) ?? 0) + asked);
		}
	}
	let attemptMismatches = 0;
	let waitUnderreported = 0;
	// Find or create looks the name up first (one GET, which carries no key and is never faulted).
	const lookups = scenario.ifExists === 'returnExisting' ? 1 : 0;
	if (log.length > 0) {
		for (const report of reports) {
			if (!report.idempotencyKey || report.attempts === 0) continue;
			if ((attemptsSeen.get(report.idempotencyKey) ?? 0) + lookups !== report.attempts) attemptMismatches++;
			if (report.waitedMs < (requestedWaitMs.get(report.idempotencyKey) ?? 0)) waitUnderreported++;
		}
	}

	return {
		serverProjects: projects.length,
		duplicates,
		orphans,
		falseFailures,
		wrongReports,
		businessViolations,
		attemptMismatches,
		earlyRetries,
		retriesAfterRetryAfter,
		minRetryAfterMarginMs,
		waitUnderreported,
	};
}
