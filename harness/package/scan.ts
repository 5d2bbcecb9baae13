/**
 * The lint of n8n's community-package scanner (@n8n/scan-community-package), as `npm run scan` runs it
 * (scripts/scanPackage.ts). Like the scanner, it lints the source checkout (package.json, nodes/ and credentials/)
 * and the files of the npm tarball (every .js and package.json), with the rules of eslint.config.mjs and every
 * inline `eslint-disable` comment ignored. It also checks the tarball's file list: only dist/, index.js, README.md, LICENSE
 * and package.json, no source maps or TypeScript build info, every file the package.json "n8n" block names.
 */

import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { ESLint } from 'eslint';
import type { Linter } from 'eslint';

import { packInto, filesBelow, type Pack } from './pack';
import { PACKAGE_ROOT } from './paths';

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
