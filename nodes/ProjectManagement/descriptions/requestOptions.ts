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
		"Tuning, rarely needed: how often in all the node sends one item's request when the API fails or cannot be reached. Mistakes in the data are never retried.",
};

const maxWaitSeconds: INodeProperties = {
	displayName: 'Max Wait (Seconds)',
	name: 'maxWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 3600 },
	default: 60,
	description:
		'Tuning, rarely needed: the longest pause before one retry after an error (a server error, a lost connection). Waits for rate limits fall under Max Rate-Limit Wait instead.',
};

const maxRateLimitWaitSeconds: INodeProperties = {
	displayName: 'Max Rate-Limit Wait (Seconds)',
	name: 'maxRateLimitWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 86400 },
	default: 300,
	description:
		"Tuning, rarely needed: the most time in all one item may wait when the API says it is busy and when to come back. Such waits do not use up Max Attempts; past this, the item fails saying how long it waited. Keep it below the workflow's timeout.",
};

const retryDelayMs: INodeProperties = {
	displayName: 'Retry Delay (Milliseconds)',
	name: 'retryDelayMs',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 60000 },
	default: 500,
	description:
		'Tuning, rarely needed: the pause before the first retry is up to this long; each further retry doubles it. A pause the API asks for comes first.',
};

const timeoutSeconds: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeoutSeconds',
	type: 'number',
	typeOptions: { minValue: 0.1, maxValue: 600 },
	default: 30,
	description:
		'Tuning, rarely needed: the longest one attempt may take, from sending the request to the last byte of the answer (with OAuth2, getting a token included). An attempt that times out is retried safely: it cannot make a change twice.',
};

const maxInFlight: INodeProperties = {
	displayName: 'Max Requests in Flight',
	name: 'maxInFlight',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 200 },
	default: 50,
	description:
		"Tuning, rarely needed: how many items the node sends at the same time; 1 sends one after the other. The output keeps the input's order either way.",
};

const maxRequestsPerSecond: INodeProperties = {
	displayName: 'Max Requests per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description:
		'Tuning, rarely needed: 0 means no limit of its own: the node already slows down by itself when the API asks it to. Set a number to stay below a limit the API does not announce.',
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
	hint: "Leave empty: the node makes one from the workflow, the node and the item's data, so a retry or a second run never does the change twice. Set it (for example to a CRM deal ID) if the data holds something new on every run, such as the current time.",
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
