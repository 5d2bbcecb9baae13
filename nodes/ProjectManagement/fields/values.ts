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
	return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** A plain decimal number written as text ("12", "-3.5"), or undefined for anything else. */
export function numberFromText(value: string): number | undefined {
	return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
}
