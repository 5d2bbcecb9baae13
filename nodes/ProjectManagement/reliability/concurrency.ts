/**
 * Running the items of a batch several at a time. Plain functions, no n8n types, so that they can be read and
 * tested on their own; actions/router.ts wires them to the item loop.
 */

/**
 * Calls `task(index)` for every index from 0 to `count - 1`, at most `limit` at a time, starting them in index
 * order. A fixed number of workers pull the next index, so that only `limit` tasks (and their promises) exist at
 * any moment, however many items there are.
 *
 * `shouldStop` is asked before each start: once it answers true no further index starts, and the returned
 * promise resolves when the tasks already started have settled. Because indexes start in order, every index below
 * the highest one started has started too.
 *
 * A task is meant to record its own outcome and not reject; if one does, no further index starts and the first
 * such error is thrown once every started task has settled.
 */
export async function forEachLimited(
	count: number,
	limit: number,
	task: (index: number) => Promise<void>,
	shouldStop: () => boolean = () => false,
): Promise<void> {
	let next = 0;
	let rejected: { error: unknown } | undefined;
	const worker = async () => {
		while (next < count && rejected === undefined && !shouldStop()) {
			const index = next++;
			try {
				await task(index);
			} catch (error) {
				rejected ??= { error };
			}
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(limit) || 1, count));
	await Promise.all(Array.from({ length: workers }, worker));
	if (rejected !== undefined) throw rejected.error;
}

/** Work to run once every earlier task that shares one of its keys has settled. */
export interface KeyedTask<T> {
	keys: readonly string[];
	run: () => Promise<T>;
}

/**
 * Keeps tasks that share a key in the order they were handed in: a task waits until every earlier task with one
 * of its keys has settled, while tasks with other keys run beside it. Two items that would create, update or
 * delete the same project therefore reach the API one after the other, as they did when items ran one at a time.
 *
 * Keys are registered when `run` is called (synchronously), so the order of calls is the order kept. Only keys
 * of unsettled tasks are held: memory follows the tasks in flight, not the items of the batch.
 */
export class KeyedSequencer {
	private readonly tails = new Map<string, Promise<void>>();

	async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
		const unique = [...new Set(keys)];
		const earlier: Array<Promise<void>> = [];
		for (const key of unique) {
			const tail = this.tails.get(key);
			if (tail !== undefined) earlier.push(tail);
		}
		let release!: () => void;
		const done = new Promise<void>((resolve) => (release = resolve));
		for (const key of unique) this.tails.set(key, done);
		try {
			// The tails never reject: each is resolved in a finally below.
			if (earlier.length > 0) await Promise.all(earlier);
			return await task();
		} finally {
			release();
			for (const key of unique) if (this.tails.get(key) === done) this.tails.delete(key);
		}
	}

	/** Keys of tasks not yet settled. */
	get pendingKeys(): number {
		return this.tails.size;
	}
}

/**
 * Results that arrive in any order, handed on in index order as soon as every earlier one is in (indexes start at
 * 0 and each is put once). Only results that wait for an earlier one are held: with items finishing a little out
 * of order, that is about as many as are under way, not the whole batch.
 */
export class InOrder<T> {
	private readonly waiting = new Map<number, T>();
	private next = 0;

	constructor(private readonly emit: (value: T, index: number) => void) {}

	put(index: number, value: T): void {
		this.waiting.set(index, value);
		while (this.waiting.has(this.next)) {
			const ready = this.waiting.get(this.next) as T;
			this.waiting.delete(this.next);
			this.emit(ready, this.next);
			this.next++;
		}
	}

	/** Results held back, waiting for an earlier index. */
	get held(): number {
		return this.waiting.size;
	}
}
