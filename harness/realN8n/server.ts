import { spawn, type ChildProcess } from 'node:child_process';

import { freePort } from '../ports';
import type { N8nHome } from './home';
import { NODE24 } from './install';
import { N8nRestClient } from './restClient';

/**
 * `n8n start` on loopback for one n8n home: the editor and its REST API, with the instance owner set up, so
 * that tests (and `npm run dev`) can do what a signed-in user does.
 */

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message?: string;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
}

export class N8nServer {
	private output = '';
	private readonly client: N8nRestClient;

	private constructor(
		readonly home: N8nHome,
		readonly url: string,
		private readonly child: ChildProcess,
	) {
		this.client = new N8nRestClient(url);
	}

	/**
	 * Starts the server and waits until it answers. `lifetimeSeconds` bounds how long the process may live, so
	 * that a test run that dies leaves no n8n behind; 0 lets it run until stopped (for `npm run dev`).
	 */
	static async start(
		home: N8nHome,
		options: { port?: number; lifetimeSeconds?: number; inheritOutput?: boolean } = {},
	): Promise<N8nServer> {
		const port = options.port ?? (await freePort());
		const brokerPort = await freePort();
		const lifetime = options.lifetimeSeconds ?? 900;
		const n8nBin = home.n8nBin();
		const command = lifetime > 0 ? 'timeout' : NODE24;
		const args =
			lifetime > 0 ? ['--kill-after=10', String(lifetime), NODE24, n8nBin, 'start'] : [n8nBin, 'start'];
		const child = spawn(command, args, {
			cwd: home.userFolder,
			env: home.env({
				N8N_PORT: String(port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				N8N_PROTOCOL: 'http',
				N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			}),
			stdio: [
				'ignore',
				options.inheritOutput ? 'inherit' : 'pipe',
				options.inheritOutput ? 'inherit' : 'pipe',
			],
		});
		const server = new N8nServer(home, `http://127.0.0.1:${port}`, child);
		child.stdout?.on('data', (chunk: Buffer) => (server.output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (server.output += chunk.toString()));
		try {
			await server.waitUntilReady(120_000);
			await server.client.signInAsOwner();
		} catch (error) {
			await server.stop();
			throw error;
		}
		return server;
	}

	/** What the server printed, for failure messages. */
	get log(): string {
		return this.output;
	}

	private async waitUntilReady(timeoutMs: number) {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.child.exitCode !== null) {
				throw new Error(
					`n8n exited with code ${this.child.exitCode} while starting:\n${this.output.slice(-4000)}`,
				);
			}
			try {
				// While it starts, n8n answers every route with 200 "n8n is starting up"; the settings route
				// answers JSON once the REST API is mounted.
				const response = await fetch(`${this.url}/rest/settings`, { signal: AbortSignal.timeout(2_000) });
				if (response.ok && response.headers.get('content-type')?.includes('json')) return;
			} catch {
				// not listening yet
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`n8n did not become ready within ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
	}

	/** A call to n8n's own REST API as the signed-in owner; returns the `data` n8n wraps answers in. */
	rest<T>(method: string, route: string, body?: unknown): Promise<T> {
		return this.client.rest<T>(method, route, body);
	}

	/**
	 * What the Test button in the credential dialog does: it sends the stored credential's id with the values in
	 * the dialog, and n8n runs the credential type's `test` request.
	 */
	testCredential(credentials: { id: string; name: string; type: string; data: Record<string, unknown> }) {
		return this.rest<CredentialTestResult>('POST', '/rest/credentials/test', { credentials });
	}

	/** The executions of a workflow n8n holds (running ones included), newest first. */
	async executions(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await this.rest<{ results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?filter=${filter}&limit=100`,
		);
		return page.results;
	}

	/** Deactivates (2.x: unpublishes) a workflow, as its switch in the editor does: n8n removes its webhooks. */
	async deactivateWorkflow(workflowId: string): Promise<void> {
		await this.rest('POST', `/rest/workflows/${workflowId}/deactivate`, {});
	}

	/** Resolves when the n8n process has ended, by stop() or on its own (a crash, a signal from the terminal). */
	waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) {
			return Promise.resolve({ code: this.child.exitCode, signal: this.child.signalCode });
		}
		return new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		this.child.kill('SIGTERM');
		const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(timer);
	}
}
