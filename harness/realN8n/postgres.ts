import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../ports';
import { ensureDebianPackages } from './apt';
import { BoundedProcess } from './boundedProcess';
import { pollUntil } from '../waitFor';

/**
 * A PostgreSQL of its own for a queue-mode n8n (which does not run on SQLite): a new cluster in a temporary
 * folder, on a free loopback port, trust authentication, one database; stopped and removed afterwards. Uses
 * Debian's server binaries (/usr/lib/postgresql/<version>/bin), installed with apt when missing. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` user the Debian package creates.
 */

const PG_ROOT = '/usr/lib/postgresql';

/** The bin folder of the newest PostgreSQL server installed, if any. */
export function postgresBinDir(): string | undefined {
	if (!existsSync(PG_ROOT)) return undefined;
	const versions = readdirSync(PG_ROOT)
		.filter((version) => existsSync(path.join(PG_ROOT, version, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(PG_ROOT, versions[0], 'bin') : undefined;
}

export function ensurePostgres(log?: (line: string) => void): string {
	ensureDebianPackages({
		what: 'PostgreSQL',
		packages: ['postgresql'],
		present: () => postgresBinDir() !== undefined,
		log,
	});
	return postgresBinDir()!;
}

export interface RunningPostgres {
	port: number;
	database: string;
	/** What n8n needs to use it (DB_TYPE=postgresdb and DB_POSTGRESDB_*). */
	n8nEnv: Record<string, string>;
	stop(): Promise<void>;
	log(): string;
}

/** Who the server runs as: the current user, or `postgres` when that is root. */
function serverUser(): { uid?: number; gid?: number } {
	if (process.getuid?.() !== 0) return {};
	const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
	const uid = id('-u');
	const gid = id('-g');
	if (uid.status !== 0 || gid.status !== 0) {
		throw new Error('PostgreSQL cannot run as root and there is no "postgres" user to run it as');
	}
	return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPostgres(options: {
	lifetimeSeconds: number;
	log?: (line: string) => void;
}): Promise<RunningPostgres> {
	const bin = ensurePostgres(options.log);
	const user = serverUser();
	const folder = mkdtempSync(path.join(tmpdir(), 'pm-postgres-'));
	const data = path.join(folder, 'data');
	mkdirSync(data);
	if (user.uid !== undefined) {
		chownSync(folder, user.uid, user.gid!);
		chownSync(data, user.uid, user.gid!);
	}
	const asServerUser = {
		...user,
		cwd: folder,
		encoding: 'utf8' as const,
		env: { ...process.env, LANG: 'C.UTF-8' },
	};
	const init = spawnSync(
		path.join(bin, 'initdb'),
		['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync'],
		asServerUser,
	);
	if (init.status !== 0) {
		rmSync(folder, { recursive: true, force: true });
		throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
	}
	const port = await freePort();
	const server = BoundedProcess.start(
		'postgres',
		path.join(bin, 'postgres'),
		['-D', data, '-p', String(port), '-k', folder, '-c', 'listen_addresses=127.0.0.1'],
		// SIGINT is PostgreSQL's fast shutdown: clients are disconnected, nothing waits for them.
		{ ...asServerUser, lifetimeSeconds: options.lifetimeSeconds, stopSignal: 'SIGINT' },
	);
	const stop = async () => {
		await server.stop();
		rmSync(folder, { recursive: true, force: true });
	};
	const database = 'n8n';
	try {
		let last = '';
		await pollUntil(
			async () => {
				if (!server.running) throw new Error('postgres exited');
				const created = spawnSync(
					path.join(bin, 'createdb'),
					['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database],
					asServerUser,
				);
				last = `${created.stdout}${created.stderr}`;
				return created.status === 0;
			},
			{
				timeoutMs: 60_000,
				describe: () => `PostgreSQL did not take a new database: ${last}\n${server.log}`,
			},
		);
	} catch (error) {
		await stop();
		throw error;
	}
	return {
		port,
		database,
		n8nEnv: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			// n8n's defaults (2 connections, 20 s to get one) do not carry a burst of hundreds of webhook executions
			// on a loaded machine: executions waited more than 20 s for a connection, failed with "timeout exceeded
			// when trying to connect", and n8n left more than 200 others "running" that never started (2.41.1,
			// 2026-12-02). A server taking bursts is given more connections, and the wait is bounded by minutes.
			DB_POSTGRESDB_POOL_SIZE: '10',
			DB_POSTGRESDB_CONNECTION_TIMEOUT: '300000',
		},
		stop,
		log: () => server.log,
	};
}
