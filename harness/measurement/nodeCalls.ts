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
	/** Deep copies by n8n-workflow's deepCopy (parameters, input data, run data). */
	deepCopies: number;
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
	const counts: NodeCallCounts = { parameters: {}, evaluations: 0, credentialReads: 0, deepCopies: 0 };
	const context = owner(ExecuteContext.prototype, '_getNodeParameter');
	// n8n-workflow calls its deepCopy through its utils module's exports, and n8n-core through the package's.
	const utils = createRequire(require.resolve('n8n-workflow'))('./utils.js') as Record<string, Method>;
	const restore = [
		wrap(context, '_getNodeParameter', ([name]) => {
			counts.parameters[String(name)] = (counts.parameters[String(name)] ?? 0) + 1;
		}),
		wrap(
			owner(ExecuteContext.prototype, '_getCredentials'),
			'_getCredentials',
			() => counts.credentialReads++,
		),
		wrap(owner(Expression.prototype, 'resolveSimpleParameterValue'), 'resolveSimpleParameterValue', () => {
			counts.evaluations++;
		}),
		wrap(utils, 'deepCopy', () => counts.deepCopies++),
	];
	try {
		await work();
	} finally {
		for (const undo of restore) undo();
	}
	return counts;
}
