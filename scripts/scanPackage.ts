/**
 * `npm run scan`: the lint of n8n's community-package scanner (@n8n/scan-community-package), run here before
 * publishing (what it checks: harness/package/scan.ts).
 *
 *   npm run scan [-- <package folder>] [--no-build] [--report <file.json>]
 *
 * Without a folder it scans this package, building it first if the sources are newer than dist/. Exits 1 when
 * anything is found (warnings count too, although the scanner itself only fails on errors).
 */

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { buildIfNeeded } from '../harness/package/build';
import { PACKAGE_ROOT } from '../harness/package/paths';
import { scanPackage, type ScanReport } from '../harness/package/scan';

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

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 2;
});
