import { SameRequest } from '../../nodes/ProjectManagement/reliability/sameRequest';

/** The same request under way twice: the later waits for the first and shares a success, never a failure. */

function deferred<T>() {
	let resolve!: (value: T) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

describe('SameRequest', () => {
	it('a later request with the same key waits for the first and shares its result, without sending', async () => {
		const same = new SameRequest<string>();
		const first = deferred<string>();
		let sent = 0;
		const send = async () => {
			sent++;
			return await first.promise;
		};
		const a = same.run('deal-1', send);
		const b = same.run('deal-1', send);
		const other = same.run('deal-2', async () => 'other');
		expect(same.size).toBe(2);
		first.resolve('project 1');
		expect(await a).toEqual({ value: 'project 1', shared: false });
		expect(await b).toEqual({ value: 'project 1', shared: true });
		expect(await other).toEqual({ value: 'other', shared: false });
		expect(sent).toBe(1);
		expect(same.size).toBe(0);
	});

	it('after the first failed, a later one is sent on its own and may succeed', async () => {
		const same = new SameRequest<string>();
		const first = deferred<string>();
		const a = same.run('deal-1', async () => await first.promise);
		const b = same.run('deal-1', async () => 'sent again');
		first.reject(new Error('HTTP 500'));
		await expect(a).rejects.toThrow('HTTP 500');
		expect(await b).toEqual({ value: 'sent again', shared: false });
		expect(same.size).toBe(0);
	});

	it('a request after the first has ended is sent, not answered from memory', async () => {
		const same = new SameRequest<number>();
		let sent = 0;
		const send = async () => ++sent;
		expect(await same.run('deal-1', send)).toEqual({ value: 1, shared: false });
		expect(await same.run('deal-1', send)).toEqual({ value: 2, shared: false });
	});
});
