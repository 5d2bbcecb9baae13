import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Writes a generated block into a docs page, between the markers `<!-- <name>:begin … -->` and
 * `<!-- <name>:end -->`, replacing what stood there; appends the block when the page has no such markers yet.
 * The begin marker names the script that writes the block, so that readers edit the script instead.
 */
export function writeDocsBlock(file: string, block: { name: string; writtenBy: string; content: string }) {
	const begin = `<!-- ${block.name}:begin (written by ${block.writtenBy}; edit the script, not this block) -->`;
	const end = `<!-- ${block.name}:end -->`;
	const generated = `${begin}\n${block.content}\n${end}`;
	const doc = readFileSync(file, 'utf8');
	const from = doc.indexOf(`<!-- ${block.name}:begin`);
	const to = doc.indexOf(end);
	const next =
		from >= 0 && to > from
			? doc.slice(0, from) + generated + doc.slice(to + end.length)
			: `${doc.trimEnd()}\n\n${generated}\n`;
	writeFileSync(file, next);
}
