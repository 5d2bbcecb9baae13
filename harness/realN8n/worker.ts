import { freePorts } from '../ports';
import { pollUntil } from '../waitFor';
import { BoundedProcess } from './boundedProcess';
import type { N8nHome } from './home';
import { NODE24 } from './install';

/**
 * One queue-mode worker (`n8n worker --concurrency=N`) for a home set up for queue mode (its database and Redis
 * in the home's settings): it takes executions from the queue and runs them, up to N at once. Ready when its
 * health server answers `/healthz/readiness` (database and Redis connected).
 */
export class N8nWorker {
	private constructor(
		readonly name: string,
		readonly process: BoundedProcess,
		readonly healthUrl: string,
	) {}

	static async start(
		name: string,
		home: N8nHome,
		options: { concurrency: number; lifetimeSeconds: number; ports?: { health: number; broker: number } },
	): Promise<N8nWorker> {
		const [healthPort, brokerPort] = options.ports
			? [options.ports.health, options.ports.broker]
			: await freePorts(2);
		const process = BoundedProcess.start(
			name,
			NODE24,
			[home.n8nBin(), 'worker', `--concurrency=${options.concurrency}`],
			{
				lifetimeSeconds: options.lifetimeSeconds,
				cwd: home.userFolder,
				// Enough to keep a line for every execution of several bursts (see executionIds).
				keepChars: 5_000_000,
				env: home.env({
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				}),
			},
		);
		const worker = new N8nWorker(name, process, `http://127.0.0.1:${healthPort}`);
		try {
			await pollUntil(
				async () => {
					if (!process.running) throw new Error('exited');
					const response = await fetch(`${worker.healthUrl}/healthz/readiness`, {
						signal: AbortSignal.timeout(2_000),
					});
					return response.status === 200;
				},
				{
					timeoutMs: 600_000,
					describe: () => `n8n worker ${name} did not become ready:\n${process.log.slice(-4000)}`,
				},
			);
		} catch (error) {
			await process.stop();
			throw error;
		}
		return worker;
	}

	get log(): string {
		return this.process.log;
	}

	/** The executions this worker took, from its log ("Worker started execution <id> (job <n>)"). */
	executionIds(): Set<string> {
		return new Set([...this.log.matchAll(/Worker started execution (\d+)/g)].map((match) => match[1]));
	}

	/** Ends the worker the hard way (SIGKILL, its task runner too): what a crash or the OOM killer does. */
	kill(): number[] {
		return this.process.killHard();
	}

	async stop(): Promise<void> {
		await this.process.stop(35_000);
	}
}
