import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { MappedField } from '../fields/customFields';
import type { Pacer, RateCeiling } from '../reliability/pacing';
import type { RetryPolicy } from '../reliability/retry';
import { DEFAULT_RETRY_POLICY } from '../reliability/retry';
import type { CallSettings } from '../transport/request';
import { itemParameter } from './itemParameters';

/**
 * The node's Options collection (descriptions/requestOptions.ts shows it), read once per item and turned into
 * what the run and each item go by. Where a value is missing or unusable, the default applies.
 */

export const DEFAULT_TIMEOUT_SECONDS = 30;
/**
 * Items sent at once when the user sets nothing. n8n's HTTP Request node sends all items of a run at once by
 * default. From about this many on, a run against an API that answers in tens of milliseconds is bound by n8n's
 * CPU per item rather than by the requests in flight (docs/throughput.md), so more would only load the API; a
 * rate-limited API is kept to its rate by the pacing.
 */
export const DEFAULT_MAX_IN_FLIGHT = 50;

/** What the whole run goes by, read from the first item (it cannot differ per item). */
export interface RunSettings {
	maxInFlight: number;
	/** 0: no ceiling of the user's own. */
	maxRequestsPerSecond: number;
}

/** Facts of the run that every item uses, read once (n8n copies the whole node for every getNode()). */
export interface RunFacts {
	workflowId: string;
	nodeId: string;
	/** Create with Map Automatically: the custom fields the API defines (see project/customFieldSchema.ts). */
	customFieldSchema?: MappedField[];
}

/** What one item goes by. */
export interface ItemSettings {
	run: RunFacts;
	/** Timeout, retries, and the run's pacer. */
	call: CallSettings;
	includeOutcome: boolean;
	/** Set when the user gave a key; undefined means "derive one". */
	customKey?: unknown;
	/** Check and show the request instead of sending it. */
	dryRun: boolean;
	/** Delete: a project that does not exist counts as deleted. */
	ignoreNotFound: boolean;
	/** Create: identical items are one project, or each item gets its own. */
	identicalItems: 'oneProject' | 'eachItem';
}

/** The item's Options collection as n8n resolves it (expressions included). */
export function readOptions(this: IExecuteFunctions, itemIndex: number): IDataObject {
	return itemParameter.call(this, 'options', itemIndex, {}) as IDataObject;
}

const positive = (value: unknown, fallback: number) =>
	typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;

const maxWaitMsOf = (options: IDataObject) =>
	positive(options.maxWaitSeconds, DEFAULT_RETRY_POLICY.maxWaitMs / 1000) * 1000;

export function runSettingsOf(options: IDataObject): RunSettings {
	return {
		maxInFlight: Math.floor(positive(options.maxInFlight, DEFAULT_MAX_IN_FLIGHT)),
		maxRequestsPerSecond: positive(options.maxRequestsPerSecond, 0),
	};
}

/** What paces an item's requests: the API's shared pace, and the run's own ceiling when the user set one. */
export interface Pacing {
	pacer?: Pacer;
	ceiling?: RateCeiling;
}

export function itemSettingsOf(options: IDataObject, run: RunFacts, pacing: Pacing = {}): ItemSettings {
	const policy: RetryPolicy = {
		...DEFAULT_RETRY_POLICY,
		baseDelayMs: positive(options.retryDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs),
		maxAttempts: Math.floor(positive(options.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts)),
		maxWaitMs: maxWaitMsOf(options),
		maxRateLimitWaitMs:
			positive(options.maxRateLimitWaitSeconds, DEFAULT_RETRY_POLICY.maxRateLimitWaitMs / 1000) * 1000,
	};
	const rawKey = options.idempotencyKey;
	return {
		run,
		call: {
			timeoutMs: positive(options.timeoutSeconds, DEFAULT_TIMEOUT_SECONDS) * 1000,
			policy,
			...pacing,
		},
		customKey: rawKey === undefined || rawKey === '' ? undefined : rawKey,
		includeOutcome: options.includeOutcome !== false,
		dryRun: options.dryRun === true,
		ignoreNotFound: options.ignoreNotFound === true,
		identicalItems: options.identicalItems === 'eachItem' ? 'eachItem' : 'oneProject',
	};
}
