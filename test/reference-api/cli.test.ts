import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { parseCliArgs } from '../../reference-api/src/cli';

describe('parseCliArgs', () => {
	test('maps every flag onto options', () => {
		const result = parseCliArgs([
			'--port',
			'0',
			'--host',
			'127.0.0.2',
			'--rate-limit',
			'10:5',
			'--fault',
			'errorAfterCommit=0.1,throttle=0.05',
			'--fault',
			'htmlError=0.01',
			'--seed',
			'7',
			'--slow-ms',
			'300',
			'--retry-after',
			'0',
			'--retry-after-format',
			'mixed',
			'--fault-methods',
			'post,patch',
			'--latency-ms',
			'20',
			'--token-ttl',
			'60',
			'--idempotency-ttl',
			'120',
			'--require-idempotency-key',
			'--ignore-idempotency-keys',
			'--in-flight-retry-after',
			'0',
			'--allow-duplicate-names',
			'--admin-token',
			'secret',
		]);
		expect(result).toEqual({
			help: false,
			options: expect.objectContaining({
				host: '127.0.0.2',
				port: 0,
				rateLimit: { enabled: true, capacity: 10, refillPerSecond: 5 },
				latencyMs: 20,
				tokenTtlSeconds: 60,
				idempotencyTtlSeconds: 120,
				requireIdempotencyKey: true,
				ignoreIdempotencyKeys: true,
				inFlightRetryAfterSeconds: 0,
				uniqueNames: false,
				adminToken: 'secret',
				faults: expect.objectContaining({
					seed: 7,
					rates: { errorAfterCommit: 0.1, throttle: 0.05, htmlError: 0.01 },
					slowMs: 300,
					retryAfterSeconds: 0,
					retryAfterFormat: 'mixed',
					methods: ['POST', 'PATCH'],
				}),
			}),
		});
	});

	test('maps the webhook flags onto the webhooks options', () => {
		const result = parseCliArgs([
			'--webhook-fault',
			'duplicate=0.1,outOfOrder=0.05',
			'--webhook-fault',
			'forged=0.01',
			'--webhook-seed',
			'9',
			'--webhook-max-attempts',
			'3',
			'--webhook-backoff-ms',
			'50:400',
			'--webhook-retry-window-ms',
			'2000',
			'--webhook-timeout-ms',
			'1500',
			'--webhook-late-ms',
			'250',
		]);
		expect(result).toEqual({
			help: false,
			options: expect.objectContaining({
				webhooks: {
					maxAttempts: 3,
					backoffBaseMs: 50,
					backoffMaxMs: 400,
					retryWindowMs: 2000,
					requestTimeoutMs: 1500,
					faults: { seed: 9, rates: { duplicate: 0.1, outOfOrder: 0.05, forged: 0.01 }, lateMs: 250 },
				},
			}),
		});
		expect(() => parseCliArgs(['--webhook-fault', 'lost=0.1'])).toThrow(
			/--webhook-fault: unknown class 'lost'/,
		);
		expect(() => parseCliArgs(['--webhook-backoff-ms', '100'])).toThrow(/base:max/);
	});

	test('defaults to port 3000 and refuses bad input with a message', () => {
		expect(parseCliArgs([])).toMatchObject({ help: false, options: { port: 3000 } });
		expect(parseCliArgs(['--help'])).toEqual({ help: true });
		expect(() => parseCliArgs(['--fault', 'meteor=0.1'])).toThrow(/unknown class 'meteor'/);
		expect(() => parseCliArgs(['--rate-limit', 'lots'])).toThrow(/capacity:refillPerSecond/);
		expect(() => parseCliArgs(['--port', 'eighty'])).toThrow(/--port needs a number/);
		expect(() => parseCliArgs(['--colour', 'red'])).toThrow();
	});
});

test('`npm run api` entry point prints its URL and demo credentials, serves, and stops on SIGTERM', async () => {
	const root = join(__dirname, '..', '..');
	const child = spawn(
		process.execPath,
		[
			join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
			join(root, 'reference-api', 'main.ts'),
			'--port',
			'0',
			'--seed',
			'3',
		],
		{
			cwd: root,
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	try {
		let output = '';
		const url = await new Promise<string>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 20_000);
			const onData = (chunk: Buffer) => {
				output += chunk.toString();
				const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
				if (match && output.includes('demo-client-secret')) {
					clearTimeout(timer);
					resolve(match[1]);
				}
			};
			child.stdout.on('data', onData);
			child.stderr.on('data', onData);
			child.once('exit', () => reject(new Error(`exited early:\n${output}`)));
		});
		expect(output).toContain('pm_demo_rw_0123456789abcdef');
		const me = await fetch(`${url}/api/v1/me`, { headers: { 'x-api-key': 'pm_demo_rw_0123456789abcdef' } });
		expect(me.status).toBe(200);
		const config = (await fetch(`${url}/_admin/config`).then((response) => response.json())) as {
			faults: { seed: number };
		};
		expect(config.faults.seed).toBe(3);
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	} finally {
		if (child.exitCode === null) child.kill('SIGKILL');
	}
}, 30_000);
