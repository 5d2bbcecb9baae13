import { setTimeout as delay } from 'node:timers/promises';

/** Every wait the server makes (latency, slow and held responses) ends when the server closes. */
export class Sleeper {
	private readonly controller = new AbortController();

	get closed(): boolean {
		return this.controller.signal.aborted;
	}

	/** Resolves true after `ms`, or false as soon as the server closes. */
	async sleep(ms: number): Promise<boolean> {
		if (this.closed) return false;
		if (ms <= 0) return true;
		try {
			await delay(ms, undefined, { signal: this.controller.signal });
			return true;
		} catch {
			return false;
		}
	}

	close(): void {
		this.controller.abort();
	}
}
