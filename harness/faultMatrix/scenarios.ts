import { FAULT_CLASSES, type FaultClass, type ReferenceApiOptions } from '../../reference-api/src';

/**
 * The fault matrix: one scenario per fault class of /work/shared/notes/reliability.md ("The fault classes an
 * integration must survive"), a mixed one, a 50 % stress run, a run that honours real Retry-After waits, and
 * two negative controls that switch the API's idempotency off to prove that the checks can see duplicates
 * and orphans. Shared by the jest suite (test/matrix/faultMatrix.test.ts) and `npm run matrix`.
 *
 * Time is scaled, item counts are not: every scenario has 1,000 items. Retry-After is 0 s and backoff steps
 * are 5 ms where waiting is not what is being measured; timeouts are 1 s with slow answers of 1–1.4 s, by as
 * much over the timeout as before the scale changed (a retry meets its original still in flight for as long).
 * The node runs with its default Max Requests in Flight (50 items under way at once), which is what spreads the
 * slow answers over time. They used to be split over 8 concurrent executions with 0.1 s timeouts instead; with
 * many requests under way in one process that also serves the API, on a busy machine, n8n's event loop can be
 * late by a few hundred milliseconds, and a timeout that short then expires before the request is even sent,
 * which is not what these scaled-down timeouts are meant to measure.
 */

export const MATRIX_ITEMS = 1000;

/** Shares of items whose data the API rejects for good (class 11): they must fail after one attempt. */
export interface BusinessShares {
	/** An owner the API does not know: 400. */
	badOwner?: number;
	/** The name of a project that exists before the run: 409 DUPLICATE_RESOURCE. */
	duplicateName?: number;
	/** A custom Idempotency Key already used for other data: 422 IDEMPOTENCY_KEY_MISMATCH. */
	reusedKey?: number;
}

export interface NodeOptions {
	maxAttempts: number;
	retryDelayMs: number;
	timeoutSeconds: number;
	maxWaitSeconds?: number;
}

export interface Scenario {
	id: string;
	/** The row label: the class number of reliability.md and what happens. */
	title: string;
	items: number;
	/** Per-attempt fault probabilities on POST /projects. */
	rates: Partial<Record<FaultClass, number>>;
	/** The nominal per-attempt fault rate, for the table (business errors are per item). */
	faultRate: string;
	api: {
		slowMs: number;
		slowUntilOvertaken?: boolean;
		retryAfterSeconds: number;
		retryAfterFormat: 'seconds' | 'http-date' | 'mixed';
		inFlightRetryAfterSeconds: number;
		uniqueNames: boolean;
		ignoreIdempotencyKeys: boolean;
		rateLimit?: ReferenceApiOptions['rateLimit'];
	};
	node: NodeOptions;
	credential: 'apiKey' | 'oauth2';
	/** Items are split into this many executions of the same workflow, run at the same time. */
	executions: number;
	business: BusinessShares;
	/** Idempotency Key option mapped to the item's deal id instead of the key the node derives. */
	customKeys: boolean;
	/** The node's "If a Project With This Name Exists": `returnExisting` looks the name up first (find or create). */
	ifExists: 'error' | 'returnExisting';
	/** What the suite demands: a clean run, or (negative controls) that the checks see the damage. */
	expect: 'clean' | 'duplicates' | 'orphans';
	seed: number;
}

// No fault of the rows that use FAST_NODE makes the API hang, so its timeout is never meant to fire: it is long
// enough that a busy machine (a cold process compiling its code, other work on the cores) does not time an attempt
// out before the API has even read it, which the API could not count. The rows about timeouts use SLOW_NODE.
const FAST_NODE: NodeOptions = { maxAttempts: 8, retryDelayMs: 5, timeoutSeconds: 30 };
const SLOW_NODE: NodeOptions = { ...FAST_NODE, timeoutSeconds: 1 };

const BASE_API: Scenario['api'] = {
	slowMs: 400,
	retryAfterSeconds: 0,
	retryAfterFormat: 'seconds',
	inFlightRetryAfterSeconds: 0,
	// Names are not unique, so a second project for an item shows up as such instead of being refused by the API.
	uniqueNames: false,
	ignoreIdempotencyKeys: false,
};

function scenario(
	id: string,
	title: string,
	rates: Scenario['rates'],
	more: Partial<Omit<Scenario, 'api'>> & { api?: Partial<Scenario['api']> } = {},
): Scenario {
	const { api, ...rest } = more;
	return {
		id,
		title,
		items: MATRIX_ITEMS,
		rates,
		faultRate: `${Math.round(Object.values(rates).reduce((sum, rate) => sum + (rate ?? 0), 0) * 100)} %`,
		api: { ...BASE_API, ...api },
		node: FAST_NODE,
		credential: 'apiKey',
		executions: 1,
		business: {},
		customKeys: false,
		ifExists: 'error',
		expect: 'clean',
		seed: 0,
		...rest,
	};
}

/** Every class at an equal share of `total`; slow answers overtake a 0.1 s timeout. */
function everything(total: number): Scenario['rates'] {
	return Object.fromEntries(FAULT_CLASSES.map((name) => [name, total / FAULT_CLASSES.length]));
}

const MIXED_BUSINESS: BusinessShares = { badOwner: 0.03, duplicateName: 0.03 };

const ALL: Scenario[] = [
	scenario('c1', '1 · 500/502/503 before commit', { errorBeforeCommit: 0.2 }),
	scenario('c2', '2 · 500 after commit', { errorAfterCommit: 0.2 }),
	scenario('c3', '3 · reset before commit', { resetBeforeCommit: 0.2 }),
	scenario('c4r', '4 · reset after commit', { resetAfterCommit: 0.2 }),
	scenario(
		'c4t',
		'4 · timeout after commit',
		{ timeoutAfterCommit: 0.2 },
		{ node: SLOW_NODE, api: { slowMs: 1400 } },
	),
	scenario('c5', '5 · 429 + Retry-After', { throttle: 0.2 }),
	scenario('c6', '6 · 503 + Retry-After', { unavailable: 0.2 }),
	scenario(
		'c7s',
		'7 · slow answers near the timeout',
		{ slowBeforeCommit: 0.2 },
		// Held for up to the node's 1 s timeout, and let go as soon as a retry (after the client gave up) meets it:
		// whichever comes first on a busy machine, the retries that follow find the project made.
		{ node: SLOW_NODE, api: { slowMs: 1000, slowUntilOvertaken: true } },
	),
	scenario('c7t', '7 · truncated body', { truncatedBody: 0.2 }),
	scenario('c8', '8 · HTML error page', { htmlError: 0.2 }),
	scenario(
		'c9',
		'9 · 409 in progress (retry overtakes)',
		{ slowBeforeCommit: 0.2 },
		// The original waits until a retry (after the client gave up at its 1 s timeout) has met it in flight and got
		// the 409; then it commits, and the next retry gets its answer. Certain, whatever the machine's speed.
		{ node: SLOW_NODE, api: { slowMs: 10_000, slowUntilOvertaken: true } },
	),
	scenario('c10', '10 · 401 token expired (OAuth2)', { tokenExpiry: 0.2 }, { credential: 'oauth2' }),
	scenario(
		'c11',
		'11 · business errors 400/409/422',
		{},
		{
			faultRate: '20 % of items',
			business: { badOwner: 0.07, duplicateName: 0.07, reusedKey: 0.06 },
			customKeys: true,
			api: { uniqueNames: true },
		},
	),
	scenario(
		'c11e',
		'11 · name taken, find or create',
		{},
		{
			faultRate: '20 % of items',
			business: { duplicateName: 0.2 },
			ifExists: 'returnExisting',
			api: { uniqueNames: true },
		},
	),
	// 200 executions at once against a real rate limit: the 429s come from the API's own bucket, each with a real
	// Retry-After, and now and then a 503 with one. The executions share one pace (transport/sharedPace.ts), and
	// every 429 or 503 holds all of them; injected at a fixed share regardless of load, as in row 5, every third
	// request or so would hold everyone and the pace would collapse, which is not what a rate limit does.
	scenario(
		'c5b',
		'5+6 · real Retry-After (1 s), rate limit',
		{ unavailable: 0.005 },
		{
			executions: 200,
			api: {
				retryAfterSeconds: 1,
				retryAfterFormat: 'mixed',
				rateLimit: { enabled: true, capacity: 50, refillPerSecond: 50 },
			},
		},
	),
	scenario('mix', 'mixed, all classes', everything(0.2), {
		credential: 'oauth2',
		node: SLOW_NODE,
		business: MIXED_BUSINESS,
		api: { uniqueNames: true, slowMs: 10_000, slowUntilOvertaken: true },
	}),
	scenario('stress', 'stress, all classes', everything(0.5), {
		credential: 'oauth2',
		node: SLOW_NODE,
		business: MIXED_BUSINESS,
		api: { uniqueNames: true, slowMs: 10_000, slowUntilOvertaken: true },
	}),
	scenario(
		'nc-dup',
		'control: keys ignored',
		{ errorAfterCommit: 0.1, resetAfterCommit: 0.1 },
		{ expect: 'duplicates', api: { ignoreIdempotencyKeys: true } },
	),
	scenario(
		'nc-orphan',
		'control: keys ignored, unique names',
		{ errorAfterCommit: 0.1, resetAfterCommit: 0.1 },
		{ expect: 'orphans', api: { ignoreIdempotencyKeys: true, uniqueNames: true } },
	),
];

/** Each scenario gets its own fault seed, fixed, so that a run can be repeated exactly. */
export const SCENARIOS: Scenario[] = ALL.map((entry, index) => ({ ...entry, seed: 101 + index }));
