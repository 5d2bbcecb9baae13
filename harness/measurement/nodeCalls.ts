import { createRequire } from 'node:module';

import { ExecuteContext } from 'n8n-core';
import { Expression } from 'n8n-workflow';

/**
 * What a run of the node asks of n8n, counted: each call of `getNodeParameter` (by parameter), each expression
 * n8n evaluates, each credential read, and each deep copy n8n-workflow makes. Counted by wrapping n8n's own
 * methods for the time of one run (not a timed one): the calls the node's changes can remove or cache.
 */

export interface NodeCallCounts {
	/** getNodeParameter calls by parameter name (n8n-core's NodeExecutionContext._getNodeParameter). */
	parameters: Record<string, number>;
	/** Expressions evaluated (n8n-workflow's Expression.resolveSimpleParameterValue), whichever the engine. */
	evaluations: number;
	/** Credential reads (NodeExecutionContext._getCredentials): the node's own and n8n's request helper's. */
	credentialReads: number;
	/** Deep copies by n8n-workflow's deepCopy (whole objects: a copy's own recursive calls are not counted). */
	deepCopies: number;
	/**
	 * Where the node's code caused those calls: `<n8n call> ← <the node's function>` (e.g. `deepCopy ← getNode ←
	 * idempotencyKeyFor`) with their counts; calls made with none of the node's code on the stack are under
	 * `(outside the node)`.
	 */
	callers: Record<string, number>;
}

/** The node's innermost function on the current stack, from a stack trace (dist/nodes, or its sources). */
function nodeFunction(stack: string): string {
	for (const line of stack.split('\n').slice(1)) {
		if (!/\/(dist\/)?nodes\//.test(line)) continue;
		const name = /at (?:async )?(?:\S+\.)?([^\s.(]+) \(/.exec(line.trim())?.[1];
		return name ?? '(anonymous)';
	}
	return '(outside the node)';
}

/** The n8n function just inside `wrapper` on the stack (who called deepCopy, say). */
function directCaller(stack: string): string {
	const line = stack.split('\n')[3] ?? '';
	return /at (?:async )?(?:\S+\.)?([^\s.(]+) \(/.exec(line.trim())?.[1] ?? '(anonymous)';
}

type Method = (...args: unknown[]) => unknown;

/** The prototype in the chain of `start` that defines `name` itself. */
function owner(start: object, name: string): Record<string, Method> {
	let proto: object | null = start;
	while (proto !== null && !Object.prototype.hasOwnProperty.call(proto, name)) {
		proto = Object.getPrototypeOf(proto) as object | null;
	}
	if (proto === null) throw new Error(`n8n has no method ${name} here any more: update nodeCalls.ts`);
	return proto as Record<string, Method>;
}

/** Replaces `holder[name]` with a wrapper that calls `count` first, until the returned function is called. */
function wrap(holder: Record<string, Method>, name: string, count: (args: unknown[]) => void): () => void {
	const original = holder[name];
	holder[name] = function (this: unknown, ...args: unknown[]) {
		count(args);
		return original.apply(this, args);
	};
	return () => {
		holder[name] = original;
	};
}

/** Counts what `work` asks of n8n (see NodeCallCounts). */
export async function countNodeCalls(work: () => Promise<unknown>): Promise<NodeCallCounts> {
	const counts: NodeCallCounts = {
		parameters: {},
		evaluations: 0,
		credentialReads: 0,
		deepCopies: 0,
		callers: {},
	};
	const from = (call: string, stack: string) => {
		const key = `${call} ← ${nodeFunction(stack)}`;
		counts.callers[key] = (counts.callers[key] ?? 0) + 1;
	};
	let copying = 0;
	const context = owner(ExecuteContext.prototype, '_getNodeParameter');
	// n8n-workflow calls its deepCopy through its utils module's exports, and n8n-core through the package's.
	const utils = createRequire(require.resolve('n8n-workflow'))('./utils.js') as Record<string, Method>;
	const restore = [
		wrap(context, '_getNodeParameter', ([name]) => {
			counts.parameters[String(name)] = (counts.parameters[String(name)] ?? 0) + 1;
			from(`getNodeParameter('${String(name)}')`, new Error().stack ?? '');
		}),
		wrap(owner(ExecuteContext.prototype, '_getCredentials'), '_getCredentials', () => {
			counts.credentialReads++;
			from('getCredentials', new Error().stack ?? '');
		}),
		wrap(owner(Expression.prototype, 'resolveSimpleParameterValue'), 'resolveSimpleParameterValue', () => {
			counts.evaluations++;
		}),
	];
	const deepCopy = utils.deepCopy;
	utils.deepCopy = function (this: unknown, ...args: unknown[]) {
		if (copying === 0) {
			counts.deepCopies++;
			const stack = new Error().stack ?? '';
			from(`deepCopy ← ${directCaller(stack)}`, stack);
		}
		copying++;
		try {
			return deepCopy.apply(this, args);
		} finally {
			copying--;
		}
	};
	restore.push(() => {
		utils.deepCopy = deepCopy;
	});
	const stackTraceLimit = Error.stackTraceLimit;
	Error.stackTraceLimit = 40;
	try {
		await work();
	} finally {
		Error.stackTraceLimit = stackTraceLimit;
		for (const undo of restore) undo();
	}
	return counts;
}

export interface ParameterReadCost {
	/** getNodeParameter calls made (outermost only). */
	calls: number;
	/** Wall time inside them (ms): they are synchronous, so n8n's thread did nothing else meanwhile. */
	wallMs: number;
	/** The process's CPU inside them (ms, all threads: with vm, the isolate's too). */
	cpuMs: number;
}

/**
 * Times every getNodeParameter of `work` (n8n-core's _getNodeParameter, outermost calls), wall time and the
 * process's CPU around each: what reading the parameters costs, with the expressions in them, without relying on
 * a sampling profile (whose samples are wall time, and on a busy machine count the moments a waiting thread was
 * not scheduled).
 */
export async function timeParameterReads(work: () => Promise<unknown>): Promise<ParameterReadCost> {
	const cost: ParameterReadCost = { calls: 0, wallMs: 0, cpuMs: 0 };
	const holder = owner(ExecuteContext.prototype, '_getNodeParameter');
	const original = holder._getNodeParameter;
	let depth = 0;
	holder._getNodeParameter = function (this: unknown, ...args: unknown[]) {
		if (depth > 0) return original.apply(this, args);
		depth++;
		const cpu = process.cpuUsage();
		const started = performance.now();
		try {
			return original.apply(this, args);
		} finally {
			cost.wallMs += performance.now() - started;
			const used = process.cpuUsage(cpu);
			cost.cpuMs += (used.user + used.system) / 1000;
			cost.calls++;
			depth--;
		}
	};
	try {
		await work();
	} finally {
		holder._getNodeParameter = original;
	}
	return cost;
}
