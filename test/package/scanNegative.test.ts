import { spawnSync } from 'node:child_process';
import {
	appendFileSync,
	cpSync,
	mkdirSync,
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
 * comments (in a node's source, in a built file and in the index.js entry point), which the scan must report (as
 * n8n's scanner would), and a source map and a stray file that the pack must not ship.
 */

const NODE_SOURCE = 'nodes/ProjectManagement/ProjectManagement.node.ts';
const NODE_BUILT = 'dist/nodes/ProjectManagement/ProjectManagement.node.js';
const PLANTED_MAP = 'dist/nodes/ProjectManagement/ProjectManagement.node.js.map';
const ENTRY_POINT = 'index.js';
const PLANTED_MAIN = 'lib/main.js';
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
	let entryLine: number;
	let run: ScanRun;

	beforeAll(() => {
		copy = mkdtempSync(path.join(os.tmpdir(), 'pm-scan-control-'));
		// Without the build's source maps and build info: the plants below are to be the only problems.
		const unplanted = (file: string) => !file.endsWith('.map') && !file.endsWith('.tsbuildinfo');
		for (const entry of [
			'package.json',
			'index.js',
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
		// A global n8n Cloud forbids in the entry point, which only the pack holds (the scanner lints every .js).
		entryLine = plant(path.join(copy, ENTRY_POINT), [
			'// eslint-disable-next-line',
			'module.exports.folder = __dirname;',
		]);
		// A source map naming the build machine's files, let through by "files" without the "!dist/**/*.map", and
		// another entry point outside dist/, which npm packs whatever "files" says (only index.js may be there).
		writeFileSync(
			path.join(copy, PLANTED_MAP),
			JSON.stringify({ version: 3, sources: [path.join(PACKAGE_ROOT, NODE_SOURCE)] }),
		);
		mkdirSync(path.join(copy, path.dirname(PLANTED_MAIN)));
		writeFileSync(path.join(copy, PLANTED_MAIN), 'module.exports = {};\n');
		const manifest = JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8'));
		manifest.files = [ENTRY_POINT, 'dist'];
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
			[ESLINT_CLI, '--no-ignore', '--format', 'json', NODE_SOURCE, NODE_BUILT, ENTRY_POINT],
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
		expect(suppressed).toContainEqual(
			expect.objectContaining({ ruleId: '@n8n/community-nodes/no-restricted-globals', line: entryLine }),
		);
	});

	it('reports all three, in the sources and in the npm pack, as the scanner would: inline comments do not count', () => {
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
			expect.objectContaining({
				leg: 'pack',
				file: ENTRY_POINT,
				line: entryLine,
				severity: 'error',
				ruleId: '@n8n/community-nodes/no-restricted-globals',
			}),
		]);
		expect(run.report.suppressed).toBe(0);
		expect(run.stdout).toContain('no-restricted-globals');
		expect(run.stdout).toContain(`→ ${NODE_BUILT}`);
		expect(run.stdout).toContain(`→ ${ENTRY_POINT}`);
		expect(run.stdout).toMatch(/✖ n8n community-package scan .*; 3 errors/);
	});

	it('reports the source map and the file outside dist/ in the pack (but not index.js), and fails', () => {
		expect(run.report.packedFiles).toEqual(expect.arrayContaining([PLANTED_MAP, PLANTED_MAIN, ENTRY_POINT]));
		expect(run.report.fileListProblems).toEqual([
			expect.stringMatching(new RegExp(`^${PLANTED_MAP}.*source maps`)),
			expect.stringMatching(new RegExp(`^${PLANTED_MAIN} is packed`)),
		]);
		expect(run.status).toBe(1);
	});
});
