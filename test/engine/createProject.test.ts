import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { EngineHarness, RunResult } from '../../harness/engine/engineHarness';
import { DEMO_CREDENTIALS, noFaults, type RequestLogEntry } from '../../reference-api/src';
import { apiKeyWithAllScopes, oauthClientWithAllScopes } from '../../harness/referenceApi/grants';
import { useEngineAndApi } from '../../harness/testSetup';

/**
 * Create Project, run as n8n runs it: workflows through n8n-core's WorkflowExecute, the package loaded from
 * dist/ by n8n's own loader, requests over real HTTP to the reference API on loopback.
 */

const CANARY_KEY = 'pm_canary_key_9f8e7d6c5b4a3f2e1d0c';
const CANARY_CLIENT_SECRET = 'canary-client-secret-5a4b3c2d1e0f';

const { api, harness } = useEngineAndApi({
	api: {
		apiKeys: [
			apiKeyWithAllScopes(CANARY_KEY, 'canary-key', 'Canary key'),
			apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, 'demo-api-key', 'Demo'),
			{
				key: DEMO_CREDENTIALS.readOnlyApiKey,
				clientId: 'demo-readonly-api-key',
				name: 'Read-only',
				scopes: ['projects:read', 'directory:read'],
			},
		],
		oauthClients: [oauthClientWithAllScopes('canary-client', CANARY_CLIENT_SECRET, 'Canary client')],
		faults: { retryAfterSeconds: 1 },
	},
	eachTest: {
		configure: {
			faults: { seed: 1, rates: noFaults(), retryAfterFormat: 'seconds', retryAfterSeconds: 1, slowMs: 2000 },
			rateLimit: { enabled: false },
			tokenTtlSeconds: 3600,
			latencyMs: 0,
		},
		apiKeyCredentials: { key: CANARY_KEY },
	},
});

/** Map each field of a deal onto the node, the way a user fills the node with expressions. */
const mapped: INodeParameters = {
	name: '={{ $json.name }}',
	additionalFields: {
		description: '={{ $json.description }}',
		startDate: '={{ $json.start }}',
		endDate: '={{ $json.end }}',
	},
	options: { retryDelayMs: 20, maxAttempts: 5 },
};

const fast = (extra: IDataObject = {}) => ({ retryDelayMs: 20, maxAttempts: 5, ...extra });

function run(
	items: IDataObject[],
	parameters: INodeParameters = mapped,
	more: Partial<Parameters<EngineHarness['run']>[0]> = {},
) {
	return harness.run({ items, parameters, credentialId: 'key', ...more });
}

const deals = (count: number, prefix = 'Deal') =>
	Array.from({ length: count }, (_, index) => ({
		name: `${prefix} ${index + 1}`,
		description: `From CRM deal ${index + 1}`,
	}));

function outcomes(result: RunResult) {
	return result.output.map((item) => (item.json._result as IDataObject | undefined)?.outcome);
}

describe('creating projects', () => {
	it('sends every field and outputs the created project paired with its item', async () => {
		const result = await run(
			[{ deal: 'D-1' }],
			{
				name: 'Apollo launch',
				additionalFields: {
					description: 'Moon, again',
					status: 'Planned',
					priority: 'High',
					startDate: '2026-02-01T09:00:00',
					endDate: '2026-06-30T17:00:00',
					ownerId: 'usr_1002',
					teamIds: 'team_engineering, team_design',
					budget: { budgetValues: { currency: 'EUR', amount: 125000.5 } },
					customFieldsUi: {
						field: [
							{ key: 'department', value: 'Engineering' },
							{ key: 'crmDealId', value: '={{ $json.deal }}' },
						],
					},
				},
				options: fast(),
			},
			{ timezone: 'Europe/Berlin' },
		);

		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(1);
		const [item] = result.output;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual(
			expect.objectContaining({
				id: expect.stringMatching(/^prj_/),
				name: 'Apollo launch',
				description: 'Moon, again',
				status: 'Planned',
				priority: 'High',
				startDate: '2026-02-01T08:00:00.000Z',
				endDate: '2026-06-30T15:00:00.000Z',
				ownerId: 'usr_1002',
				teamIds: ['team_engineering', 'team_design'],
				budget: { currency: 'EUR', amount: 125000.5 },
				customFields: { department: 'Engineering', crmDealId: 'D-1' },
				createdAt: expect.any(String),
			}),
		);
		expect(item.json._result).toEqual(expect.objectContaining({ outcome: 'created', attempts: 1 }));
		expect(item.json.error).toBeUndefined();

		const stored = await api.projects();
		expect(stored).toHaveLength(1);
		expect(stored[0].id).toBe(item.json.id);
		const [attempt] = await api.createAttempts();
		expect(attempt.idempotencyKey).toBe((item.json._result as IDataObject).idempotencyKey);
	});

	it('sends the key as a Bearer token when the credential says so', async () => {
		harness.setCredential('bearer', { baseUrl: `${api.url}/`, apiKey: CANARY_KEY, keyLocation: 'bearer' });
		const result = await run(deals(1), mapped, { credentialId: 'bearer' });
		expect(outcomes(result)).toEqual(['created']);
	});

	it('leaves the outcome metadata out when the user switches it off', async () => {
		const result = await run(deals(1), { ...mapped, options: fast({ includeOutcome: false }) });
		expect(result.output[0].json.id).toMatch(/^prj_/);
		expect(result.output[0].json).not.toHaveProperty('_result');
	});

	it('keeps input order and pairing over many items', async () => {
		const items = deals(12);
		const result = await run(items);
		expect(result.output.map((item) => item.json.name)).toEqual(items.map((deal) => deal.name));
		expect(result.output.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
		expect((await api.stats()).projectsStored).toBe(12);
	});
});

describe('bad items are stopped before anything is sent', () => {
	it.each<[string, IDataObject, RegExp]>([
		['an empty name', { name: '' }, /^Item 1\b.*"Name" is empty/],
		['an unreadable date', { name: 'X', start: '31/01/2026' }, /"Start Date" could not be read as a date/],
		[
			'an end before the start',
			{ name: 'X', start: '2026-03-01', end: '2026-01-01' },
			/"End Date" .* is before "Start Date"/,
		],
	])('fails the node on %s, naming the item and the field', async (_case, deal, message) => {
		const result = await run([deal]);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toBeTruthy();
		expect(result.run.status).toBe('error');
		expect(await api.createAttempts()).toHaveLength(0);
	});

	it('checks budget, currency and custom-field JSON before sending', async () => {
		const parameters = (additionalFields: INodeParameters): INodeParameters => ({
			name: 'X',
			additionalFields,
			options: fast(),
		});
		const cases: Array<[INodeParameters, RegExp]> = [
			[{ budget: { budgetValues: { currency: 'EUR', amount: -1 } } }, /"Budget Amount" is negative/],
			[
				{ budget: { budgetValues: { currency: 'ZZZ', amount: 1 } } },
				/"Budget Currency" "ZZZ" is not an ISO 4217/,
			],
			[
				{ customFieldsJson: '{"department": Sales}' },
				/"Custom Fields as JSON \(Advanced\)" is not valid JSON/,
			],
		];
		for (const [additionalFields, message] of cases) {
			const result = await run([{}], parameters(additionalFields));
			expect(result.error?.message).toMatch(message);
		}
		expect(await api.createAttempts()).toHaveLength(0);
	});

	it('with Continue On Fail, turns a bad item into its error output and creates the others', async () => {
		const items = [
			{ name: 'Good 1' },
			{ name: '' },
			{ name: 'Good 2', start: '2026-13-45' },
			{ name: 'Good 3' },
		];
		const result = await run(items, mapped, { settings: { onError: 'continueRegularOutput' } });
		expect(result.output).toHaveLength(4);
		expect(outcomes(result)).toEqual(['created', 'failed', 'failed', 'created']);
		expect(result.output[1].json.error).toMatch(/^Item 2\b.*"Name" is empty/);
		expect(result.output[2].json.error).toMatch(/^Item 3 \("Good 2"\): "Start Date" /);
		expect(result.output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(await api.createAttempts()).toHaveLength(2);
	});
});

describe('answers the API refuses are surfaced clearly, and not retried', () => {
	it('401: the credential is wrong', async () => {
		harness.setCredential('wrong', { baseUrl: api.url, apiKey: `${CANARY_KEY}-wrong` });
		const result = await run(deals(1), mapped, { credentialId: 'wrong' });
		expect(result.error?.message).toMatch(/^Item 1\b.*did not accept the credentials \(HTTP 401\)/);
		expect(result.error?.description).toMatch(/Test button/);
		// n8n-core itself sends a request once more after a 401; the node adds no retry of its own.
		expect((await api.createAttempts()).length).toBeLessThanOrEqual(2);
	});

	it('403: the key may not write, and the scope is named', async () => {
		harness.setCredential('ro', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.readOnlyApiKey });
		const result = await run(deals(1), mapped, { credentialId: 'ro' });
		expect(result.error?.message).toMatch(/not allowed .*projects:write/);
		expect(await api.createAttempts()).toHaveLength(1);
	});

	it('409: a project with the name exists; the name is in the message', async () => {
		await run([{ name: 'Mercury' }]);
		const result = await run([{ name: 'MERCURY', description: 'different data, so a different key' }]);
		expect(result.error?.message).toMatch(/already exists: .*Mercury/i);
		expect(await api.createAttempts()).toHaveLength(2);
		expect((await api.stats()).projectsStored).toBe(1);
	});

	it('400: the API names the field it rejects', async () => {
		const result = await run([{}], {
			name: 'Orphan',
			additionalFields: { ownerId: 'usr_nobody' },
			options: fast(),
		});
		expect(result.error?.message).toMatch(/rejected the project data: ownerId: /);
		expect(await api.createAttempts()).toHaveLength(1);
	});
});

describe('waits the API asks for are honoured', () => {
	it('429 from the rate limit: waits out Retry-After and creates everything', async () => {
		await api.configure({ rateLimit: { enabled: true, capacity: 2, refillPerSecond: 1 } });
		// Another client with the same key has just used up the quota: the node's first request meets a 429.
		for (let index = 0; index < 2; index++) {
			const response = await fetch(`${api.url}/api/v1/me`, {
				headers: { 'X-API-Key': CANARY_KEY },
				signal: AbortSignal.timeout(5000),
			});
			expect(response.status).toBe(200);
		}
		const result = await run(deals(4));
		expect(outcomes(result)).toEqual(['created', 'created', 'created', 'created']);
		const attempts = await api.createAttempts();
		const throttled = attempts.filter((entry) => entry.status === 429);
		expect(throttled.length).toBeGreaterThan(0);
		assertNoEarlyRetry(attempts);
	});

	it.each(['seconds', 'http-date'] as const)(
		'503 with Retry-After as %s: never retried sooner',
		async (format) => {
			await api.configure({
				faults: { seed: 3, rates: { ...noFaults(), unavailable: 0.4 }, retryAfterFormat: format },
			});
			const result = await run(deals(5));
			expect(outcomes(result)).toEqual(Array(5).fill('created'));
			const attempts = await api.createAttempts();
			expect(attempts.filter((entry) => entry.status === 503).length).toBeGreaterThan(0);
			assertNoEarlyRetry(attempts, format === 'http-date' ? 1000 : 0);
		},
	);

	it('a Retry-After beyond Max Rate-Limit Wait ends the item with a message instead of waiting past it', async () => {
		await api.configure({ faults: { rates: { ...noFaults(), unavailable: 1 }, retryAfterSeconds: 30 } });
		// A credential of its own: the 30 s hold it learns paces everything sent with that credential afterwards.
		harness.setCredential('held', { baseUrl: api.url, apiKey: CANARY_KEY, keyLocation: 'header' });
		const result = await run(
			deals(1),
			{ ...mapped, options: fast({ maxRateLimitWaitSeconds: 5 }) },
			{ credentialId: 'held' },
		);
		expect(result.error?.message).toMatch(
			/rate limit: it asked to wait 30 s more, after this item had already waited 0 s/,
		);
		expect(result.error?.description).toMatch(/Max Rate-Limit Wait \(Seconds\)/);
		expect(await api.createAttempts()).toHaveLength(1);
	});
});

/** Each retry of a key came no sooner than the Retry-After the previous answer gave (less `slackMs`). */
function assertNoEarlyRetry(attempts: RequestLogEntry[], slackMs = 0) {
	const byKey = new Map<string, typeof attempts>();
	for (const entry of attempts) {
		const list = byKey.get(entry.idempotencyKey ?? '') ?? [];
		list.push(entry);
		byKey.set(entry.idempotencyKey ?? '', list);
	}
	for (const list of byKey.values()) {
		for (let index = 1; index < list.length; index++) {
			const previous = list[index - 1];
			if (previous.retryAfterSeconds === null) continue;
			expect(list[index].at - previous.at).toBeGreaterThanOrEqual(
				previous.retryAfterSeconds * 1000 - slackMs,
			);
		}
	}
}

describe('a lost answer is retried without creating a second project', () => {
	it.each(['errorAfterCommit', 'resetAfterCommit', 'truncatedBody'] as const)(
		'%s: the retry is answered from the idempotency store',
		async (fault) => {
			await api.configure({ faults: { seed: 11, rates: { ...noFaults(), [fault]: 0.5 } } });
			const items = deals(8, fault);
			const result = await run(items);
			const stats = await api.stats();
			expect(stats.faultsInjected[fault]).toBeGreaterThan(0);
			expect(result.error).toBeUndefined();
			expect(outcomes(result)).toEqual(expect.arrayContaining(['replayed']));
			expect(outcomes(result).every((outcome) => outcome === 'created' || outcome === 'replayed')).toBe(true);
			const stored = await api.projects();
			expect(stored).toHaveLength(items.length);
			expect(new Set(stored.map((project) => project.name)).size).toBe(items.length);
			expect(new Set(result.output.map((item) => item.json.id))).toEqual(
				new Set(stored.map((project) => project.id)),
			);
		},
	);

	it('a timeout after commit is retried with the same key: no duplicate', async () => {
		await api.configure({
			faults: { seed: 5, rates: { ...noFaults(), timeoutAfterCommit: 0.5 }, slowMs: 1500 },
		});
		const result = await run(deals(4, 'Slow'), { ...mapped, options: fast({ timeoutSeconds: 0.5 }) });
		expect(outcomes(result)).toEqual(expect.arrayContaining(['replayed']));
		expect(result.error).toBeUndefined();
		expect(await api.projects()).toHaveLength(4);
	});

	it('a workflow run again on the same input creates nothing new', async () => {
		const first = await run(deals(5, 'Rerun'));
		const second = await run(deals(5, 'Rerun'));
		expect(outcomes(first)).toEqual(Array(5).fill('created'));
		expect(outcomes(second)).toEqual(Array(5).fill('replayed'));
		expect(second.output.map((item) => item.json.id)).toEqual(first.output.map((item) => item.json.id));
		expect((await api.stats()).projectsStored).toBe(5);
	});

	it('when attempts run out, the item is reported as possibly created, with its key', async () => {
		await api.configure({ faults: { rates: { ...noFaults(), resetAfterCommit: 1 } } });
		const result = await run(
			deals(1, 'Lost'),
			{ ...mapped, options: fast({ maxAttempts: 1 }) },
			{ settings: { onError: 'continueRegularOutput' } },
		);
		const [item] = result.output;
		expect(item.json._result).toEqual(
			expect.objectContaining({
				outcome: 'unknown',
				attempts: 1,
				idempotencyKey: expect.stringMatching(/^n8n-/),
			}),
		);
		expect(item.json.error).toMatch(/may or may not have been created/);
		expect(item.json.errorDescription).toContain((item.json._result as IDataObject).idempotencyKey as string);
		await api.configure({ faults: { rates: noFaults() } });
		const settled = await run(deals(1, 'Lost'));
		expect(outcomes(settled)).toEqual(['replayed']);
		expect(await api.projects()).toHaveLength(1);
	});
});

describe('OAuth2 client credentials, through n8n-core', () => {
	beforeEach(() => {
		harness.setCredential('oauth', {
			baseUrl: api.url,
			clientId: 'canary-client',
			clientSecret: CANARY_CLIENT_SECRET,
			scope: 'projects:read projects:write',
			authentication: 'body',
		});
	});

	it('fetches a token once and uses it for every item', async () => {
		const before = (await api.stats()).tokensIssued;
		const result = await run(deals(3, 'OAuth'), mapped, {
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'oauth',
		});
		expect(outcomes(result)).toEqual(['created', 'created', 'created']);
		expect((await api.stats()).tokensIssued - before).toBe(1);
	});

	it('refreshes a token that expires mid-run and goes on', async () => {
		// Tokens live one second and each request takes 150 ms, two at a time: the token runs out part-way
		// through the items, while another request is under way with it.
		await api.configure({ tokenTtlSeconds: 1, latencyMs: 150 });
		const before = (await api.stats()).tokensIssued;
		const result = await run(
			deals(20, 'Expiring'),
			{ ...mapped, options: { ...fast(), maxInFlight: 2 } },
			{ credentialType: 'projectManagementOAuth2Api', credentialId: 'oauth' },
		);
		expect(outcomes(result)).toEqual(Array(20).fill('created'));
		expect((await api.stats()).tokensIssued - before).toBeGreaterThanOrEqual(2);
		const log = await api.requests();
		const firstRejected = log.findIndex((entry) => entry.status === 401);
		expect(firstRejected).toBeGreaterThan(0);
		expect(log.slice(firstRejected + 1).some((entry) => entry.status === 201)).toBe(true);
		expect(await api.projects()).toHaveLength(20);
	});

	it('says so when the token endpoint refuses the client', async () => {
		harness.setCredential('bad-client', {
			baseUrl: api.url,
			clientId: 'canary-client',
			clientSecret: 'not-the-secret',
			authentication: 'header',
		});
		const result = await run(deals(1), mapped, {
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'bad-client',
		});
		expect(result.error?.message).toBeTruthy();
		expect(await api.createAttempts()).toHaveLength(0);
		expect(JSON.stringify(result.run)).not.toContain('not-the-secret');
	});
});

describe('secrets stay secret', () => {
	it('no key, client secret or token appears in outputs, errors or run data', async () => {
		await api.configure({
			faults: { seed: 2, rates: { ...noFaults(), htmlError: 0.3, errorBeforeCommit: 0.3 } },
		});
		const withKey = await run(
			deals(6, 'Canary'),
			{ ...mapped, options: fast({ maxAttempts: 2 }) },
			{ settings: { onError: 'continueRegularOutput' } },
		);
		harness.setCredential('wrong', { baseUrl: api.url, apiKey: `${CANARY_KEY}-wrong` });
		const wrongKey = await run(deals(1, 'Wrong'), mapped, { credentialId: 'wrong' });
		harness.setCredential('oauth', {
			baseUrl: api.url,
			clientId: 'canary-client',
			clientSecret: CANARY_CLIENT_SECRET,
			authentication: 'header',
		});
		const withToken = await run(deals(2, 'Token'), mapped, {
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'oauth',
		});
		const token = (harness.credentials.get('oauth')?.oauthTokenData as IDataObject | undefined)
			?.access_token as string;
		expect(token).toBeTruthy();

		expect(harness.logs.length).toBeGreaterThan(0);
		const everything =
			JSON.stringify([withKey.run, wrongKey.run, withToken.run]) +
			[wrongKey.error?.message, wrongKey.error?.description, wrongKey.error?.stack].join('\n') +
			harness.logs.join('\n');
		for (const secret of [CANARY_KEY, CANARY_CLIENT_SECRET, token]) {
			expect(everything).not.toContain(secret);
		}
	});
});
