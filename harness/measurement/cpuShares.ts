import { Session, type Profiler } from 'node:inspector/promises';

/** Where a run of the node spends its CPU, by package: the node, n8n's expressions, n8n's engine, HTTP, GC. */

export type Category = 'node' | 'expressions' | 'n8n' | 'http' | 'gc' | 'other';
export const CATEGORY_LABELS: Record<Category, string> = {
	node: "the node's own code (dist/nodes)",
	expressions:
		"n8n's parameters and expressions ({{ $json… }}): n8n-workflow, with the vm engine its isolates (@n8n/expression-runtime, isolated-vm), luxon",
	n8n: 'n8n-core and other @n8n/* (engine, request helper, credentials)',
	http: "HTTP: axios, n8n's agent, Node's http/net/streams and socket calls",
	gc: 'garbage collection',
	other: 'other (harness, V8 and Node internals)',
};

const HTTP_NATIVES = new Set([
	'connect',
	'close',
	'writev',
	'writeUtf8String',
	'writeBuffer',
	'setKeepAlive',
	'setNoDelay',
	'shutdown',
	'onStreamRead',
]);

/**
 * isolated-vm's native calls, as they show in a profile of the thread that waits for them: the vm engine runs
 * each expression with one of these (evalClosureSync), and the isolate calls back into n8n for the item's data.
 */
const ISOLATE_NATIVES = new Set([
	'evalClosureSync',
	'evalSync',
	'applySync',
	'applySyncPromise',
	'runSync',
	'copySync',
	'getSync',
	'setSync',
	'deleteSync',
	'compileScriptSync',
	'Callback',
]);

function categoryOf(url: string, functionName: string): Category | 'idle' {
	if (functionName === '(idle)' || functionName === '(program)' || url.startsWith('node:inspector'))
		return 'idle';
	if (functionName === '(garbage collector)') return 'gc';
	if (url.includes('/dist/nodes/') || url.includes('/dist/credentials/')) return 'node';
	if (
		url.includes('/n8n-workflow/') ||
		url.includes('/luxon/') ||
		url.includes('/@n8n/tournament/') ||
		url.includes('/@n8n/expression-runtime/') ||
		url.includes('/isolated-vm/')
	)
		return 'expressions';
	if (url === '' && ISOLATE_NATIVES.has(functionName)) return 'expressions';
	if (/\/(axios|follow-redirects|form-data|proxy-from-env|combined-stream|@n8n\/backend-network)\//.test(url))
		return 'http';
	if (url.includes('/n8n-core/') || url.includes('/@n8n/')) return 'n8n';
	if (/^node:(_http|http|https|net|url|stream|internal\/(http|net|stream|streams|url))/.test(url))
		return 'http';
	if (url === '' && HTTP_NATIVES.has(functionName)) return 'http';
	return 'other';
}

/** A V8 sampling profile (every 200 µs) of `work`, taken on this thread. */
export async function cpuProfile(work: () => Promise<unknown>): Promise<Profiler.Profile> {
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	await session.post('Profiler.setSamplingInterval', { interval: 200 });
	await session.post('Profiler.start');
	let profile: Profiler.Profile | undefined;
	try {
		await work();
	} finally {
		profile = (await session.post('Profiler.stop')).profile;
		session.disconnect();
	}
	return profile;
}

/** Each sample's node, with the time it stands for, leaving out the idle ones. */
function busySamples(profile: Profiler.Profile): Array<{ node: Profiler.ProfileNode; ms: number }> {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const deltas = profile.timeDeltas ?? [];
	return (profile.samples ?? []).flatMap((id, index) => {
		const node = byId.get(id);
		if (!node || categoryOf(node.callFrame.url, node.callFrame.functionName) === 'idle') return [];
		return [{ node, ms: (deltas[index] ?? 0) / 1000 }];
	});
}

/**
 * Where the profiled run spent CPU: the self time of the sampled functions by the package they belong to, as
 * shares of the samples taken while the thread was not idle.
 */
export function categoryShares(profile: Profiler.Profile): Record<Category, number> {
	const totals: Record<Category, number> = { node: 0, expressions: 0, n8n: 0, http: 0, gc: 0, other: 0 };
	for (const { node, ms } of busySamples(profile)) {
		const category = categoryOf(node.callFrame.url, node.callFrame.functionName);
		if (category !== 'idle') totals[category] += ms;
	}
	const sum = Object.values(totals).reduce((a, b) => a + b, 0) || 1;
	for (const key of Object.keys(totals) as Category[]) totals[key] /= sum;
	return totals;
}

/** Where `work` (one run of the node) spends CPU, by package (see categoryShares). */
export async function cpuShares(work: () => Promise<unknown>): Promise<Record<Category, number>> {
	return categoryShares(await cpuProfile(work));
}

export interface CallShare {
	/** The node's function that made the call, e.g. `readProjectInput`. */
	caller: string;
	/** What it called outside its own code, e.g. `_getNodeParameter (n8n-core)`, or `(its own code)`. */
	callee: string;
	share: number;
}

const fileOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const packageOf = (url: string) => {
	if (url === '') return 'native';
	if (url.startsWith('node:')) return 'node';
	const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
	return match ? match[1] : fileOf(url);
};

/**
 * Where the samples taken while the node's code was on the stack went, by the node's function and what it
 * called: for each busy sample, the innermost frame in dist/nodes is the caller, and the first named function it
 * called (below it towards the sample) is the callee, with its package; a sample in the node's own code counts
 * as "(its own code)". Samples with no frame of the node on the stack (n8n's engine before and after the node,
 * socket events, answers being parsed) are grouped by category under "(n8n, outside the node's calls)".
 */
export function nodeCallShares(profile: Profiler.Profile): CallShare[] {
	const parents = new Map<number, Profiler.ProfileNode>();
	for (const node of profile.nodes) {
		for (const child of node.children ?? []) parents.set(child, node);
	}
	const totals = new Map<string, { caller: string; callee: string; ms: number }>();
	let sum = 0;
	for (const { node: leaf, ms } of busySamples(profile)) {
		sum += ms;
		const below: Profiler.ProfileNode[] = [];
		let frame: Profiler.ProfileNode | undefined = leaf;
		while (frame !== undefined && !frame.callFrame.url.includes('/dist/nodes/')) {
			below.push(frame);
			frame = parents.get(frame.id);
		}
		let caller: string;
		let callee: string;
		if (frame === undefined) {
			caller = '(n8n, outside the node’s calls)';
			const category = categoryOf(leaf.callFrame.url, leaf.callFrame.functionName);
			callee = category === 'idle' ? 'other' : category;
		} else {
			caller = frame.callFrame.functionName || `(anonymous in ${fileOf(frame.callFrame.url)})`;
			// `below` runs from the sample up to the frame the node called; the first named one from that end.
			const named = [...below].reverse().find((entry) => entry.callFrame.functionName !== '');
			callee =
				below.length === 0
					? '(its own code)'
					: named
						? `${named.callFrame.functionName} (${packageOf(named.callFrame.url)})`
						: `(anonymous, ${packageOf(below[below.length - 1].callFrame.url)})`;
		}
		const key = `${caller}\u0000${callee}`;
		const entry = totals.get(key) ?? { caller, callee, ms: 0 };
		entry.ms += ms;
		totals.set(key, entry);
	}
	return [...totals.values()]
		.map(({ caller, callee, ms }) => ({ caller, callee, share: ms / (sum || 1) }))
		.sort((a, b) => b.share - a.share);
}
