import { rmSync } from 'node:fs';

import { freePorts } from '../ports';
import type { CredentialImport, WorkflowImport } from './home';
import { N8nHome } from './home';
import type { N8nLine } from './install';
import { startPostgres, type RunningPostgres } from './postgres';
import { importAndPublish, startServerWithWebhooks } from './productionWebhook';
import { startRedis, type RunningRedis } from './redis';
import type { N8nServer } from './server';
import { N8nWorker } from './worker';

/**
 * n8n in queue mode on one machine, as teams run it when they grow: PostgreSQL and Redis of their own, one main
 * (`n8n start`) that takes the production webhooks and puts executions on the queue, and workers
 * (`n8n worker --concurrency=N`) that run them. Every process has its own user folder (as on separate machines),
 * loads the package, and has the same encryption key, database and Redis. Everything is on loopback, in temporary
 * folders, with bounded lifetimes; stop() ends it all and removes the folders.
 */

export interface QueueModeOptions {
	line: N8nLine;
	extensions: string;
	workers: number;
	concurrency: number;
	credentials: CredentialImport[];
	workflows: WorkflowImport[];
	lifetimeSeconds: number;
	/** More settings for every process (the queue's lock and stall timing, say). */
	env?: Record<string, string>;
	log?: (line: string) => void;
}

export class QueueMode {
	private readonly homes: N8nHome[] = [];
	private workerCount = 0;

	private constructor(
		private readonly options: QueueModeOptions,
		private readonly postgres: RunningPostgres,
		private readonly redis: RunningRedis,
		readonly main: N8nServer,
		readonly workers: N8nWorker[],
		mainHome: N8nHome,
	) {
		this.homes.push(mainHome);
	}

	static async start(options: QueueModeOptions): Promise<QueueMode> {
		const log = options.log ?? (() => undefined);
		const [postgres, redis] = await Promise.all([
			startPostgres({ lifetimeSeconds: options.lifetimeSeconds, log }),
			startRedis({ lifetimeSeconds: options.lifetimeSeconds, log }),
		]);
		const env = QueueMode.envFor(options, postgres, redis);
		const homes: N8nHome[] = [];
		const cleanUp = async (started: { main?: N8nServer; workers: N8nWorker[] }) => {
			await Promise.all([started.main?.stop(), ...started.workers.map((worker) => worker.stop())]);
			await Promise.all([postgres.stop(), redis.stop()]);
			for (const home of homes) rmSync(home.userFolder, { recursive: true, force: true });
		};
		const started: { main?: N8nServer; workers: N8nWorker[] } = { workers: [] };
		try {
			const mainHome = new N8nHome(options.line, { extensions: options.extensions, env });
			homes.push(mainHome);
			// The CLI's first command creates the schema; the workers start once it is there.
			await importAndPublish(mainHome, options.credentials, options.workflows);
			log(`queue mode: PostgreSQL on ${postgres.port}, Redis on ${redis.port}, workflows published`);
			const workerHomes = Array.from({ length: options.workers }, () => {
				const home = new N8nHome(options.line, { extensions: options.extensions, env });
				homes.push(home);
				return home;
			});
			// Every port at once, so that processes starting side by side never get the same one.
			const ports = await freePorts(2 + 2 * options.workers);
			const [main, ...workers] = await Promise.all([
				startServerWithWebhooks(mainHome, options.workflows, options.lifetimeSeconds, {
					port: ports[0],
					brokerPort: ports[1],
				}).then((server) => {
					started.main = server;
					return server;
				}),
				...workerHomes.map((home, index) =>
					N8nWorker.start(`worker ${index + 1}`, home, {
						concurrency: options.concurrency,
						lifetimeSeconds: options.lifetimeSeconds,
						ports: { health: ports[2 + 2 * index], broker: ports[3 + 2 * index] },
					}).then((worker) => {
						started.workers.push(worker);
						return worker;
					}),
				),
			]);
			const setup = new QueueMode(
				options,
				postgres,
				redis,
				main as N8nServer,
				workers as N8nWorker[],
				mainHome,
			);
			setup.homes.push(...workerHomes);
			setup.workerCount = options.workers;
			return setup;
		} catch (error) {
			await cleanUp(started);
			throw error;
		}
	}

	private static envFor(
		options: QueueModeOptions,
		postgres: RunningPostgres,
		redis: RunningRedis,
	): Record<string, string> {
		return {
			EXECUTIONS_MODE: 'queue',
			...postgres.n8nEnv,
			...redis.n8nEnv,
			...options.env,
		};
	}

	/** Starts one more worker (to replace one that was killed, say). */
	async addWorker(): Promise<N8nWorker> {
		const env = QueueMode.envFor(this.options, this.postgres, this.redis);
		const home = new N8nHome(this.options.line, { extensions: this.options.extensions, env });
		this.homes.push(home);
		const worker = await N8nWorker.start(`worker ${++this.workerCount}`, home, {
			concurrency: this.options.concurrency,
			lifetimeSeconds: this.options.lifetimeSeconds,
		});
		this.workers.push(worker);
		return worker;
	}

	/** Workers whose process still runs. */
	liveWorkers(): N8nWorker[] {
		return this.workers.filter((worker) => worker.process.running);
	}

	async stop(): Promise<void> {
		await Promise.all([this.main.stop(), ...this.workers.map((worker) => worker.stop())]);
		await Promise.all([this.postgres.stop(), this.redis.stop()]);
		for (const home of this.homes) rmSync(home.userFolder, { recursive: true, force: true });
	}
}
