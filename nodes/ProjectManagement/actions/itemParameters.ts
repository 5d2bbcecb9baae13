import type { IExecuteFunctions, NodeParameterValueType } from 'n8n-workflow';

/**
 * Reading a parameter for an item, with the commonest expression read straight from the item.
 *
 * n8n's getNodeParameter evaluates every expression on its own: a new data proxy each time, and on n8n 2.x's vm
 * engine an evaluation in a separate isolate, about 1 ms of CPU for each (docs/throughput.md). When a user drags a
 * field of the input onto a parameter, n8n writes the simplest expression there is, `{{ $json.deal.name }}` (or
 * `{{ $json["deal name"] }}`), and six mapped fields cost six evaluations per item.
 *
 * Such an expression only reads a value of the item. Once per run, each parameter's stored value is looked at:
 * when every expression in it is a plain path into `$json`, it is read from the item here, per item; when one is
 * anything else (a function, text around it, another node's data), n8n evaluates the whole parameter as always.
 * A path is read here only when it ends at text, a finite number or true/false that the item really holds (its
 * own properties all the way); a missing field, null, an object or a list goes to n8n for that item, so that what
 * the node gets, and every error, is n8n's own.
 */

/** One step of a path into `$json`: a property name or a list position. */
export type PathStep = string | number;

/**
 * A parameter's stored value, compiled: what to build per item. Lists and objects are taken apart, so that a
 * fixed value is text, a number, true/false, null or undefined and every item gets objects of its own.
 */
type Plan =
	| { kind: 'fixed'; value: unknown }
	| { kind: 'path'; path: PathStep[] }
	| { kind: 'list'; entries: Plan[] }
	| { kind: 'object'; entries: Array<[string, Plan]> };

const IDENTIFIER = /^[A-Za-z_$][\w$]*/;

/**
 * The path of an expression that only reads `$json`: `={{ $json.a.b }}`, `={{ $json["a b"][0] }}`. Undefined
 * for every other text, an expression or not.
 */
export function jsonPathOf(text: string): PathStep[] | undefined {
	const match = /^=\{\{\s*\$json(.*?)\s*\}\}$/s.exec(text);
	if (!match) return undefined;
	let rest = match[1];
	const path: PathStep[] = [];
	while (rest.length > 0) {
		if (rest.startsWith('.')) {
			const name = IDENTIFIER.exec(rest.slice(1));
			if (!name) return undefined;
			path.push(name[0]);
			rest = rest.slice(1 + name[0].length);
			continue;
		}
		const bracket = /^\[\s*(?:(\d{1,9})|'([^'\\\n]*)'|"([^"\\\n]*)")\s*\]/.exec(rest);
		if (!bracket) return undefined;
		path.push(bracket[1] !== undefined ? Number(bracket[1]) : (bracket[2] ?? bracket[3]));
		rest = rest.slice(bracket[0].length);
	}
	return path.length > 0 ? path : undefined;
}

function compile(value: unknown): Plan | undefined {
	if (typeof value === 'string') {
		if (!value.startsWith('=')) return { kind: 'fixed', value };
		const path = jsonPathOf(value);
		return path ? { kind: 'path', path } : undefined;
	}
	if (Array.isArray(value)) {
		const entries: Plan[] = [];
		for (const entry of value) {
			const plan = compile(entry);
			if (!plan) return undefined;
			entries.push(plan);
		}
		return { kind: 'list', entries };
	}
	if (typeof value === 'object' && value !== null) {
		const entries: Array<[string, Plan]> = [];
		for (const [key, entry] of Object.entries(value)) {
			const plan = compile(entry);
			if (!plan) return undefined;
			entries.push([key, plan]);
		}
		return { kind: 'object', entries };
	}
	return { kind: 'fixed', value };
}

const hasOwn = (value: object, key: PathStep) => Object.prototype.hasOwnProperty.call(value, key);

/** The value at `path` in the item, when it is one that reads the same here as through n8n; else undefined. */
export function readPath(json: unknown, path: PathStep[]): string | number | boolean | undefined {
	let value: unknown = json;
	for (const step of path) {
		if (typeof value !== 'object' || value === null) return undefined;
		if (Array.isArray(value) !== (typeof step === 'number') || !hasOwn(value, step)) return undefined;
		value = (value as Record<PathStep, unknown>)[step];
	}
	if (typeof value === 'string' || typeof value === 'boolean') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	return undefined;
}

/** Sentinel: this item's value must come from n8n. */
const ASK_N8N = Symbol('ask n8n');

function build(plan: Plan, json: unknown): unknown {
	switch (plan.kind) {
		case 'fixed':
			return plan.value;
		case 'path': {
			const value = readPath(json, plan.path);
			return value === undefined ? ASK_N8N : value;
		}
		case 'list': {
			const list: unknown[] = [];
			for (const entry of plan.entries) {
				const value = build(entry, json);
				if (value === ASK_N8N) return ASK_N8N;
				list.push(value);
			}
			return list;
		}
		case 'object': {
			const object: Record<string, unknown> = {};
			for (const [key, entry] of plan.entries) {
				const value = build(entry, json);
				if (value === ASK_N8N) return ASK_N8N;
				object[key] = value;
			}
			return object;
		}
	}
}

/** Per run (n8n makes one execute context per node run): each parameter's plan, or null for "always n8n". */
const plans = new WeakMap<object, Map<string, Plan | null>>();

function planOf(context: IExecuteFunctions, name: string, fallback: unknown): Plan | null {
	let run = plans.get(context);
	if (!run) {
		run = new Map();
		plans.set(context, run);
	}
	let plan = run.get(name);
	if (plan === undefined) {
		plan = compile(context.getNodeParameter(name, 0, fallback, { rawExpressions: true })) ?? null;
		run.set(name, plan);
	}
	return plan;
}

/**
 * The parameter `name` for item `itemIndex`, as n8n's getNodeParameter gives it, with plain `$json` paths read
 * from the item. For parameters n8n also checks or converts (resource mappers, resource locators with
 * extractValue), call getNodeParameter itself.
 */
export function itemParameter(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback: NodeParameterValueType | object,
): unknown {
	const plan = planOf(this, name, fallback);
	if (plan) {
		const value = build(plan, this.getInputData()[itemIndex]?.json);
		if (value !== ASK_N8N) return value;
	}
	return this.getNodeParameter(name, itemIndex, fallback);
}
