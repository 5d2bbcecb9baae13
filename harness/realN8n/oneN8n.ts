import { rmSync } from 'node:fs';

import type { CredentialImport, WorkflowImport } from './home';
import { N8nHome } from './home';
import type { N8nLine } from './install';
import { startPostgres, type RunningPostgres } from './postgres';
import { startWithWebhooks } from './productionWebhook';
import type { N8nServer } from './server';

/**
 * One n8n (`n8n start`, regular mode) taking production webhooks, on a database of its own: PostgreSQL (what n8n
 * recommends for a server, and what queue mode needs) or n8n's default SQLite.
 *
 * Why PostgreSQL for the bursts: with SQLite, n8n 2.41 writes every execution through one write connection whose
 * lock it waits for at most 60 s (a fixed bound in n8n's database layer). A burst of 300 webhook executions on a
 * loaded 2-core machine queues more than 60 s of writes there: n8n failed executions with "Timeout waiting for
 * lock SqliteWriteConnectionMutex to become available" and left others as "running" that never started,
 * before the node ran for them (seen 2026-12-02). That says how fast the machine is, not what the node does; on
 * PostgreSQL the writes wait for a pool connection instead, without that bound.
 */

export type N8nDatabase = 'postgres' | 'sqlite';

export interface OneN8n {
	home: N8nHome;
	server: N8nServer;
	database: N8nDatabase;
	/** Stops n8n and its database and removes their folders (once; later calls wait for the first). */
	stop(): Promise<void>;
}

export async function startOneN8n(options: {
	line: N8nLine;
	extensions: string;
	database: N8nDatabase;
	credentials: CredentialImport[];
	workflows: WorkflowImport[];
	lifetimeSeconds: number;
	/** More settings for n8n. */
	env?: Record<string, string>;
	log?: (line: string) => void;
}): Promise<OneN8n> {
	let postgres: RunningPostgres | undefined;
	if (options.database === 'postgres') {
		postgres = await startPostgres({ lifetimeSeconds: options.lifetimeSeconds, log: options.log });
	}
	let home: N8nHome | undefined;
	const cleanUp = async () => {
		await postgres?.stop();
		if (home) rmSync(home.userFolder, { recursive: true, force: true });
	};
	try {
		home = new N8nHome(options.line, {
			extensions: options.extensions,
			env: { ...postgres?.n8nEnv, ...options.env },
		});
		const server = await startWithWebhooks(home, {
			credentials: options.credentials,
			workflows: options.workflows,
			lifetimeSeconds: options.lifetimeSeconds,
		});
		const started = home;
		let stopping: Promise<void> | undefined;
		return {
			home: started,
			server,
			database: options.database,
			// Once, however often it is called (a test's end and its afterAll, say).
			stop: () =>
				(stopping ??= (async () => {
					await server.stop();
					await cleanUp();
				})()),
		};
	} catch (error) {
		await cleanUp();
		throw error;
	}
}
