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
 * what the run holds). A full GC takes long on a busy machine (over 100 ms with n8n loaded, seen on 2 shared
 * cores), so the next sample waits at least four times as long as the last GC took: the sampling takes at most a
 * fifth of the run's time instead of all of it. Retained: what is left after the run while its result (what
 * `work` answers) is held, which is n8n's own input, output and run data. Transient: the most the run held on
 * top of that.
 */
export async function liveHeapDuring(work: () => Promise<unknown>): Promise<MemoryFigures> {
	gc();
	const base = process.memoryUsage();
	let peakLive = base.heapUsed;
	let rssPeak = base.rss;
	let timer: NodeJS.Timeout | undefined;
	const sample = () => {
		const started = performance.now();
		gc();
		const now = process.memoryUsage();
		peakLive = Math.max(peakLive, now.heapUsed);
		rssPeak = Math.max(rssPeak, now.rss);
		timer = setTimeout(sample, Math.max(100, 4 * (performance.now() - started)));
	};
	timer = setTimeout(sample, 100);
	let held: unknown = await work();
	clearTimeout(timer);
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
