import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../../harness/package/paths';
import { freePort } from '../../harness/ports';
import {
	DEV_API_KEY_CREDENTIAL,
	DEV_OAUTH2_CREDENTIAL,
	DEV_SAMPLE_WORKFLOW,
	READY_LINE,
} from '../../harness/realN8n/devEnvironment';
import { N8nHome } from '../../harness/realN8n/home';
import { NODE24, installedVersion } from '../../harness/realN8n/install';
import { N8nRestClient, OWNER } from '../../harness/realN8n/restClient';

/**
 * `npm run dev` as a user runs it: the script comes up, prints where to sign in, and the n8n behind that address
 * has the node and both demo credentials, pointing at the reference API the script started. Ctrl-C (SIGINT to
 * the whole process group, as a terminal sends it) stops everything. A second start on the same home keeps what
 * the user made and points the credentials at the new API.
 */

const TSX_CLI = path.join(PACKAGE_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const READY_MS = 300_000;
const STOP_MS = 60_000;

const available = installedVersion('2.x') !== undefined;
const describeIf = available ? describe : describe.skip;

interface DevRun {
	child: ChildProcess;
	output: () => string;
	editorUrl: string;
	apiUrl: string;
}

/** Starts `scripts/dev.ts` in its own process group, the way `npm run dev` starts it, and waits for its banner. */
async function startDev(devDir: string, port: number, apiPort: number): Promise<DevRun> {
	const child = spawn(
		NODE24,
		[TSX_CLI, 'scripts/dev.ts', '--port', String(port), '--api-port', String(apiPort), '--quiet'],
		{
			cwd: PACKAGE_ROOT,
			env: { ...process.env, PM_DEV_DIR: devDir, PATH: `${path.dirname(NODE24)}:${process.env.PATH ?? ''}` },
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		},
	);
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const run = { child, output: () => output, editorUrl: '', apiUrl: '' };
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`npm run dev was not ready within ${READY_MS} ms:\n${output}`)),
			READY_MS,
		);
		const check = () => {
			const editor = /n8n editor:\s+(http:\/\/\S+?)\/?\s*$/m.exec(output);
			const api = /reference API:\s+(http:\/\/\S+)/.exec(output);
			if (output.includes(READY_LINE) && editor && api) {
				clearTimeout(timer);
				run.editorUrl = editor[1];
				run.apiUrl = api[1];
				resolve();
			}
		};
		child.stdout!.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`npm run dev exited with code ${code} before it was ready:\n${output}`));
		});
	});
	return run;
}

/** Ctrl-C in the terminal: SIGINT to every process of the group. Resolves with the exit code. */
async function interrupt(run: DevRun): Promise<number | null> {
	if (run.child.exitCode !== null) return run.child.exitCode;
	const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
	process.kill(-run.child.pid!, 'SIGINT');
	const timer = setTimeout(() => kill(run), STOP_MS);
	const code = await exited;
	clearTimeout(timer);
	return code;
}

function kill(run: DevRun | undefined) {
	if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return;
	try {
		process.kill(-run.child.pid!, 'SIGKILL');
	} catch {
		// already gone
	}
}

function listening(url: string): Promise<boolean> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve) => {
		const socket = connect({ host: hostname, port: Number(port) });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

interface Credential {
	id: string;
	name: string;
	type: string;
	data?: Record<string, unknown>;
}

describeIf('npm run dev', () => {
	let devDir: string;
	let run: DevRun | undefined;

	beforeAll(() => {
		devDir = mkdtempSync(path.join(tmpdir(), 'pm-dev-e2e-'));
	});

	afterAll(() => {
		kill(run);
		rmSync(devDir, { recursive: true, force: true });
	});

	async function expectCredentialsPointAt(rest: N8nRestClient, apiUrl: string) {
		const credentials = await rest.rest<Credential[]>('GET', '/rest/credentials');
		const ours = credentials
			.filter((credential) => credential.type.startsWith('projectManagement'))
			.map(({ id, name, type }) => ({ id, name, type }))
			.sort((a, b) => a.type.localeCompare(b.type));
		expect(ours).toEqual([
			{ ...DEV_API_KEY_CREDENTIAL, type: 'projectManagementApi' },
			{ ...DEV_OAUTH2_CREDENTIAL, type: 'projectManagementOAuth2Api' },
		]);
		for (const { id } of ours) {
			const stored = await rest.rest<Credential>('GET', `/rest/credentials/${id}?includeData=true`);
			expect(stored.data?.baseUrl).toBe(apiUrl);
		}
		// The Test button with the stored key: n8n asks the running reference API who the key belongs to.
		const apiKey = await rest.rest<Credential>(
			'GET',
			`/rest/credentials/${DEV_API_KEY_CREDENTIAL.id}?includeData=true`,
		);
		const tested = await rest.rest<{ status: string }>('POST', '/rest/credentials/test', {
			credentials: { id: apiKey.id, name: apiKey.name, type: apiKey.type, data: apiKey.data },
		});
		expect(tested.status).toBe('OK');
	}

	it(
		'comes up with the node, both demo credentials and the sample workflow; Ctrl-C stops it; a restart keeps the home',
		async () => {
			const [port, apiPort] = [await freePort(), await freePort()];
			run = await startDev(devDir, port, apiPort);
			expect(run.editorUrl).toBe(`http://127.0.0.1:${port}`);
			expect(run.apiUrl).toBe(`http://127.0.0.1:${apiPort}`);
			expect(run.output()).toContain(`sign in as:      ${OWNER.email}`);
			expect(run.output()).toContain(`password:        ${OWNER.password}`);

			const rest = new N8nRestClient(run.editorUrl);
			await rest.signIn(OWNER.email, OWNER.password);
			const [nodeType] = await rest.rest<
				Array<{ displayName: string; credentials: Array<{ name: string }> }>
			>('POST', '/rest/node-types', { nodeInfos: [{ name: N8nHome.NODE_TYPE, version: 1 }] });
			expect(nodeType.displayName).toBe('Project Management');
			expect(nodeType.credentials.map((credential) => credential.name).sort()).toEqual([
				'projectManagementApi',
				'projectManagementOAuth2Api',
			]);
			await expectCredentialsPointAt(rest, run.apiUrl);
			const sample = await rest.rest<{ name: string; nodes: Array<{ type: string }> }>(
				'GET',
				`/rest/workflows/${DEV_SAMPLE_WORKFLOW.id}`,
			);
			expect(sample.name).toBe(DEV_SAMPLE_WORKFLOW.name);
			expect(sample.nodes.map((node) => node.type)).toContain(N8nHome.NODE_TYPE);
			// What a user makes in the editor, to be found after the restart.
			const made = await rest.rest<{ id: string }>('POST', '/rest/workflows', {
				name: 'Made before the restart',
				nodes: [],
				connections: {},
				settings: { executionOrder: 'v1' },
				active: false,
			});

			expect(await interrupt(run)).toBe(0);
			expect(run.output()).toContain('Stopped.');
			expect(await listening(run.editorUrl)).toBe(false);
			expect(await listening(run.apiUrl)).toBe(false);

			// Again on the same home, with the reference API elsewhere.
			const [port2, apiPort2] = [await freePort(), await freePort()];
			run = await startDev(devDir, port2, apiPort2);
			const again = new N8nRestClient(run.editorUrl);
			await again.signIn(OWNER.email, OWNER.password);
			await expectCredentialsPointAt(again, run.apiUrl);
			const workflows = await again.rest<Array<{ id: string; name: string }>>('GET', '/rest/workflows');
			expect(workflows.map((workflow) => workflow.id).sort()).toEqual(
				[DEV_SAMPLE_WORKFLOW.id, made.id].sort(),
			);

			expect(await interrupt(run)).toBe(0);
			expect(await listening(run.editorUrl)).toBe(false);
		},
		2 * READY_MS + 4 * STOP_MS,
	);
});
