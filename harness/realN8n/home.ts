import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../ports';
import { NODE24, installedVersion, n8nPackageDir, withNode24Path, type N8nLine } from './install';

/** Settings that keep n8n from reaching for outside hosts and from asking questions. */
export const QUIET_N8N_ENV: Record<string, string> = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
	N8N_COMMUNITY_PACKAGES_ENABLED: 'false',
	N8N_SECURE_COOKIE: 'false',
	N8N_LOG_LEVEL: 'info',
};

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowImport {
	id: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

/**
 * One n8n home (user folder with its own SQLite database and encryption key) for one release line, with the
 * package loaded. CLI commands and the server both run against it, one at a time.
 */
export class N8nHome {
	readonly userFolder: string;
	readonly version: string;
	private readonly extensions: string;

	constructor(
		readonly line: N8nLine,
		options: { root?: string; extensions: string },
	) {
		const version = installedVersion(line);
		if (!version) throw new Error(`n8n ${line} is not installed: call ensureN8nInstalled('${line}') first`);
		this.version = version;
		this.userFolder = options.root ?? mkdtempSync(path.join(tmpdir(), `pm-n8n-${line}-`));
		this.extensions = options.extensions;
	}

	/** The node's type name in workflow JSON when the package is loaded as a custom extension. */
	static readonly NODE_TYPE = 'CUSTOM.projectManagement';
	/** The trigger's, likewise. */
	static readonly TRIGGER_NODE_TYPE = 'CUSTOM.projectManagementTrigger';

	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: this.userFolder, LANG: 'C.UTF-8' };
		return withNode24Path({
			...env,
			...QUIET_N8N_ENV,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: 'e2e-encryption-key-not-a-secret',
			N8N_CUSTOM_EXTENSIONS: this.extensions,
			...extra,
		});
	}

	/** The n8n command of this home's release line. */
	n8nBin(): string {
		return path.join(n8nPackageDir(this.line), 'bin', 'n8n');
	}

	/** Runs one n8n CLI command to its end, bounded in time. */
	async cli(
		args: string[],
		options: { timeoutMs?: number; env?: Record<string, string> } = {},
	): Promise<CliResult> {
		const brokerPort = await freePort();
		const child = spawn(NODE24, [this.n8nBin(), ...args], {
			cwd: this.userFolder,
			env: this.env({ N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...options.env }),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timeoutMs = options.timeoutMs ?? 120_000;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				child.kill('SIGKILL');
				reject(new Error(`n8n ${args.join(' ')} did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
			}, timeoutMs);
			child.on('error', reject);
			child.on('close', (code) => {
				clearTimeout(timer);
				resolve({ code, stdout, stderr });
			});
		});
	}

	private writeInput(name: string, content: unknown): string {
		const dir = path.join(this.userFolder, 'imports');
		mkdirSync(dir, { recursive: true });
		const file = path.join(dir, name);
		writeFileSync(file, JSON.stringify(content, null, 2));
		return file;
	}

	async importCredentials(credentials: CredentialImport[]): Promise<void> {
		const file = this.writeInput(`credentials-${Date.now()}.json`, credentials);
		const result = await this.cli(['import:credentials', `--input=${file}`]);
		rmSync(file);
		if (result.code !== 0) throw new Error(`import:credentials failed:\n${result.stdout}\n${result.stderr}`);
	}

	async importWorkflow(workflow: WorkflowImport): Promise<void> {
		const file = this.writeInput(`workflow-${workflow.id}.json`, [
			{ active: false, settings: { executionOrder: 'v1' }, ...workflow },
		]);
		const result = await this.cli(['import:workflow', `--input=${file}`]);
		if (result.code !== 0) throw new Error(`import:workflow failed:\n${result.stdout}\n${result.stderr}`);
	}

	/**
	 * Marks an imported workflow active, so that the next `n8n start` activates it (its triggers subscribe):
	 * `publish:workflow` on 2.x, `update:workflow --active=true` on 1.x. Neither reaches a running n8n.
	 */
	async publishWorkflow(workflowId: string): Promise<void> {
		const args =
			this.line === '1.x'
				? ['update:workflow', `--id=${workflowId}`, '--active=true']
				: ['publish:workflow', `--id=${workflowId}`];
		const result = await this.cli(args);
		if (result.code !== 0 || /error/i.test(result.stderr)) {
			throw new Error(`${args[0]} failed:\n${result.stdout}\n${result.stderr}`);
		}
	}

	/**
	 * `n8n execute --id … --rawOutput`: the CLI prints the execution's data as JSON when it succeeds, and the
	 * error when a node stops the workflow.
	 */
	async execute(workflowId: string): Promise<ExecutionResult> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
		return parseExecution(result);
	}
}

export interface ExecutionResult {
	cli: CliResult;
	/** The run data per node name, when the CLI printed it. */
	runData?: Record<
		string,
		Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: unknown }>
	>;
	/** The error the execution ended with, as n8n printed it. */
	error?: string;
}

/**
 * The CLI prints the execution as pretty JSON, starting with a line `{` and ending with a line `}`, on success
 * (`--rawOutput`) and, among its log lines, on failure.
 */
function parseExecution(cli: CliResult): ExecutionResult {
	const lines = cli.stdout.split('\n');
	const start = lines.indexOf('{');
	const end = start < 0 ? -1 : lines.indexOf('}', start);
	if (end > start) {
		try {
			const parsed = JSON.parse(lines.slice(start, end + 1).join('\n')) as {
				data?: { resultData?: { runData?: ExecutionResult['runData']; error?: { message?: string } } };
			};
			const resultData = parsed.data?.resultData;
			return { cli, runData: resultData?.runData, error: resultData?.error?.message };
		} catch {
			// Not the execution's JSON: reported below.
		}
	}
	return {
		cli,
		error: `n8n printed no execution data (exit ${cli.code}):\n${cli.stdout}\n${cli.stderr}`.trim(),
	};
}

/** The items one node put out on one of its outputs in its last run. */
export function nodeOutput(
	result: ExecutionResult,
	nodeName: string,
	output = 0,
): Array<Record<string, unknown>> {
	const runs = result.runData?.[nodeName];
	if (!runs?.length)
		throw new Error(`No run data for "${nodeName}": ${result.error ?? result.cli.stdout.slice(0, 2000)}`);
	return (runs[runs.length - 1].data?.main?.[output] ?? []).map((item) => item.json);
}
