import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

/** Every wait the server makes (latency, slow and held responses, webhook backoff) ends when the server closes. */
export class Sleeper {
	private readonly controller = new AbortController();

	constructor() {
		// Every concurrent wait and every child listens on this signal; many at once is normal, not a leak.
		setMaxListeners(0, this.controller.signal);
	}

	get closed(): boolean {
		return this.controller.signal.aborted;
	}

	/** Aborted when the server closes. */
	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/**
	 * Resolves true after `ms`, or false as soon as the server closes (or `signal`, which must be one of
	 * this sleeper's `child()` signals, aborts).
	 */
	async sleep(ms: number, signal: AbortSignal = this.controller.signal): Promise<boolean> {
		if (this.closed || signal.aborted) return false;
		if (ms <= 0) return true;
		try {
			await delay(ms, undefined, { signal });
			return true;
		} catch {
			return false;
		}
	}

	/**
	 * A controller of its own (a webhook subscription's: unsubscribe and reset abort it) that the server's close
	 * aborts too, so that whatever waits on its signal also ends with the server.
	 */
	child(): AbortController {
		const child = new AbortController();
		setMaxListeners(0, child.signal);
		if (this.closed) {
			child.abort();
			return child;
		}
		const abortChild = () => child.abort();
		this.controller.signal.addEventListener('abort', abortChild, { once: true });
		child.signal.addEventListener(
			'abort',
			() => this.controller.signal.removeEventListener('abort', abortChild),
			{ once: true },
		);
		return child;
	}

	close(): void {
		this.controller.abort();
	}
}
