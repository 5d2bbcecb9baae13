import { readFileSync } from 'node:fs';
import path from 'node:path';

import { filesBelow } from '../../harness/package/pack';
import { PACKAGE_ROOT } from '../../harness/package/paths';
import type { ScanRun } from './scanRun';
import { runScan } from './scanRun';

/** `npm run scan`: the lint of n8n's community-package scanner, on the sources and on the npm pack. */
describe('npm run scan on this package', () => {
	let run: ScanRun;

	beforeAll(() => {
		run = runScan(PACKAGE_ROOT);
	}, 180_000);

	it('finds nothing in the sources or in the npm pack, with inline eslint comments ignored', () => {
		expect(run.report.findings).toEqual([]);
		expect(run.report.fileListProblems).toEqual([]);
		expect(run.report.suppressed).toBe(0);
		expect(run.stdout).toMatch(
			/✔ n8n community-package scan of .*; 0 errors, 0 warnings, 0 file-list problems/,
		);
		expect(run.status).toBe(0);
	});

	it("lints the scanner's files: package.json, every file of nodes/ and credentials/, every packed .js (index.js too)", () => {
		const sources = ['nodes', 'credentials'].flatMap((dir) =>
			filesBelow(path.join(PACKAGE_ROOT, dir))
				.filter((file) => /\.(js|ts|json)$/.test(file))
				.map((file) => `${dir}/${file}`),
		);
		expect(run.report.lintedSourceFiles).toEqual(['package.json', ...sources].sort());

		const packedJs = run.report.packedFiles.filter((file) => file.endsWith('.js'));
		expect(run.report.lintedPackedFiles).toEqual([...packedJs, 'package.json'].sort());
		expect(run.report.lintedPackedFiles).toContain('index.js');
		const { n8n } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
		for (const loaded of [...n8n.nodes, ...n8n.credentials]) {
			expect(run.report.lintedPackedFiles).toContain(loaded);
		}
	});
});
