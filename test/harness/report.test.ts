import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { writeDocsBlock } from '../../harness/report/docsBlock';
import { median } from '../../harness/report/median';
import { markdownTable } from '../../harness/report/tables';

/** The report utilities behind the figures on the docs pages (npm run throughput, throughput:n8n, matrix). */

describe('median', () => {
	it('takes the middle value, or the mean of the two middle ones', () => {
		expect(median([3, 1, 2])).toBe(2);
		expect(median([4, 1, 3, 2])).toBe(2.5);
		expect(median([7])).toBe(7);
	});
});

describe('markdownTable', () => {
	it('writes a header, a rule and one line per row, right-aligning the columns asked for', () => {
		expect(markdownTable(['name', 'ms'], [['a', 1]])).toBe('| name | ms |\n| --- | --- |\n| a | 1 |');
		expect(markdownTable(['name', 'ms'], [['a', 1]], [1])).toBe('| name | ms |\n| --- | ---: |\n| a | 1 |');
	});
});

describe('writeDocsBlock', () => {
	let dir: string;
	let page: string;

	beforeEach(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'pm-docs-block-'));
		page = path.join(dir, 'page.md');
	});

	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	const block = { name: 'figures', writtenBy: 'scripts/figures.ts', content: '| a |\n| --- |\n| 1 |' };
	const begin = '<!-- figures:begin (written by scripts/figures.ts; edit the script, not this block) -->';

	it('replaces what stands between the markers, and nothing else', () => {
		writeFileSync(
			page,
			`# Page\n\nBefore.\n\n<!-- figures:begin (written by an older script) -->\nold\n<!-- figures:end -->\n\nAfter.\n`,
		);
		writeDocsBlock(page, block);
		expect(readFileSync(page, 'utf8')).toBe(
			`# Page\n\nBefore.\n\n${begin}\n| a |\n| --- |\n| 1 |\n<!-- figures:end -->\n\nAfter.\n`,
		);
	});

	it('appends the block to a page without the markers', () => {
		writeFileSync(page, '# Page\n\nText.\n\n');
		writeDocsBlock(page, block);
		expect(readFileSync(page, 'utf8')).toBe(
			`# Page\n\nText.\n\n${begin}\n| a |\n| --- |\n| 1 |\n<!-- figures:end -->\n`,
		);
	});
});
