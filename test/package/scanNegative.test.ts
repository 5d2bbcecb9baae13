import { spawnSync } from 'node:child_process';
import {
	appendFileSync,
	cpSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../../harness/package/paths';
import type { ScanRun } from './scanRun';
import { runScan } from './scanRun';

/**
 * The negative control of `npm run scan`: a copy of the package with violations planted behind eslint-disable
 * comments, which the scan must report (as n8n's scanner would), and a source map that the pack must not ship.
 */

const NODE_SOURCE = 'nodes/ProjectManagement/ProjectManagement.node.ts';
const NODE_BUILT = 'dist/nodes/ProjectManagement/ProjectManagement.node.js';
const PLANTED_MAP = 'dist/nodes/ProjectManagement/ProjectManagement.node.js.map';
const PLANTED_MAIN = 'index.js';
const ESLINT_CLI = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');

/** Appends lines to a file; returns the line number of the last one. */
function plant(file: string, lines: string[]): number {
	appendFileSync(file, `\n${lines.join('\n')}\n`);
	return readFileSync(file, 'utf8').split('\n').length - 1;
}

describe('npm run scan on a copy of the package with planted violations', () => {
	let copy: string;
	let timerLine: number;
	let importLine: number;
	let run: ScanRun;

	beforeAll(() => {
		copy = mkdtempSync(path.join(os.tmpdir(), 'pm-scan-control-'));
		// Without the build's source maps and build info: the plants below are to be the only problems.
		const unplanted = (file: string) => !file.endsWith('.map') && !file.endsWith('.tsbuildinfo');
		for (const entry of [
			'package.json',
			'README.md',
			'LICENSE',
			'eslint.config.mjs',
			'nodes',
			'credentials',
			'dist',
		]) {
			cpSync(path.join(PACKAGE_ROOT, entry), path.join(copy, entry), { recursive: true, filter: unplanted });
		}
		// For the plain eslint run below, which resolves the config's plugins from the copy.
		symlinkSync(path.join(PACKAGE_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');

		// A timer n8n Cloud forbids, hidden from eslint by a comment on the line before it.
		timerLine = plant(path.join(copy, NODE_SOURCE), [
			'// eslint-disable-next-line',
			'setTimeout(() => undefined, 0);',
		]);
		// A forbidden import in the built file, with every rule of the file switched off.
		const built = path.join(copy, NODE_BUILT);
		writeFileSync(built, `/* eslint-disable */\n${readFileSync(built, 'utf8')}`);
		importLine = plant(built, ['require("node:fs");']);
		// A source map naming the build machine's files, let through by a plain "files": ["dist"], and an entry
		// point outside dist/, which npm packs whatever "files" says.
		writeFileSync(
			path.join(copy, PLANTED_MAP),
			JSON.stringify({ version: 3, sources: [path.join(PACKAGE_ROOT, NODE_SOURCE)] }),
		);
		writeFileSync(path.join(copy, PLANTED_MAIN), 'module.exports = {};\n');
		const manifest = JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8'));
		manifest.files = ['dist'];
		manifest.main = PLANTED_MAIN;
		writeFileSync(path.join(copy, 'package.json'), JSON.stringify(manifest, null, 2));

		run = runScan(copy);
	}, 180_000);

	afterAll(() => {
		if (copy) rmSync(copy, { recursive: true, force: true });
	});

	it('plants violations that a plain eslint run with the same rules lets through, because of the comments', () => {
		const eslint = spawnSync(
			process.execPath,
			[ESLINT_CLI, '--no-ignore', '--format', 'json', NODE_SOURCE, NODE_BUILT],
			{ cwd: copy, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_ENV: undefined } },
		);
		expect(eslint.status).toBe(0);
		const results = JSON.parse(eslint.stdout) as Array<{
			messages: unknown[];
			suppressedMessages: Array<{ ruleId: string; line: number }>;
		}>;
		expect(results.flatMap((result) => result.messages)).toEqual([]);
		const suppressed = results.flatMap((result) => result.suppressedMessages);
		expect(suppressed).toContainEqual(
			expect.objectContaining({ ruleId: '@n8n/community-nodes/no-restricted-globals', line: timerLine }),
		);
		expect(suppressed).toContainEqual(
			expect.objectContaining({ ruleId: '@n8n/community-nodes/no-restricted-imports', line: importLine }),
		);
	});

	it('reports both, in the sources and in the npm pack, as the scanner would: inline comments do not count', () => {
		expect(run.report.findings).toEqual([
			expect.objectContaining({
				leg: 'source',
				file: NODE_SOURCE,
				line: timerLine,
				severity: 'error',
				ruleId: '@n8n/community-nodes/no-restricted-globals',
			}),
			expect.objectContaining({
				leg: 'pack',
				file: NODE_BUILT,
				line: importLine,
				severity: 'error',
				ruleId: '@n8n/community-nodes/no-restricted-imports',
			}),
		]);
		expect(run.report.suppressed).toBe(0);
		expect(run.stdout).toContain('no-restricted-globals');
		expect(run.stdout).toContain(`→ ${NODE_BUILT}`);
		expect(run.stdout).toMatch(/✖ n8n community-package scan .*; 2 errors/);
	});

	it('reports the source map and the file outside dist/ in the pack, and fails', () => {
		expect(run.report.packedFiles).toEqual(expect.arrayContaining([PLANTED_MAP, PLANTED_MAIN]));
		expect(run.report.fileListProblems).toEqual([
			expect.stringMatching(new RegExp(`^${PLANTED_MAP}.*source maps`)),
			expect.stringMatching(new RegExp(`^${PLANTED_MAIN} is packed`)),
		]);
		expect(run.status).toBe(1);
	});
});
