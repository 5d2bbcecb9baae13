import Table from 'cli-table3';

/** A console table without colours, so that what is printed reads the same in a terminal and in a log. */
export function plainTable(head: string[]): Table.Table {
	return new Table({ head, style: { head: [], border: [] } });
}

/** A Markdown table, the columns at the indexes in `rightAligned` (numbers, say) aligned right. */
export function markdownTable(
	head: string[],
	rows: Array<Array<string | number>>,
	rightAligned: number[] = [],
): string {
	const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
	const rule = head.map((_, index) => (rightAligned.includes(index) ? '---:' : '---'));
	return [line(head), line(rule), ...rows.map(line)].join('\n');
}
