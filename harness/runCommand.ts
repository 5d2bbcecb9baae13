import { spawn } from 'node:child_process';

/**
 * Runs a command to its end, its output kept (the last 8,000 characters) for the error should it fail, which
 * names the step as `what`. Answers how long it took, in ms.
 */
export function runCommand(
	command: string,
	args: string[],
	cwd: string,
	env: NodeJS.ProcessEnv,
	what: string,
): Promise<number> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
		child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve(Date.now() - started);
			else reject(new Error(`${what} failed (exit ${code}):\n${output}`));
		});
	});
}
