import {
	InOrder,
	KeyedSequencer,
	forEachLimited,
} from '../../nodes/ProjectManagement/reliability/concurrency';

/** A promise the test settles by hand. */
function deferred<T = void>() {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('forEachLimited: items several at a time', () => {
	it('never has more than the limit under way, starts in index order, and runs every index once', async () => {
		const gates = Array.from({ length: 10 }, () => deferred());
		const started: number[] = [];
		let running = 0;
		let highest = 0;
		const done = forEachLimited(10, 3, async (index) => {
			started.push(index);
			running++;
			highest = Math.max(highest, running);
			await gates[index].promise;
			running--;
		});
		await settle();
		expect(started).toEqual([0, 1, 2]);
		// Finishing out of order frees a slot for the next index, whichever finished.
		gates[2].resolve();
		await settle();
		expect(started).toEqual([0, 1, 2, 3]);
		for (const gate of gates) gate.resolve();
		await done;
		expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(highest).toBe(3);
	});

	it('with a limit of 1, runs one index after the other', async () => {
		const events: string[] = [];
		await forEachLimited(3, 1, async (index) => {
			events.push(`start ${index}`);
			await settle();
			events.push(`end ${index}`);
		});
		expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
	});

	it('once told to stop, starts nothing more and resolves only when the started tasks have settled', async () => {
		const gates = Array.from({ length: 6 }, () => deferred());
		const started: number[] = [];
		const finished: number[] = [];
		let stop = false;
		let resolved = false;
		const done = forEachLimited(
			6,
			2,
			async (index) => {
				started.push(index);
				await gates[index].promise;
				finished.push(index);
			},
			() => stop,
		).then(() => (resolved = true));
		await settle();
		stop = true;
		gates[0].resolve();
		await settle();
		expect(started).toEqual([0, 1]);
		expect(resolved).toBe(false);
		gates[1].resolve();
		await done;
		expect(finished).toEqual([0, 1]);
	});

	it('handles no items, and more workers than items', async () => {
		const seen: number[] = [];
		await forEachLimited(0, 5, async (index) => void seen.push(index));
		await forEachLimited(2, 50, async (index) => void seen.push(index));
		expect(seen).toEqual([0, 1]);
	});

	it('a task that rejects stops further starts; the error comes after the others settled', async () => {
		const late = deferred();
		const finished: number[] = [];
		const done = forEachLimited(5, 2, async (index) => {
			if (index === 0) throw new Error('broken');
			await late.promise;
			finished.push(index);
		});
		const outcome = done.then(
			() => 'resolved',
			(error: Error) => error.message,
		);
		await settle();
		late.resolve();
		expect(await outcome).toBe('broken');
		expect(finished).toEqual([1]);
	});
});

describe('KeyedSequencer: tasks that share a key keep their order', () => {
	it('runs a task after every earlier task with one of its keys, and others beside them', async () => {
		const sequencer = new KeyedSequencer();
		const gates = { a: deferred(), b: deferred(), c: deferred() };
		const events: string[] = [];
		const task = (name: keyof typeof gates) => async () => {
			events.push(`start ${name}`);
			await gates[name].promise;
			events.push(`end ${name}`);
			return name;
		};
		const a = sequencer.run(['name:apollo'], task('a'));
		const b = sequencer.run(['name:gemini'], task('b'));
		// Shares a key with a: waits for it, though b is free.
		const c = sequencer.run(['name:apollo', 'key:x'], task('c'));
		await settle();
		expect(events).toEqual(['start a', 'start b']);
		gates.b.resolve();
		await settle();
		expect(events).toEqual(['start a', 'start b', 'end b']);
		gates.a.resolve();
		await settle();
		expect(events).toEqual(['start a', 'start b', 'end b', 'end a', 'start c']);
		gates.c.resolve();
		expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
	});

	it('a failed task releases the next one, and no key is held after all settled', async () => {
		const sequencer = new KeyedSequencer();
		const first = sequencer.run(['project:1'], async () => {
			throw new Error('failed');
		});
		const second = sequencer.run(['project:1', 'project:1'], async () => 'ran');
		await expect(first).rejects.toThrow('failed');
		await expect(second).resolves.toBe('ran');
		expect(sequencer.pendingKeys).toBe(0);
	});

	it('a chain of three with the same key runs in the order handed in', async () => {
		const sequencer = new KeyedSequencer();
		const order: number[] = [];
		await Promise.all(
			[0, 1, 2].map((index) =>
				sequencer.run(['same'], async () => {
					// Later tasks would finish first if they were not kept in order.
					for (let tick = 0; tick < 3 - index; tick++) await settle();
					order.push(index);
				}),
			),
		);
		expect(order).toEqual([0, 1, 2]);
	});
});

describe('InOrder: results handed on in input order', () => {
	it('hands each result on as soon as every earlier one is in, and holds only those that wait', () => {
		const out: Array<[string, number]> = [];
		const inOrder = new InOrder<string>((value, index) => out.push([value, index]));
		inOrder.put(2, 'c');
		inOrder.put(1, 'b');
		expect(out).toEqual([]);
		expect(inOrder.held).toBe(2);
		inOrder.put(0, 'a');
		expect(out).toEqual([
			['a', 0],
			['b', 1],
			['c', 2],
		]);
		expect(inOrder.held).toBe(0);
		inOrder.put(4, 'e');
		inOrder.put(3, 'd');
		expect(out.map(([value]) => value).join('')).toBe('abcde');
	});

	it('passes an empty result on like any other, so that later ones are not held for ever', () => {
		const out: Array<string | undefined> = [];
		const inOrder = new InOrder<string | undefined>((value) => out.push(value));
		inOrder.put(1, 'b');
		inOrder.put(0, undefined);
		expect(out).toEqual([undefined, 'b']);
	});
});
