import type { ErrorObject } from 'ajv';

import type { FieldProblem } from '../errors';

/**
 * Turns ajv's errors into one plain-words problem per offending field, with dotted/indexed paths. A wrong
 * type says the most, so it wins over the other complaints about the same field (e.g. an enum's).
 */
export function problemsFromAjv(errors: readonly ErrorObject[], data: unknown): FieldProblem[] {
	const ordered = [
		...errors.filter((error) => error.keyword === 'type'),
		...errors.filter((error) => error.keyword !== 'type'),
	];
	const byField = new Map<string, FieldProblem>();
	for (const error of ordered) {
		const problem = describe(error, data);
		if (!byField.has(problem.field)) byField.set(problem.field, problem);
	}
	// Report in the order ajv found them, which follows the schema.
	const fields = errors.map((error) => describe(error, data).field);
	return [...byField.values()].sort((a, b) => fields.indexOf(a.field) - fields.indexOf(b.field));
}

function describe(error: ErrorObject, data: unknown): FieldProblem {
	const segments = pointerSegments(error.instancePath);
	const at = (extra?: string | number) => ({
		field: fieldPath(extra === undefined ? segments : [...segments, String(extra)], data),
	});
	const params = error.params as Record<string, unknown>;
	switch (error.keyword) {
		case 'required':
			return { ...at(params.missingProperty as string), message: 'is required' };
		case 'additionalProperties':
			return { ...at(params.additionalProperty as string), message: 'is not a known field' };
		case 'type':
			return { ...at(), message: `must be ${typeNames(params.type as string | string[])}` };
		case 'enum': {
			const allowed = (params.allowedValues as unknown[]).filter((value) => value !== null).map(String);
			const nullable = (params.allowedValues as unknown[]).includes(null) ? ' (or null)' : '';
			return { ...at(), message: `must be one of: ${allowed.join(', ')}${nullable}` };
		}
		case 'format':
			return { ...at(), message: formatMessage(params.format as string) };
		case 'minLength':
			return {
				...at(),
				message:
					params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`,
			};
		case 'maxLength':
			return { ...at(), message: `must be at most ${params.limit} characters long` };
		case 'minimum':
			return { ...at(), message: `must be ${params.limit} or more` };
		case 'maximum':
			return { ...at(), message: `must be ${params.limit} or less` };
		case 'minItems':
			return {
				...at(),
				message: params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} items`,
			};
		case 'uniqueItems':
			// ajv reports the earlier index as i and the later one as j.
			return {
				...at(params.j as number),
				message: `repeats the value at index ${params.i}; items must be unique`,
			};
		case 'pattern':
			return { ...at(), message: 'has an invalid format' };
		default:
			return { ...at(), message: error.message ?? 'is invalid' };
	}
}

function pointerSegments(pointer: string): string[] {
	if (pointer === '') return [];
	return pointer
		.slice(1)
		.split('/')
		.map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `budget.currency`, `teamIds[1]`; an index only where the data really is an array. */
export function fieldPath(segments: readonly string[], data: unknown): string {
	if (segments.length === 0) return 'body';
	let path = '';
	let node: unknown = data;
	for (const segment of segments) {
		path += Array.isArray(node) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
		node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
	}
	return path;
}

function typeNames(type: string | string[]): string {
	const names = (Array.isArray(type) ? type : type.split(',')).map((name) => {
		if (name === 'null') return 'null';
		if (name === 'object') return 'an object';
		if (name === 'array') return 'an array';
		if (name === 'integer') return 'an integer';
		return `a ${name}`;
	});
	return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
}

function formatMessage(format: string): string {
	if (format === 'date-time')
		return 'must be an RFC 3339 date-time with a time zone offset, e.g. 2026-01-31T09:00:00Z';
	if (format === 'date') return 'must be an ISO 8601 date, e.g. 2026-01-31';
	return `must be a valid ${format}`;
}
