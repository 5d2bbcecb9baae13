import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import { processCpuMs } from '../measurement/processCpu';
import { PACKAGE_ROOT } from '../package/paths';
import { ReferenceApi } from './client';

/** The reference API in a process of its own, steered like one in this process. */
export interface ApiProcess {
	api: ReferenceApi;
	child: ChildProcess;
	/** CPU time the API's process has used so far, in ms (Linux /proc), or undefined elsewhere. */
	cpuMs(): number | undefined;
}

/**
 * Starts the reference API (reference-api/main.ts) in a child process on a free port, so that the CPU it uses is
 * not billed to the client being measured in this one; its own CPU time can be read from Linux's /proc.
 */
export async function startApiProcess(): Promise<ApiProcess> {
	// Node itself with tsx's loader (not the tsx command, which would put a second process in between), so that
	// the process whose CPU is read below is the one serving the API.
	const child = spawn(
		process.execPath,
		['--import', 'tsx', path.join(PACKAGE_ROOT, 'reference-api', 'main.ts'), '--port', '0'],
		{ cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
	);
	const url = await new Promise<string>((resolve, reject) => {
		let seen = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			seen += chunk.toString();
			const match = /listening on (http:\/\/\S+)/.exec(seen);
			if (match) resolve(match[1]);
		});
		child.once('exit', (code) => reject(new Error(`the reference API exited (${code}) before listening`)));
	});
	child.stdout!.resume();
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const api = ReferenceApi.attach({
		url,
		port: Number(new URL(url).port),
		close: async () => {
			if (child.exitCode === null) child.kill('SIGTERM');
			await exited;
		},
	});
	return { api, child, cpuMs: () => processCpuMs(child.pid) };
}
