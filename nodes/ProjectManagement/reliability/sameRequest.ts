/**
 * The same request in flight twice in one n8n process: the first goes to the API, the later ones wait for its
 * answer and take it, instead of sending the request again.
 *
 * A webhook delivered twice (CRMs and form tools redeliver when an answer is late) starts two executions with the
 * same item, usually within moments of each other. Both would send the same create with the same idempotency key;
 * the API creates one project and answers the second from its store, so nothing is duplicated either way. But the
 * second request still takes a turn of the API's rate limit, and under a burst that is one turn in six. Here the
 * second waits for the first and shares its result; when the first fails, or ends unclear, the second is sent as
 * it would have been (with the same key, so that it stays safe).
 *
 * Plain code: the caller says what makes two requests the same (the key) and what to do. Entries live only while
 * their request is under way, so the map is as large as the requests in flight.
 */
export class SameRequest<T> {
	private readonly running = new Map<string, Promise<T>>();

	/** Runs `send` for `key`, or waits for the same key's request under way and shares its result. */
	async run(key: string, send: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
		const first = this.running.get(key);
		if (first !== undefined) {
			try {
				return { value: await first, shared: true };
			} catch {
				// The first did not succeed: this one goes on its own, as if the first had not been there.
			}
		}
		return { value: await this.lead(key, send), shared: false };
	}

	/** Requests under way that later ones could share. */
	get size(): number {
		return this.running.size;
	}

	private lead(key: string, send: () => Promise<T>): Promise<T> {
		const promise = send();
		if (!this.running.has(key)) {
			this.running.set(key, promise);
			const forget = () => {
				if (this.running.get(key) === promise) this.running.delete(key);
			};
			promise.then(forget, forget);
		}
		return promise;
	}
}
