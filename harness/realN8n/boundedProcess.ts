import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * A long-running child process (a database, Redis, an n8n worker) whose life is bounded: it runs under
 * coreutils' `timeout`, so that a test run that dies leaves nothing running for longer than `lifetimeSeconds`.
 * Its output is kept (the last part) for failure messages and for what it says it did.
 */
export class BoundedProcess {
	private output = '';
	private readonly exited: Promise<void>;

	private constructor(
		readonly name: string,
		private readonly child: ChildProcess,
		private readonly stopSignal: NodeJS.Signals,
		private readonly keepChars: number,
	) {
		child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
		child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
	}

	/**
	 * Starts `command args` under `timeout`. `stopSignal` is what the command gets when its time is up (and what
	 * stop() sends first); SIGKILL follows 10 s later if it is still there.
	 */
	static start(
		name: string,
		command: string,
		args: string[],
		options: {
			lifetimeSeconds: number;
			env?: NodeJS.ProcessEnv;
			cwd?: string;
			uid?: number;
			gid?: number;
			stopSignal?: NodeJS.Signals;
			/** How much of the output to keep (the last part); 20,000 characters unless set. */
			keepChars?: number;
		},
	): BoundedProcess {
		const signal = options.stopSignal ?? 'SIGTERM';
		const child = spawn(
			'timeout',
			[`--signal=${signal}`, '--kill-after=10', String(options.lifetimeSeconds), command, ...args],
			{
				cwd: options.cwd,
				env: options.env ?? process.env,
				uid: options.uid,
				gid: options.gid,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		return new BoundedProcess(name, child, signal, options.keepChars ?? 20_000);
	}

	private keep(chunk: Buffer) {
		this.output = (this.output + chunk.toString()).slice(-this.keepChars);
	}

	/** What the process printed (the last part), for failure messages. */
	get log(): string {
		return this.output;
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** The process id of the command itself (the child of `timeout`), once it has started. */
	commandPid(): number | undefined {
		return this.child.pid === undefined ? undefined : childrenOf(this.child.pid)[0];
	}

	/**
	 * SIGKILL for the command and everything it started (an n8n process's task runner, say), each by its id, the
	 * way a crash or the out-of-memory killer ends a process: no shutdown code runs. `timeout` then exits too.
	 */
	killHard(): number[] {
		const pid = this.commandPid();
		if (pid === undefined) return [];
		const victims = [pid, ...descendantsOf(pid)];
		for (const victim of victims) {
			try {
				process.kill(victim, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		return victims;
	}

	/** Resolves when the process has ended. */
	waitForExit(): Promise<void> {
		return this.exited;
	}

	/** Asks the command to stop (its stop signal, through `timeout`), then SIGKILL after `graceMs`. */
	async stop(graceMs = 20_000): Promise<void> {
		if (!this.running) return;
		const leftBehind = this.commandPid();
		const descendants = leftBehind === undefined ? [] : descendantsOf(leftBehind);
		this.child.kill(this.stopSignal);
		const timer = setTimeout(() => {
			this.killHard();
			this.child.kill('SIGKILL');
		}, graceMs);
		await this.exited;
		clearTimeout(timer);
		// What the command started and did not take down with it.
		for (const pid of descendants) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	}
}

/** The direct children of a process, from Linux's /proc. */
export function childrenOf(pid: number): number[] {
	try {
		return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
			readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
		);
	} catch {
		return [];
	}
}

/** Every process below `pid`. */
export function descendantsOf(pid: number): number[] {
	const found: number[] = [];
	const queue = childrenOf(pid);
	while (queue.length) {
		const next = queue.shift()!;
		found.push(next);
		queue.push(...childrenOf(next));
	}
	return found;
}
