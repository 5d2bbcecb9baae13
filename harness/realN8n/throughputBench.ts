import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { packForN8n } from '../package/pack';
import type { ReferenceApi } from '../referenceApi/client';
import { N8nHome, type ExecutionResult } from './home';
import { ensureN8nInstalled, type N8nLine } from './install';
import { API_KEY_CREDENTIAL } from './credentials';
import { NODE, createProjectsWorkflow } from './workflows';

/**
 * The throughput workloads in a real n8n (the end-to-end suite's install): n8n's own HTTP Request node, set up
 * the way a user sets it up, beside this package's node, on the same items against the same API. Time is the
 * node's own execution time as n8n records it in the run data, so n8n's start-up is not counted.
 */

export const HEADER_AUTH_CREDENTIAL = { id: 'pmBenchHeaderAut', name: 'Project Management API key (header)' };

export type Contender =
	| {
			kind: 'httpRequest';
			label: string;
			batching?: { batchSize: number; batchInterval: number };
			retryOnFail: boolean;
	  }
	| { kind: 'projectManagement'; label: string; options?: Record<string, unknown> };

export interface RealN8nFigures {
	label: string;
	/** The node's execution time, from n8n's run data. */
	ms: number;
	/** Items that did not end as a created project (error items, or every item when the workflow failed). */
	failures: number;
	/** Projects created more than once (same name) at the API. */
	duplicates: number;
	/** Requests the API refused with 429, against all create requests it received. */
	share429: number;
	requests: number;
	workflowError?: string;
}

export class RealN8nBench {
	private workflows = 0;

	private constructor(
		private readonly home: N8nHome,
		private readonly api: ReferenceApi,
	) {}

	static async start(api: ReferenceApi, line: N8nLine = '2.x'): Promise<RealN8nBench> {
		await ensureN8nInstalled(line);
		const extensions = await packForN8n(mkdtempSync(path.join(tmpdir(), 'pm-bench-pack-')));
		const home = new N8nHome(line, { extensions });
		await home.importCredentials([
			{
				...API_KEY_CREDENTIAL,
				type: 'projectManagementApi',
				data: { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.apiKey, keyLocation: 'header' },
			},
			{
				...HEADER_AUTH_CREDENTIAL,
				type: 'httpHeaderAuth',
				data: { name: 'X-API-Key', value: DEMO_CREDENTIALS.apiKey },
			},
		]);
		return new RealN8nBench(home, api);
	}

	get version(): string {
		return this.home.version;
	}

	/** Creates `items` projects with one contender; the API must have been reset and configured by the caller. */
	async run(contender: Contender, items: number, tag: string): Promise<RealN8nFigures> {
		const rows = Array.from({ length: items }, (_, index) => ({ name: `${tag} ${index + 1}` }));
		const id = `pmBench${String(++this.workflows).padStart(9, '0')}`;
		const workflow =
			contender.kind === 'projectManagement'
				? createProjectsWorkflow({
						id,
						rows,
						credential: 'apiKey',
						parameters: { name: '={{ $json.name }}', options: contender.options ?? {} },
						settings: { onError: 'continueRegularOutput' },
					})
				: httpRequestWorkflow(id, rows, this.api.url, contender);
		await this.home.importWorkflow(workflow);
		const result = await this.home.execute(id);
		return this.figures(contender.label, result, rows.length);
	}

	private async figures(label: string, result: ExecutionResult, items: number): Promise<RealN8nFigures> {
		const runs = result.runData?.[NODE] ?? [];
		const ms = runs.reduce((sum, run) => sum + ((run as { executionTime?: number }).executionTime ?? 0), 0);
		const output = runs.length ? (runs[runs.length - 1].data?.main?.[0] ?? []) : [];
		const okItems = result.error ? 0 : output.filter((item) => item.json && !('error' in item.json)).length;
		const projects = await this.api.projects();
		const byName = new Map<string, number>();
		for (const project of projects)
			byName.set(String(project.name), (byName.get(String(project.name)) ?? 0) + 1);
		const duplicates = [...byName.values()].reduce((sum, count) => sum + (count - 1), 0);
		const attempts = await this.api.createAttempts();
		const refused = attempts.filter((attempt) => attempt.status === 429).length;
		return {
			label,
			ms,
			failures: items - okItems,
			duplicates,
			share429: attempts.length ? refused / attempts.length : 0,
			requests: attempts.length,
			workflowError: result.error,
		};
	}
}

/**
 * A workflow with n8n's HTTP Request node (v4.2) posting one project per item, as a user builds it: the API key
 * in a Header Auth credential, the body from an expression, optionally Batching, and Retry On Fail in the node's
 * settings (3 tries, 1 s apart: n8n's defaults once switched on).
 */
function httpRequestWorkflow(
	id: string,
	rows: Array<Record<string, unknown>>,
	apiUrl: string,
	contender: Extract<Contender, { kind: 'httpRequest' }>,
) {
	const base = createProjectsWorkflow({ id, rows, credential: 'apiKey', parameters: {} });
	const nodes = (base.nodes as Array<Record<string, unknown>>).filter((node) => node.name !== NODE);
	nodes.push({
		id: 'n4',
		name: NODE,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [660, 0],
		parameters: {
			method: 'POST',
			url: `${apiUrl}/api/v1/projects`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ name: $json.name }) }}',
			options: contender.batching ? { batching: { batch: contender.batching } } : {},
		},
		credentials: { httpHeaderAuth: HEADER_AUTH_CREDENTIAL },
		...(contender.retryOnFail ? { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 } : {}),
	});
	return { ...base, nodes, connections: base.connections, name: `bench ${id}` };
}
