import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { packForN8n } from '../package/pack';
import type { ReferenceApi } from '../referenceApi/client';
import { API_KEY_CREDENTIAL } from './credentials';
import { N8nHome } from './home';
import { ensureN8nInstalled, n8nPackageDir, type N8nLine } from './install';
import { N8nServer } from './server';
import { NODE, TRIGGER, createProjectsWorkflow } from './workflows';

/**
 * The throughput workloads in a real n8n (the end-to-end suite's install): n8n's own HTTP Request node, set up
 * the way users set it up, beside this package's node, on the same items against the same API.
 *
 * One `n8n start` serves all runs, so that n8n's start-up is in none of them. Each run is a workflow saved and run
 * through n8n's REST API as the editor's "Execute workflow" button does (Manual Trigger, the items made by core
 * nodes, then the node under test), in n8n's own process with the expression engine it starts (vm in 2.x).
 * Time is the node's own execution time from n8n's run data; CPU is n8n's process's (all threads, from /proc)
 * over the whole execution, read before it starts and once n8n reports it finished.
 */

export const HEADER_AUTH_CREDENTIAL = { id: 'pmBenchHeaderAut', name: 'Project Management API key (header)' };

/** How the HTTP Request node sends the API key. */
export type HttpRequestAuth =
	/** Typed into the node as a header parameter (Send Headers), as a quick setup does. */
	| 'headerParameter'
	/** In a Header Auth credential (encrypted, kept out of the workflow), as a careful setup does. */
	| 'headerAuthCredential';

export type Contender =
	| {
			kind: 'httpRequest';
			label: string;
			auth: HttpRequestAuth;
			batching?: { batchSize: number; batchInterval: number };
			retryOnFail: boolean;
	  }
	| {
			kind: 'projectManagement';
			label: string;
			options?: Record<string, unknown>;
			/** Map Automatically: the items come shaped as projects (mapping.shapedRows), no expression per field. */
			mapAutomatically?: boolean;
	  }
	/** The same workflow without a node that sends anything: what making the items costs, for subtraction. */
	| { kind: 'itemsOnly'; label: string };

/** What every contender gets: the items, and how the node under test maps them (the same fields in both). */
export interface BenchMapping {
	/** The items of one run, named after `tag` so that runs do not collide at the API. */
	rows(tag: string, count: number): Array<Record<string, unknown>>;
	/** The same items shaped as projects by an earlier node, for Map Automatically. */
	shapedRows(tag: string, count: number): Array<Record<string, unknown>>;
	/** This node's parameters (fields mapped by expressions). */
	projectParameters: Record<string, unknown>;
	/** This node's parameters with Map Automatically. */
	autoMappedParameters: Record<string, unknown>;
	/** The HTTP Request node's JSON body (the same fields, by expressions). */
	httpJsonBody: string;
}

export interface RealN8nFigures {
	label: string;
	/** The node's execution time, from n8n's run data. */
	ms: number;
	/** CPU time of n8n's process over the whole execution (ms). */
	cpuMs: number;
	/** Items that did not end as a created project (error items, or every item when the workflow failed). */
	failures: number;
	/** Projects created more than once (same name) at the API. */
	duplicates: number;
	/** Requests the API refused with 429, against all create requests it received. */
	share429: number;
	requests: number;
	workflowError?: string;
}

interface ExecutionSummary {
	id: string;
	status: string;
}

interface RunData {
	[node: string]: Array<{
		executionTime?: number;
		data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
		error?: { message?: string };
	}>;
}

export class RealN8nBench {
	private workflows = 0;

	private constructor(
		private readonly server: N8nServer,
		private readonly api: ReferenceApi,
		private readonly mapping: BenchMapping,
		private readonly parse: (flatted: string) => unknown,
	) {}

	static async start(api: ReferenceApi, mapping: BenchMapping, line: N8nLine = '2.x'): Promise<RealN8nBench> {
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
		// n8n's REST API sends execution data as `flatted` text; read it with the flatted n8n itself uses.
		const { parse } = createRequire(path.join(n8nPackageDir(line), 'package.json'))('flatted') as {
			parse: (text: string) => unknown;
		};
		const server = await N8nServer.start(home, { lifetimeSeconds: 3 * 3600, readyTimeoutMs: 400_000 });
		return new RealN8nBench(server, api, mapping, parse);
	}

	get version(): string {
		return this.server.home.version;
	}

	/** n8n's own CPU while it does nothing (ms per second), for scale: timers, its database, its task runner's broker. */
	async idleCpuMsPerSecond(seconds = 5): Promise<number> {
		const before = this.server.cpuMs();
		await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
		const after = this.server.cpuMs();
		return before === undefined || after === undefined ? NaN : (after - before) / seconds;
	}

	async stop(): Promise<void> {
		await this.server.stop();
	}

	/** Creates `items` projects with one contender; the API must have been reset and configured by the caller. */
	async run(contender: Contender, items: number, tag: string): Promise<RealN8nFigures> {
		const rows =
			contender.kind === 'projectManagement' && contender.mapAutomatically
				? this.mapping.shapedRows(tag, items)
				: this.mapping.rows(tag, items);
		const workflow = this.workflowFor(contender, rows);
		const saved = await this.server.rest<{ id: string }>('POST', '/rest/workflows', workflow);
		const cpuBefore = this.server.cpuMs();
		const started = await this.server.rest<{ executionId?: string }>(
			'POST',
			`/rest/workflows/${saved.id}/run`,
			{
				triggerToStartFrom: { name: TRIGGER },
			},
		);
		if (!started.executionId) throw new Error(`n8n did not start the workflow: ${JSON.stringify(started)}`);
		await this.finished(saved.id, started.executionId);
		const cpuAfter = this.server.cpuMs();
		const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? NaN : cpuAfter - cpuBefore;
		const execution = await this.server.rest<{ data: string }>(
			'GET',
			`/rest/executions/${started.executionId}`,
		);
		const data = this.parse(execution.data) as {
			resultData?: { runData?: RunData; error?: { message?: string } };
		};
		return await this.figures(contender, data.resultData ?? {}, rows.length, cpuMs);
	}

	/**
	 * Waits until n8n reports the execution ended, asking the executions list (which carries no execution data,
	 * so that asking costs n8n little) every 250 ms.
	 */
	private async finished(workflowId: string, executionId: string): Promise<void> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const deadline = Date.now() + 30 * 60_000;
		while (Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			let list: { results: ExecutionSummary[] };
			try {
				list = await this.server.rest<{ results: ExecutionSummary[] }>(
					'GET',
					`/rest/executions?filter=${filter}&limit=5`,
				);
			} catch (error) {
				// On a busy machine n8n now and then answers 503 "Database is not ready!" while its database
				// check is slow; the execution goes on, so ask again.
				if (/HTTP 503/.test(String(error))) continue;
				throw error;
			}
			const found = list.results.find((execution) => String(execution.id) === String(executionId));
			if (found && !['new', 'running', 'waiting'].includes(found.status)) return;
		}
		throw new Error(`execution ${executionId} did not end within 30 minutes`);
	}

	private workflowFor(contender: Contender, rows: Array<Record<string, unknown>>) {
		const id = `pmBench${String(++this.workflows).padStart(9, '0')}`;
		const base = createProjectsWorkflow({
			id,
			rows,
			credential: 'apiKey',
			parameters: contender.kind === 'projectManagement' ? this.projectParameters(contender) : {},
			settings: contender.kind === 'projectManagement' ? { onError: 'continueRegularOutput' } : undefined,
		});
		const workflow = {
			name: `bench ${id}`,
			nodes: base.nodes,
			connections: base.connections,
			settings: { executionOrder: 'v1' },
		};
		if (contender.kind === 'projectManagement') return workflow;
		const others = (base.nodes as Array<Record<string, unknown>>).filter((node) => node.name !== NODE);
		if (contender.kind === 'itemsOnly') {
			const connections = { ...base.connections } as Record<string, unknown>;
			for (const [from, to] of Object.entries(connections)) {
				if (JSON.stringify(to).includes(`"${NODE}"`)) delete connections[from];
			}
			return { ...workflow, nodes: others, connections };
		}
		return { ...workflow, nodes: [...others, this.httpRequestNode(contender)] };
	}

	private projectParameters(contender: Extract<Contender, { kind: 'projectManagement' }>) {
		const fields = contender.mapAutomatically
			? this.mapping.autoMappedParameters
			: this.mapping.projectParameters;
		return { ...fields, options: contender.options ?? {} };
	}

	/**
	 * n8n's HTTP Request node (4.5, what the editor adds in n8n 2.x) posting one project per item, as a user builds
	 * it: the body as JSON with the fields by expressions, the key as a header parameter or in a Header Auth
	 * credential, optionally Batching, and Retry On Fail in the node's settings (3 tries, 1 s apart: n8n's defaults
	 * once switched on).
	 */
	private httpRequestNode(contender: Extract<Contender, { kind: 'httpRequest' }>) {
		const auth =
			contender.auth === 'headerAuthCredential'
				? {
						parameters: { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' },
						credentials: { httpHeaderAuth: HEADER_AUTH_CREDENTIAL },
					}
				: {
						parameters: {
							sendHeaders: true,
							specifyHeaders: 'keypair',
							headerParameters: { parameters: [{ name: 'X-API-Key', value: DEMO_CREDENTIALS.apiKey }] },
						},
						credentials: undefined,
					};
		return {
			id: 'n4',
			name: NODE,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.5,
			position: [660, 0],
			parameters: {
				method: 'POST',
				url: `${this.api.url}/api/v1/projects`,
				...auth.parameters,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: this.mapping.httpJsonBody,
				options: contender.batching ? { batching: { batch: contender.batching } } : {},
			},
			...(auth.credentials ? { credentials: auth.credentials } : {}),
			...(contender.retryOnFail ? { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 } : {}),
		};
	}

	private async figures(
		contender: Contender,
		resultData: { runData?: RunData; error?: { message?: string } },
		items: number,
		cpuMs: number,
	): Promise<RealN8nFigures> {
		const workflowError = resultData.error?.message;
		if (contender.kind === 'itemsOnly') {
			return { label: contender.label, ms: 0, cpuMs, failures: 0, duplicates: 0, share429: 0, requests: 0 };
		}
		const runs = resultData.runData?.[NODE] ?? [];
		const ms = runs.reduce((sum, run) => sum + (run.executionTime ?? 0), 0);
		const output = runs.length ? (runs[runs.length - 1].data?.main?.[0] ?? []) : [];
		const okItems = workflowError ? 0 : output.filter((item) => item.json && !('error' in item.json)).length;
		const projects = await this.api.projects();
		const byName = new Map<string, number>();
		for (const project of projects)
			byName.set(String(project.name), (byName.get(String(project.name)) ?? 0) + 1);
		const duplicates = [...byName.values()].reduce((sum, count) => sum + (count - 1), 0);
		const attempts = await this.api.createAttempts();
		const refused = attempts.filter((attempt) => attempt.status === 429).length;
		return {
			label: contender.label,
			ms,
			cpuMs,
			failures: items - okItems,
			duplicates,
			share429: attempts.length ? refused / attempts.length : 0,
			requests: attempts.length,
			workflowError,
		};
	}
}
