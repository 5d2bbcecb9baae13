/** A full garbage collection, when Node runs with --expose-gc (npm run throughput does); nothing otherwise. */
export const gc = () => (global as { gc?: () => void }).gc?.();

export interface MemoryFigures {
	peakLiveMb: number;
	retainedMb: number;
	transientMb: number;
	rssPeakMb: number;
}

/**
 * The live heap during `work` (one run of the node): every 100 ms a full GC, then the heap in use, so that
 * garbage not yet collected does not count (peaks of `heapUsed` without it measure the collector's timing, not
 * what the run holds). Retained: what is left after the run while its result (what `work` answers) is held,
 * which is n8n's own input, output and run data. Transient: the most the run held on top of that.
 */
export async function liveHeapDuring(work: () => Promise<unknown>): Promise<MemoryFigures> {
	gc();
	const base = process.memoryUsage();
	let peakLive = base.heapUsed;
	let rssPeak = base.rss;
	const sampler = setInterval(() => {
		gc();
		const now = process.memoryUsage();
		peakLive = Math.max(peakLive, now.heapUsed);
		rssPeak = Math.max(rssPeak, now.rss);
	}, 100);
	let held: unknown = await work();
	clearInterval(sampler);
	gc();
	const retained = process.memoryUsage().heapUsed;
	held = undefined;
	void held;
	gc();
	const mb = (bytes: number) => bytes / 1024 / 1024;
	return {
		peakLiveMb: mb(peakLive - base.heapUsed),
		retainedMb: mb(retained - base.heapUsed),
		transientMb: mb(Math.max(0, peakLive - retained)),
		rssPeakMb: mb(rssPeak - base.rss),
	};
}
