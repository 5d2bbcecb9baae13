/** Small readings of values from the node's fields and from expressions, shared by every field check. */

/** Nothing given: undefined, null, or text that is only spaces. An untouched field is not sent. */
export const isBlank = (value: unknown) =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** A value as a message names it: "the number 3", "a list", "nothing". */
export function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (value === undefined) return 'nothing';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'number' && !Number.isFinite(value)) return `the number ${String(value)}`;
	return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** Length in characters as people and the API count them: an emoji or an accented letter is one. */
export function characterCount(text: string): number {
	let count = 0;
	for (const _character of text) count++;
	return count;
}

/** A plain decimal number written as text ("12", "-3.5", "1e5"), or undefined for anything else. */
export function numberFromText(value: string): number | undefined {
	return /^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i.test(value) ? Number(value) : undefined;
}
