/**
 * `npm run scan`: the lint of n8n's community-package scanner (@n8n/scan-community-package), run here before
 * publishing. Like the scanner, it lints the source checkout (package.json, nodes/ and credentials/) and the
 * files of the npm tarball (every .js and package.json), with the rules of eslint.config.mjs and every inline
 * `eslint-disable` comment ignored. It also checks the tarball's file list: only dist/, index.js, README.md, LICENSE
 * and package.json, no source maps or TypeScript build info, every file the package.json "n8n" block names.
 *
 *   npm run scan [-- <package folder>] [--no-build] [--report <file.json>]
 *
 * Without a folder it scans this package, building it first if the sources are newer than dist/. Exits 1 when
 * anything is found (warnings count too, although the scanner itself only fails on errors).
 */

import { spawnSync } from 'node:child_process';
import { globSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { ESLint } from 'eslint';
import type { Linter } from 'eslint';

import { PACKAGE_ROOT, buildIfNeeded } from './build';

/** The pieces of eslint.config.mjs the scan uses: the scanner's rules and its two sets of file patterns. */
interface ScanConfig {
	scanConfig: Linter.Config[];
	SCAN_SOURCE_FILES: string[];
	SCAN_PACKED_FILES: string[];
}

export interface Finding {
	/** `source` for the checkout, `pack` for the files of the npm tarball. */
	leg: 'source' | 'pack';
	/** Relative to the package folder (source) or to the tarball's package root (pack). */
	file: string;
	line: number;
	column: number;
	severity: 'error' | 'warning';
	ruleId: string | null;
	message: string;
}

export interface ScanReport {
	packageDir: string;
	tarball: string;
	/** The files each leg linted, relative as in Finding. */
	lintedSourceFiles: string[];
	lintedPackedFiles: string[];
	/** The tarball's files as `npm pack --json` lists them. */
	packedFiles: string[];
	findings: Finding[];
	/** Messages an inline comment would have hidden; always 0 when inline config is ignored. */
	suppressed: number;
	fileListProblems: string[];
	seconds: number;
}

export interface Pack {
	/** The .tgz file. */
	tarball: string;
	/** The files in it, as `npm pack --json` lists them, sorted. */
	files: string[];
	/** Where it was unpacked: the package's root (the tarball's `package/` folder). */
	dir: string;
}

/** `npm pack` of `packageDir` into `destination`, unpacked there the way the scanner unpacks a download. */
export function packInto(packageDir: string, destination: string): Pack {
	const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: packageDir,
		encoding: 'utf8',
	});
	if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
	let listing: Array<{ filename: string; files: Array<{ path: string }> }>;
	try {
		listing = JSON.parse(packed.stdout);
	} catch {
		throw new Error(`npm pack --json printed something other than JSON:\n${packed.stdout}`);
	}
	const tarball = path.join(destination, listing[0].filename);
	const dir = path.join(destination, 'package');
	mkdirSync(dir);
	const unpacked = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], {
		encoding: 'utf8',
	});
	if (unpacked.status !== 0) throw new Error(`Unpacking ${tarball} failed:\n${unpacked.stderr}`);
	return { tarball, files: listing[0].files.map((file) => file.path).sort(), dir };
}

/** Every file below `dir`, relative to it, with "/" as separator. */
export function filesBelow(dir: string): string[] {
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
		.sort();
}

const ALWAYS_PACKED = ['LICENSE', 'README.md', 'package.json'];
/** The entry point package.json's "main" names, as in n8n's node starter; it re-exports the classes of dist/. */
const ENTRY_POINT = 'index.js';

/** What is wrong with a tarball's file list, in sentences; empty when nothing is. */
export function fileListProblems(pack: Pack): string[] {
	const problems: string[] = [];
	for (const file of pack.files) {
		if (!file.startsWith('dist/') && !ALWAYS_PACKED.includes(file) && file !== ENTRY_POINT) {
			problems.push(`${file} is packed: only dist/, ${[ENTRY_POINT, ...ALWAYS_PACKED].join(', ')} should be`);
		} else if (file.endsWith('.map')) {
			problems.push(`${file} is packed: source maps name the build machine's files`);
		} else if (file.endsWith('.tsbuildinfo')) {
			problems.push(`${file} is packed: TypeScript's build info holds the build machine's paths`);
		}
	}
	for (const file of ALWAYS_PACKED) {
		if (!pack.files.includes(file)) problems.push(`${file} is missing from the pack`);
	}
	const inTarball = filesBelow(pack.dir);
	if (inTarball.join('\n') !== pack.files.join('\n')) {
		problems.push('The tarball holds other files than npm pack --json lists');
	}
	const manifest = JSON.parse(readFileSync(path.join(pack.dir, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const declared = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
	if (declared.length === 0) problems.push('package.json names no nodes or credentials in its "n8n" block');
	for (const file of declared) {
		if (!inTarball.includes(file))
			problems.push(`${file}, named in package.json's "n8n" block, is not packed`);
	}
	return problems;
}

/** Lints the files matching `patterns` below `dir` as the scanner does: its rules only, inline comments ignored. */
async function lintLikeTheScanner(
	dir: string,
	patterns: string[],
	config: Linter.Config[],
): Promise<{ files: string[]; results: ESLint.LintResult[] }> {
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: config,
	});
	const files = globSync(patterns, { cwd: dir, exclude: ['node_modules', '**/package-lock.json'] })
		.map((file) => file.split(path.sep).join('/'))
		.sort();
	const results = files.length > 0 ? await eslint.lintFiles(files.map((file) => path.join(dir, file))) : [];
	return { files, results };
}

function findingsOf(leg: Finding['leg'], dir: string, results: ESLint.LintResult[]): Finding[] {
	return results.flatMap((result) =>
		result.messages.map((message) => ({
			leg,
			file: path.relative(dir, result.filePath).split(path.sep).join('/'),
			line: message.line,
			column: message.column,
			severity: message.severity === 2 ? ('error' as const) : ('warning' as const),
			ruleId: message.ruleId,
			message: message.message,
		})),
	);
}

async function loadScanConfig(): Promise<ScanConfig> {
	return (await import(pathToFileURL(path.join(PACKAGE_ROOT, 'eslint.config.mjs')).href)) as ScanConfig;
}

/** Stylish output, with each file named as the reader knows it: in the checkout, or in the tarball. */
async function printFindings(
	packageDir: string,
	pack: Pack,
	source: ESLint.LintResult[],
	packed: ESLint.LintResult[],
) {
	const formatter = await new ESLint().loadFormatter('stylish');
	const renamed = [
		...source.map((result) => ({ ...result, filePath: path.relative(packageDir, result.filePath) })),
		...packed.map((result) => ({
			...result,
			filePath: `${path.basename(pack.tarball)} → ${path.relative(pack.dir, result.filePath)}`,
		})),
	];
	const text = await formatter.format(renamed);
	if (text.trim() !== '') console.log(text);
}

export async function scanPackage(packageDir: string): Promise<ScanReport> {
	const started = Date.now();
	const { scanConfig, SCAN_SOURCE_FILES, SCAN_PACKED_FILES } = await loadScanConfig();
	const workDir = mkdtempSync(path.join(os.tmpdir(), 'pm-scan-'));
	try {
		const source = await lintLikeTheScanner(packageDir, SCAN_SOURCE_FILES, scanConfig);
		const pack = packInto(packageDir, workDir);
		const packed = await lintLikeTheScanner(pack.dir, SCAN_PACKED_FILES, scanConfig);
		await printFindings(packageDir, pack, source.results, packed.results);
		return {
			packageDir,
			tarball: path.basename(pack.tarball),
			lintedSourceFiles: source.files,
			lintedPackedFiles: packed.files,
			packedFiles: pack.files,
			findings: [
				...findingsOf('source', packageDir, source.results),
				...findingsOf('pack', pack.dir, packed.results),
			],
			suppressed: [...source.results, ...packed.results].reduce(
				(sum, result) => sum + result.suppressedMessages.length,
				0,
			),
			fileListProblems: fileListProblems(pack),
			seconds: (Date.now() - started) / 1000,
		};
	} finally {
		rmSync(workDir, { recursive: true, force: true });
	}
}

function summary(report: ScanReport): string {
	const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	const errors = report.findings.filter((finding) => finding.severity === 'error').length;
	const warnings = report.findings.length - errors;
	const clean = report.findings.length === 0 && report.fileListProblems.length === 0;
	return (
		`${clean ? '✔' : '✖'} n8n community-package scan of ${report.tarball}: ` +
		`${count(report.lintedSourceFiles.length, 'source file')} and ${count(report.lintedPackedFiles.length, 'packed file')} linted ` +
		`(inline eslint comments ignored), ${count(report.packedFiles.length, 'file')} in the tarball; ` +
		`${count(errors, 'error')}, ${count(warnings, 'warning')}, ${count(report.fileListProblems.length, 'file-list problem')} ` +
		`(${report.seconds.toFixed(1)} s)`
	);
}

async function main() {
	// eslint-plugin-n8n-nodes-base reads NODE_ENV when it loads: under "test" (as jest sets it) it takes every
	// file for a node file named Test.node.ts. The scanner runs without it.
	if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: { 'no-build': { type: 'boolean', default: false }, report: { type: 'string' } },
	});
	const packageDir = path.resolve(positionals[0] ?? PACKAGE_ROOT);
	if (packageDir === PACKAGE_ROOT && !values['no-build']) buildIfNeeded();
	const report = await scanPackage(packageDir);
	for (const problem of report.fileListProblems) console.log(`✖ ${problem}`);
	console.log(summary(report));
	if (values.report) writeFileSync(values.report, JSON.stringify(report, null, '\t'));
	if (report.findings.length > 0 || report.fileListProblems.length > 0) process.exitCode = 1;
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exitCode = 2;
	});
}
