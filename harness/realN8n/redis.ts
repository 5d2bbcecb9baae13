import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../ports';
import { ensureDebianPackages } from './apt';
import { BoundedProcess } from './boundedProcess';
import { pollUntil } from '../waitFor';

/**
 * A Redis of its own for a queue-mode n8n (the queue between the main and the workers): Debian's redis-server
 * (installed with apt when missing) on a free loopback port, in a temporary folder, persisting nothing.
 */

export const REDIS_SERVER = process.env.E2E_REDIS_SERVER ?? '/usr/bin/redis-server';

export function ensureRedis(log?: (line: string) => void): string {
	ensureDebianPackages({
		what: 'Redis',
		packages: ['redis-server'],
		present: () => existsSync(REDIS_SERVER),
		log,
	});
	return REDIS_SERVER;
}

export interface RunningRedis {
	port: number;
	/** What n8n needs to use it (QUEUE_BULL_REDIS_*). */
	n8nEnv: Record<string, string>;
	stop(): Promise<void>;
}

/** Answers whether Redis on `port` answers PING with PONG. */
function ping(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		let seen = '';
		const done = (answer: boolean) => {
			socket.destroy();
			resolve(answer);
		};
		socket.setTimeout(2_000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			seen += chunk.toString();
			if (seen.includes('\r\n')) done(seen.startsWith('+PONG'));
		});
	});
}

export async function startRedis(options: {
	lifetimeSeconds: number;
	log?: (line: string) => void;
}): Promise<RunningRedis> {
	const binary = ensureRedis(options.log);
	const folder = mkdtempSync(path.join(tmpdir(), 'pm-redis-'));
	const port = await freePort();
	const server = BoundedProcess.start(
		'redis',
		binary,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder],
		{ lifetimeSeconds: options.lifetimeSeconds, cwd: folder },
	);
	const stop = async () => {
		await server.stop();
		rmSync(folder, { recursive: true, force: true });
	};
	try {
		await pollUntil(async () => await ping(port), {
			timeoutMs: 30_000,
			everyMs: 200,
			describe: () => `redis-server did not answer PING on port ${port}:\n${server.log}`,
		});
	} catch (error) {
		await stop();
		throw error;
	}
	return {
		port,
		n8nEnv: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) },
		stop,
	};
}
