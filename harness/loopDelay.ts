import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Runs `work` and answers how late this process's event loop ran meanwhile (its longest stall, in ms). For checks
 * on the order of events between two parts of one process, such as the node and the reference API started in the
 * same process: on a busy machine every callback runs late, and an allowance that grows with the stall keeps the
 * verdict independent of the machine's speed.
 */
export async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ value: T; maxDelayMs: number }> {
	const delay = monitorEventLoopDelay({ resolution: 10 });
	delay.enable();
	try {
		const value = await work();
		return { value, maxDelayMs: delay.max / 1e6 };
	} finally {
		delay.disable();
	}
}

/**
 * How long after the API answered a 429 a request the client had already let go may still arrive: 200 ms, and
 * twice the loop's longest stall (the client reads the answer late, the API reads the request late).
 */
export const onItsWayMs = (maxDelayMs: number) => 200 + 2 * maxDelayMs;
