import { parseArgs } from 'node:util';

import {
	FAULT_CLASSES,
	WEBHOOK_FAULT_CLASSES,
	type DeepPartial,
	type FaultClass,
	type FaultOptions,
	type ReferenceApiOptions,
	type WebhookFaultClass,
	type WebhookOptions,
} from './config';

export const CLI_USAGE = `Usage: npm run api -- [options]

  --host <address>               listen address (default 127.0.0.1)
  --port <n>                     port, 0 for any free one (default 3000)
  --rate-limit <capacity:refill> token bucket per client, e.g. 10:5 (default off)
  --fault <class=rate>           per-attempt fault probability; repeat or comma-separate,
                                 e.g. --fault errorAfterCommit=0.1,throttle=0.05
                                 classes: ${FAULT_CLASSES.join(', ')}
  --seed <n>                     fault PRNG seed (default 1)
  --slow-ms <n>                  delay of slow and held responses (default 2000)
  --retry-after <s>              Retry-After seconds of injected 429/503 (default 1)
  --retry-after-format <f>       seconds | http-date | mixed (default seconds)
  --fault-methods <list>         methods faults apply to (default POST,PATCH,DELETE)
  --fault-path-prefix <path>     path prefix faults apply to (default /api/v1/projects)
  --latency-ms <n>               added to every API request (default 0)
  --token-ttl <s>                OAuth2 access token lifetime (default 3600)
  --idempotency-ttl <s>          Idempotency-Key record lifetime (default 86400)
  --require-idempotency-key      POST /projects without Idempotency-Key gets 400
  --ignore-idempotency-keys      log Idempotency-Key but ignore it (negative controls)
  --in-flight-retry-after <s>    Retry-After of the 409 for a key still in flight (default 1)
  --allow-duplicate-names        store projects with duplicate names (negative controls)
  --webhook-fault <class=rate>   per-delivery webhook fault probability; repeat or comma-separate,
                                 e.g. --webhook-fault duplicate=0.1,outOfOrder=0.05
                                 classes: ${WEBHOOK_FAULT_CLASSES.join(', ')}
  --webhook-seed <n>             webhook fault PRNG seed (default 1)
  --webhook-max-attempts <n>     attempts per delivery (default 5)
  --webhook-backoff-ms <base:max> wait before a redelivery, doubling from base up to max (default 100:2000)
  --webhook-retry-window-ms <n>  no redelivery starts later than this after the first attempt (default 30000)
  --webhook-timeout-ms <n>       an attempt without an answer by then has failed (default 5000)
  --webhook-late-ms <n>          delay of the late fault (default 1000)
  --admin-token <token>          require X-Admin-Token on /_admin routes
  --log                          log requests to stdout
  --help                         show this help`;

export type CliResult = { help: true } | { help: false; options: DeepPartial<ReferenceApiOptions> };

function number(name: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const parsed = Number(value);
	if (value.trim() === '' || !Number.isFinite(parsed))
		throw new Error(`--${name} needs a number, got '${value}'`);
	return parsed;
}

function ratesOf<T extends string>(
	flag: string,
	classes: readonly T[],
	values: string[],
): Partial<Record<T, number>> {
	const rates: Partial<Record<T, number>> = {};
	for (const item of values.flatMap((value) => value.split(',')).filter(Boolean)) {
		const [name, rate] = item.split('=');
		if (!(classes as readonly string[]).includes(name)) {
			throw new Error(`--${flag}: unknown class '${name}'; known: ${classes.join(', ')}`);
		}
		rates[name as T] = number(flag, rate);
	}
	return rates;
}

function faultRates(values: string[]): Partial<Record<FaultClass, number>> {
	return ratesOf('fault', FAULT_CLASSES, values);
}

function webhookOptions(
	values: Record<string, string | string[] | boolean | undefined>,
): DeepPartial<WebhookOptions> {
	const text = (name: string) => values[name] as string | undefined;
	let backoff: { backoffBaseMs?: number; backoffMaxMs?: number } = {};
	const backoffFlag = text('webhook-backoff-ms');
	if (backoffFlag !== undefined) {
		const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(backoffFlag);
		if (!match)
			throw new Error(`--webhook-backoff-ms needs base:max in ms, e.g. 100:2000, got '${backoffFlag}'`);
		backoff = { backoffBaseMs: Number(match[1]), backoffMaxMs: Number(match[2]) };
	}
	return {
		maxAttempts: number('webhook-max-attempts', text('webhook-max-attempts')),
		...backoff,
		retryWindowMs: number('webhook-retry-window-ms', text('webhook-retry-window-ms')),
		requestTimeoutMs: number('webhook-timeout-ms', text('webhook-timeout-ms')),
		faults: {
			seed: number('webhook-seed', text('webhook-seed')),
			rates: ratesOf<WebhookFaultClass>(
				'webhook-fault',
				WEBHOOK_FAULT_CLASSES,
				(values['webhook-fault'] as string[] | undefined) ?? [],
			),
			lateMs: number('webhook-late-ms', text('webhook-late-ms')),
		},
	};
}

/** Command-line flags to options; unknown flags and bad values throw with a message for the user. */
export function parseCliArgs(argv: string[]): CliResult {
	const { values } = parseArgs({
		args: argv,
		strict: true,
		allowPositionals: false,
		options: {
			host: { type: 'string' },
			port: { type: 'string' },
			'rate-limit': { type: 'string' },
			fault: { type: 'string', multiple: true },
			seed: { type: 'string' },
			'slow-ms': { type: 'string' },
			'retry-after': { type: 'string' },
			'retry-after-format': { type: 'string' },
			'fault-methods': { type: 'string' },
			'fault-path-prefix': { type: 'string' },
			'latency-ms': { type: 'string' },
			'token-ttl': { type: 'string' },
			'idempotency-ttl': { type: 'string' },
			'require-idempotency-key': { type: 'boolean' },
			'ignore-idempotency-keys': { type: 'boolean' },
			'in-flight-retry-after': { type: 'string' },
			'allow-duplicate-names': { type: 'boolean' },
			'webhook-fault': { type: 'string', multiple: true },
			'webhook-seed': { type: 'string' },
			'webhook-max-attempts': { type: 'string' },
			'webhook-backoff-ms': { type: 'string' },
			'webhook-retry-window-ms': { type: 'string' },
			'webhook-timeout-ms': { type: 'string' },
			'webhook-late-ms': { type: 'string' },
			'admin-token': { type: 'string' },
			log: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) return { help: true };

	const options: DeepPartial<ReferenceApiOptions> = {
		host: values.host,
		port: number('port', values.port) ?? 3000,
		latencyMs: number('latency-ms', values['latency-ms']),
		tokenTtlSeconds: number('token-ttl', values['token-ttl']),
		idempotencyTtlSeconds: number('idempotency-ttl', values['idempotency-ttl']),
		requireIdempotencyKey: values['require-idempotency-key'],
		ignoreIdempotencyKeys: values['ignore-idempotency-keys'],
		inFlightRetryAfterSeconds: number('in-flight-retry-after', values['in-flight-retry-after']),
		uniqueNames: values['allow-duplicate-names'] ? false : undefined,
		adminToken: values['admin-token'],
		logger: values.log,
	};
	if (values['rate-limit'] !== undefined) {
		const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(values['rate-limit']);
		if (!match)
			throw new Error(
				`--rate-limit needs capacity:refillPerSecond, e.g. 10:5, got '${values['rate-limit']}'`,
			);
		options.rateLimit = { enabled: true, capacity: Number(match[1]), refillPerSecond: Number(match[2]) };
	}
	const faults: DeepPartial<FaultOptions> = {
		seed: number('seed', values.seed),
		rates: faultRates(values.fault ?? []),
		slowMs: number('slow-ms', values['slow-ms']),
		retryAfterSeconds: number('retry-after', values['retry-after']),
		retryAfterFormat: values['retry-after-format'] as FaultOptions['retryAfterFormat'] | undefined,
		methods: values['fault-methods']?.split(',').map((method) => method.trim().toUpperCase()),
		pathPrefix: values['fault-path-prefix'],
	};
	options.faults = faults;
	options.webhooks = webhookOptions(values);
	return { help: false, options };
}
