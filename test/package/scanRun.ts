import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../../harness/package/paths';
import type { ScanReport } from '../../harness/package/scan';

export interface ScanRun {
	status: number | null;
	stdout: string;
	stderr: string;
	report: ScanReport;
}

/**
 * `npm run scan` on a package folder, as a separate process (the scan loads eslint.config.mjs, an ES module,
 * which jest's module system cannot). Never builds: a build during the test run would replace dist/ under the
 * engine tests running beside it, and `npm test` builds before jest anyway.
 */
export function runScan(packageDir: string): ScanRun {
	const reportDir = mkdtempSync(path.join(os.tmpdir(), 'pm-scan-report-'));
	const reportFile = path.join(reportDir, 'report.json');
	try {
		const run = spawnSync(
			process.execPath,
			[
				require.resolve('tsx/cli'),
				path.join(PACKAGE_ROOT, 'scripts', 'scanPackage.ts'),
				packageDir,
				'--no-build',
				'--report',
				reportFile,
			],
			{ cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 180_000 },
		);
		let report: ScanReport;
		try {
			report = JSON.parse(readFileSync(reportFile, 'utf8')) as ScanReport;
		} catch {
			throw new Error(`The scan wrote no report (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
		}
		return { status: run.status, stdout: run.stdout, stderr: run.stderr, report };
	} finally {
		rmSync(reportDir, { recursive: true, force: true });
	}
}
