import type { INodeProperties } from 'n8n-workflow';

/*
 * The Options every operation shows: how the node sends requests and what each item reports. Read at run time by
 * actions/settings.ts. The defaults are literals because n8n's lint reads them from the source; a unit test
 * checks that they equal the defaults the run applies (DEFAULT_RETRY_POLICY, actions/settings.ts).
 */

const includeOutcome: INodeProperties = {
	displayName: 'Include Outcome Metadata',
	name: 'includeOutcome',
	type: 'boolean',
	default: true,
	description:
		'Whether to add a _result field to each item saying how it ended (for example created, updated, existing, found, deleted, failed or unknown), after how many attempts and waits, and with which idempotency key',
};

const maxAttempts: INodeProperties = {
	displayName: 'Max Attempts',
	name: 'maxAttempts',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 10 },
	default: 5,
	description:
		'How many times in all the node sends a request for one item when the API is busy, rate-limited or unreachable. Errors in the data itself are never retried.',
};

const maxWaitSeconds: INodeProperties = {
	displayName: 'Max Wait (Seconds)',
	name: 'maxWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 3600 },
	default: 60,
	description:
		'The longest the node waits before one retry after an error (a server error, a lost connection). When the API asks for a longer pause there, the item fails with a message instead of retrying too early. Rate limits are waited out under Max Rate-Limit Wait instead.',
};

const maxRateLimitWaitSeconds: INodeProperties = {
	displayName: 'Max Rate-Limit Wait (Seconds)',
	name: 'maxRateLimitWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 86400 },
	default: 300,
	description:
		"The most time in all one item may wait because the API is busy and said when to come back (a 429 or 503 with Retry-After, or a used-up quota). These waits do not use up Max Attempts. Past this, the item fails saying how long it waited and what the API asked for. Keep it below the workflow's timeout.",
};

const retryDelayMs: INodeProperties = {
	displayName: 'Retry Delay (Milliseconds)',
	name: 'retryDelayMs',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 60000 },
	default: 500,
	description:
		'The wait before the first retry draws from up to this much; each further retry doubles it (exponential backoff with jitter). A wait the API asks for takes precedence.',
};

const timeoutSeconds: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeoutSeconds',
	type: 'number',
	typeOptions: { minValue: 0.1, maxValue: 600, numberPrecision: 1 },
	default: 30,
	description:
		'The longest one attempt may take, from sending the request to the last byte of the answer (with OAuth2, getting a token included). An attempt that times out is retried with the same idempotency key, so it cannot make a change twice.',
};

const maxInFlight: INodeProperties = {
	displayName: 'Max Requests in Flight',
	name: 'maxInFlight',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 200 },
	default: 50,
	description:
		'How many items the node sends to the API at the same time. More is faster until the API or n8n is busy; 1 sends one item after the other. The output keeps the order of the input either way. Read from the first item.',
};

const maxRequestsPerSecond: INodeProperties = {
	displayName: 'Max Requests per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 0,
	description:
		'The most requests this node starts in one second, for all items of a run together (0: no limit of its own). Whatever this says, the node slows down when the API announces a rate limit or answers "too many requests", and speeds up again when it allows; that pace is shared by every execution in this n8n process that uses the same credential. Read from the first item.',
};

/** For Create and Update: the key that makes a retried request safe. */
export const idempotencyKeyOption: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $json.dealId }}',
	description:
		'A value that identifies this change for good, so that the API makes it only once however often the request is sent',
	hint: 'Leave empty to let the node make the key from this workflow, this node and the project\'s data: the same item then gets the same key on every retry, on "Retry On Fail" and when the workflow runs again (for Update, within the same execution). Set it (for example to a CRM deal ID) when the data includes something that changes on every run, such as the current time.',
};

/** For Create and Update: check everything and show the request, without sending it. */
export const dryRunOption: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		"Whether to only check the item and show the request the node would send, instead of sending it. It checks every field, looks up an owner's email and team names, and whether a project already has the name (Create) or the project exists (Update): reads only, nothing is created or changed. It cannot know what the API decides only when the request arrives.",
};

/**
 * How the node sends requests (timeout, retries) and what each item reports, shown under "Options"; `extra`
 * adds the options of one operation. Sorted by label, as n8n lists options.
 */
export function requestOptions(extra: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			includeOutcome,
			maxAttempts,
			maxInFlight,
			maxRateLimitWaitSeconds,
			maxRequestsPerSecond,
			maxWaitSeconds,
			retryDelayMs,
			timeoutSeconds,
			...extra,
		].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
