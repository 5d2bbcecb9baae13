import { Session } from 'node:inspector/promises';

/** Where a run of the node spends its CPU, by package: the node, n8n's expressions, n8n's engine, HTTP, GC. */

export type Category = 'node' | 'expressions' | 'n8n' | 'http' | 'gc' | 'other';
export const CATEGORY_LABELS: Record<Category, string> = {
	node: "the node's own code (dist/nodes)",
	expressions: "n8n-workflow: parameters and expressions ({{ $json… }}), with luxon's dates",
	n8n: 'n8n-core and @n8n/* (engine, request helper, credentials)',
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

function categoryOf(url: string, functionName: string): Category | 'idle' {
	if (functionName === '(idle)' || functionName === '(program)' || url.startsWith('node:inspector'))
		return 'idle';
	if (functionName === '(garbage collector)') return 'gc';
	if (url.includes('/dist/nodes/') || url.includes('/dist/credentials/')) return 'node';
	if (url.includes('/n8n-workflow/') || url.includes('/luxon/') || url.includes('/@n8n/tournament/'))
		return 'expressions';
	if (/\/(axios|follow-redirects|form-data|proxy-from-env|combined-stream|@n8n\/backend-network)\//.test(url))
		return 'http';
	if (url.includes('/n8n-core/') || url.includes('/@n8n/')) return 'n8n';
	if (/^node:(_http|http|https|net|url|stream|internal\/(http|net|stream|streams|url))/.test(url))
		return 'http';
	if (url === '' && HTTP_NATIVES.has(functionName)) return 'http';
	return 'other';
}

/**
 * Where `work` (one run of the node) spends CPU, from a V8 sampling profile of it: the self time of the sampled
 * functions by the package they belong to, as shares of the samples taken while the thread was not idle.
 */
export async function cpuShares(work: () => Promise<unknown>): Promise<Record<Category, number>> {
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	await session.post('Profiler.setSamplingInterval', { interval: 200 });
	await session.post('Profiler.start');
	await work();
	const { profile } = await session.post('Profiler.stop');
	session.disconnect();
	const categoryById = new Map<number, Category | 'idle'>();
	for (const node of profile.nodes) {
		categoryById.set(node.id, categoryOf(node.callFrame.url, node.callFrame.functionName));
	}
	const totals: Record<Category, number> = { node: 0, expressions: 0, n8n: 0, http: 0, gc: 0, other: 0 };
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	samples.forEach((id, index) => {
		const category = categoryById.get(id);
		if (category && category !== 'idle') totals[category] += deltas[index] ?? 0;
	});
	const sum = Object.values(totals).reduce((a, b) => a + b, 0) || 1;
	for (const key of Object.keys(totals) as Category[]) totals[key] /= sum;
	return totals;
}
