import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { EngineHarness, type RunOptions, type RunResult } from '../../harness/engine/engineHarness';
import { HostileServer, projectJson, sendJson, type SeenRequest } from '../../harness/hostileServer';

/**
 * The node against servers that behave badly or unusually, through n8n's engine: redirects, answers that echo
 * secrets, answers that trickle in, token endpoints that never answer, successes that are not projects, lists
 * that never end. Each server runs on loopback and records what reached it, so that the test can see what was
 * sent where.
 */

const KEY = 'pm_hostile_key_5d4c3b2a1f0e9d8c7b6a';
const CLIENT_SECRET = 'hostile-client-secret-0f1e2d3c4b5a';
const TOKEN = 'hostile-access-token-9a8b7c6d5e4f3a2b';

let harness: EngineHarness;
const servers: HostileServer[] = [];

async function server(handler: Parameters<typeof HostileServer.start>[0]): Promise<HostileServer> {
	const started = await HostileServer.start(handler);
	servers.push(started);
	return started;
}

beforeAll(async () => {
	harness = await EngineHarness.load();
});

afterEach(async () => {
	await Promise.all(servers.splice(0).map(async (started) => await started.close()));
});

const createNode = (options: IDataObject = {}): INodeParameters => ({
	name: '={{ $json.name }}',
	options: { retryDelayMs: 10, maxAttempts: 3, ...options },
});

async function run(
	items: IDataObject[],
	parameters: INodeParameters,
	options: Partial<RunOptions> = {},
): Promise<RunResult> {
	return await harness.run({ items, parameters, ...options });
}

const continueOnFail = { settings: { onError: 'continueRegularOutput' as const } };

const resultOf = (result: RunResult, index = 0) => result.output[index]?.json._result as IDataObject;

/** Everything n8n keeps or shows of a run: run data, the node's error, and what n8n logged. */
function everything(result: RunResult): string {
	return [
		JSON.stringify(result.run),
		result.error?.message,
		result.error?.description,
		JSON.stringify(result.error?.context ?? {}),
		harness.logs.join('\n'),
	].join('\n');
}

const posts = (api: HostileServer) => api.requests.filter((request) => request.method === 'POST');

/** Answers the OAuth2 token request with TOKEN; `api` handles everything else. */
function withTokenEndpoint(api: (request: SeenRequest, response: Parameters<typeof sendJson>[0]) => void) {
	return (request: SeenRequest, response: Parameters<typeof sendJson>[0]) => {
		if (request.url.startsWith('/oauth/token')) {
			sendJson(response, 200, { access_token: TOKEN, token_type: 'bearer', expires_in: 3600 });
			return;
		}
		api(request, response);
	};
}

describe('redirects: the credential never leaves the Base URL, a create is never turned into a read', () => {
	it.each([301, 302, 303, 307, 308])(
		'HTTP %i to another origin, with each way of sending the key',
		async (status) => {
			const elsewhere = await server((_request, response) => sendJson(response, 200, { ok: true }));
			const api = await server((request, response) => {
				response.writeHead(status, { location: `${elsewhere.url}${request.url}` });
				response.end();
			});
			for (const keyLocation of ['header', 'bearer', 'query']) {
				harness.setCredential(`redirect-${keyLocation}`, { baseUrl: api.url, apiKey: KEY, keyLocation });
				const result = await run([{ name: `Redirected ${keyLocation}` }], createNode(), {
					credentialId: `redirect-${keyLocation}`,
					...continueOnFail,
				});
				expect(result.output[0].json.error).toContain(
					`redirected the request to ${elsewhere.url}/api/v1/projects`,
				);
				expect(resultOf(result).outcome).toBe('failed');
				expect(everything(result)).not.toContain(KEY);
			}
			expect(elsewhere.requests).toHaveLength(0);
			// Not sent again either: a redirect says nothing a retry could change.
			expect(posts(api)).toHaveLength(3);
		},
	);

	it('an OAuth2 access token is not sent to where the API redirects', async () => {
		const elsewhere = await server((_request, response) => sendJson(response, 200, { ok: true }));
		const api = await server(
			withTokenEndpoint((request, response) => {
				response.writeHead(307, { location: `${elsewhere.url}${request.url}` });
				response.end();
			}),
		);
		harness.setCredential('redirect-oauth', {
			baseUrl: api.url,
			clientId: 'hostile-client',
			clientSecret: CLIENT_SECRET,
			authentication: 'header',
		});
		const result = await run([{ name: 'Redirected token' }], createNode(), {
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'redirect-oauth',
			...continueOnFail,
		});
		expect(resultOf(result).outcome).toBe('failed');
		expect(elsewhere.requests).toHaveLength(0);
		expect(everything(result)).not.toContain(TOKEN);
	});

	it('an http to https redirect in front of the API says which address to use', async () => {
		const api = await server((request, response) => {
			response.writeHead(301, { location: `https://pm.example.test${request.url}?session=abc` });
			response.end();
		});
		harness.setCredential('to-https', { baseUrl: api.url, apiKey: KEY });
		const result = await run([{ name: 'To https' }], createNode(), { credentialId: 'to-https' });
		expect(result.error?.message).toContain(
			'redirected the request to https://pm.example.test/api/v1/projects',
		);
		// The query of the Location header could hold anything; it is not repeated.
		expect(result.error?.message).not.toContain('session=abc');
		expect(result.error?.description).toMatch(/Base URL/);
	});
});

describe('secrets in what the API says', () => {
	const echoKey = (request: SeenRequest) =>
		String(request.headers['x-api-key'] ?? request.headers.authorization ?? '');

	it('field errors and messages that echo the key are cleaned, with and without Continue On Fail', async () => {
		const api = await server((request, response) =>
			sendJson(response, 400, {
				code: 'VALIDATION_ERROR',
				message: `The key ${echoKey(request)} may not create projects`,
				details: [{ field: echoKey(request), message: `refused for ${echoKey(request)}` }],
			}),
		);
		harness.setCredential('echo', { baseUrl: api.url, apiKey: KEY });
		const failing = await run([{ name: 'Echo' }], createNode(), { credentialId: 'echo' });
		const continuing = await run([{ name: 'Echo' }], createNode(), {
			credentialId: 'echo',
			...continueOnFail,
		});
		expect(failing.error?.message).toMatch(
			/rejected the project data: \[redacted\]: refused for \[redacted\]/,
		);
		expect(continuing.output[0].json.error).toMatch(/\[redacted\]/);
		for (const result of [failing, continuing]) expect(everything(result)).not.toContain(KEY.slice(0, 12));
	});

	it('a long text answer is cleaned whole before it is cut for the message', async () => {
		const api = await server((request, response) => {
			const text = `${'x'.repeat(290)} ${echoKey(request)} and more`;
			response.writeHead(409, { 'content-type': 'text/plain' });
			response.end(text);
		});
		harness.setCredential('long-echo', { baseUrl: api.url, apiKey: KEY });
		const result = await run([{ name: 'Long echo' }], createNode(), { credentialId: 'long-echo' });
		expect(result.error?.message).toBeTruthy();
		expect(everything(result)).not.toContain(KEY.slice(0, 8));
	});

	it('a password written into the Base URL is a secret too', async () => {
		const password = 'Base-Url-Passw0rd-77';
		const api = await server((request, response) =>
			sendJson(response, 403, {
				code: 'FORBIDDEN',
				message: `Basic credentials ${String(request.headers.authorization)} decoded as ${Buffer.from(
					String(request.headers.authorization ?? '').replace(/^Basic /, ''),
					'base64',
				).toString()} and the password ${password}`,
			}),
		);
		const baseUrl = api.url.replace('http://', `http://proxyuser:${password}@`);
		harness.setCredential('userinfo', { baseUrl, apiKey: KEY });
		const result = await run([{ name: 'Userinfo' }], createNode(), { credentialId: 'userinfo' });
		expect(result.error?.message).toMatch(/not allowed/);
		expect(everything(result)).not.toContain(password);
	});
});

describe('Timeout bounds each attempt from end to end', () => {
	it('an answer that trickles in byte by byte is given up at the timeout, and the attempt is sent again', async () => {
		let stillTrickling = 0;
		const api = await server((_request, response, raw) => {
			response.writeHead(201, { 'content-type': 'application/json' });
			response.write('{"id":"prj_trickle","name":"Trickle"');
			let bytes = 0;
			stillTrickling++;
			const drip = setInterval(() => {
				if (raw.socket.destroyed || bytes++ > 60) {
					clearInterval(drip);
					stillTrickling--;
					if (!raw.socket.destroyed) response.end('}');
					return;
				}
				response.write(' ');
			}, 300);
		});
		harness.setCredential('trickle', { baseUrl: api.url, apiKey: KEY });
		const result = await run([{ name: 'Trickle' }], createNode({ timeoutSeconds: 1, maxAttempts: 2 }), {
			credentialId: 'trickle',
			...continueOnFail,
		});
		// Without a deadline the first attempt would have lasted until the answer was complete (about 18 s) and the
		// item would say "created".
		expect(resultOf(result).outcome).toBe('unknown');
		expect(result.output[0].json.errorDescription).toMatch(/did not answer before the timeout/);
		expect(posts(api)).toHaveLength(2);
		expect(stillTrickling).toBeLessThanOrEqual(2);
	});

	it('an OAuth2 token URL that never answers is given up at the timeout', async () => {
		const tokenUrl = await server(() => {
			// Never answers; the connection stays open until the client gives up or the test ends.
		});
		const api = await server((_request, response) => sendJson(response, 201, projectJson('prj_1', 'Token')));
		harness.setCredential('silent-token', {
			baseUrl: api.url,
			accessTokenUrl: `${tokenUrl.url}/oauth/token`,
			clientId: 'hostile-client',
			clientSecret: CLIENT_SECRET,
			authentication: 'header',
		});
		const result = await run([{ name: 'Token' }], createNode({ timeoutSeconds: 1, maxAttempts: 1 }), {
			credentialType: 'projectManagementOAuth2Api',
			credentialId: 'silent-token',
			...continueOnFail,
		});
		expect(JSON.stringify(result.output[0].json)).toMatch(/did not answer before the timeout/);
		expect(api.requests).toHaveLength(0);
	});

	it('one request that hangs does not hold the other items of the batch', async () => {
		let slowConnection: { destroyed: boolean } | undefined;
		const slowOpenWhenQuickArrived: boolean[] = [];
		const api = await server((request, response, raw) => {
			const { name } = JSON.parse(request.body) as { name: string };
			if (name === 'Slow') {
				slowConnection = raw.socket;
				return;
			}
			slowOpenWhenQuickArrived.push(slowConnection !== undefined && !slowConnection.destroyed);
			sendJson(response, 201, projectJson(`prj_${name.toLowerCase()}`, name));
		});
		harness.setCredential('one-slow', { baseUrl: api.url, apiKey: KEY });
		const items = ['Slow', 'Quick1', 'Quick2', 'Quick3'].map((name) => ({ name }));
		const result = await run(items, createNode({ timeoutSeconds: 10, maxAttempts: 1 }), {
			credentialId: 'one-slow',
			...continueOnFail,
		});
		expect(result.output.map((item) => (item.json._result as IDataObject).outcome)).toEqual([
			'unknown',
			'created',
			'created',
			'created',
		]);
		// The quick items were sent and answered while the slow request was still open.
		expect(slowOpenWhenQuickArrived).toEqual([true, true, true]);
	});
});

describe('a success that is not a project', () => {
	type Case = [string, number, string | undefined, Record<string, string>, RegExp];
	const cases: Case[] = [
		[
			'201 with text',
			201,
			'Created!',
			{ 'content-type': 'text/plain' },
			/with plain text instead of the project/,
		],
		[
			'200 with null',
			200,
			'null',
			{ 'content-type': 'application/json' },
			/with null instead of the project/,
		],
		[
			'200 with a web page',
			200,
			'<!DOCTYPE html><html><body>App</body></html>',
			{ 'content-type': 'text/html' },
			/with a web page/,
		],
		[
			'202 queued',
			202,
			'{"status":"queued"}',
			{ 'content-type': 'application/json' },
			/accepted the request for later/,
		],
		[
			'200 with a list',
			200,
			'[{"id":"prj_1"}]',
			{ 'content-type': 'application/json' },
			/with a list instead/,
		],
		['204 without content', 204, undefined, {}, /with an empty body instead of the project/],
		[
			'201 with an empty body',
			201,
			'',
			{ 'content-length': '0' },
			/with an empty body instead of the project/,
		],
	];

	it.each(cases)(
		'%s: a complete answer, so not sent again, and reported as unknown with what came',
		async (_name, status, body, headers, message) => {
			const api = await server((_request, response) => {
				response.writeHead(status, headers);
				response.end(body);
			});
			harness.setCredential('not-a-project', { baseUrl: api.url, apiKey: KEY });
			const result = await run([{ name: 'Odd answer' }], createNode({ maxAttempts: 5 }), {
				credentialId: 'not-a-project',
				...continueOnFail,
			});
			expect(posts(api)).toHaveLength(1);
			expect(resultOf(result).outcome).toBe('unknown');
			expect(result.output[0].json.error).toMatch(message);
			expect(result.output[0].json).not.toHaveProperty('0');
		},
	);

	it('201 with only a Location header: the project is read from there, on the Base URL', async () => {
		const api = await server((request, response) => {
			if (request.method === 'POST') {
				response.writeHead(201, {
					location: 'http://elsewhere.test/api/v1/projects/prj_loc1',
					'content-length': '0',
				});
				response.end();
				return;
			}
			sendJson(response, 200, projectJson('prj_loc1', 'Located'));
		});
		harness.setCredential('location', { baseUrl: api.url, apiKey: KEY });
		const result = await run([{ name: 'Located' }], createNode(), { credentialId: 'location' });
		expect(result.output[0].json).toMatchObject({ id: 'prj_loc1', _result: { outcome: 'created' } });
		expect(api.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
			'POST /api/v1/projects',
			'GET /api/v1/projects/prj_loc1',
		]);
	});
});

describe('Get Many with Return All', () => {
	it('stops an API that keeps handing out new pages, with a message', async () => {
		let pages = 0;
		const api = await server((_request, response) =>
			sendJson(response, 200, {
				data: [projectJson(`prj_${pages}`, `P${pages}`)],
				nextCursor: `c${++pages}`,
			}),
		);
		harness.setCredential('endless', { baseUrl: api.url, apiKey: KEY });
		const result = await run([{}], { operation: 'getAll', returnAll: true }, { credentialId: 'endless' });
		expect(result.error?.message).toMatch(/kept sending more pages after 1000 pages/);
		expect(api.requests).toHaveLength(1000);
	});
});

describe('the Base URL', () => {
	it('with a query is refused before anything is sent', async () => {
		const api = await server((_request, response) => sendJson(response, 201, projectJson('prj_1', 'x')));
		harness.setCredential('query-base', { baseUrl: `${api.url}/?tenant=acme`, apiKey: KEY });
		const result = await run([{ name: 'Query' }], createNode(), { credentialId: 'query-base' });
		expect(result.error?.message).toMatch(/Base URL holds a query/);
		expect(api.requests).toHaveLength(0);
	});

	it('ending in /api/v1 is read as the address without it', async () => {
		const api = await server((_request, response) => sendJson(response, 201, projectJson('prj_v1', 'V1')));
		harness.setCredential('v1-base', { baseUrl: `${api.url}/api/v1/`, apiKey: KEY });
		const result = await run([{ name: 'V1' }], createNode(), { credentialId: 'v1-base' });
		expect(resultOf(result).outcome).toBe('created');
		expect(api.requests[0].url).toBe('/api/v1/projects');
	});
});

describe('the API key as a query parameter', () => {
	it('goes in the address under the chosen name, not in a header, and is shown in no output', async () => {
		const api = await server((request, response) => {
			const given = new URL(request.url, 'http://x').searchParams.get('key');
			if (given !== KEY) {
				sendJson(response, 401, { code: 'UNAUTHORIZED', message: 'No key in ?key=' });
				return;
			}
			sendJson(response, 201, projectJson('prj_query', 'By query'));
		});
		harness.setCredential('query-key', {
			baseUrl: api.url,
			apiKey: KEY,
			keyLocation: 'query',
			queryParameterName: 'key',
		});
		const result = await run([{ name: 'By query' }], createNode(), { credentialId: 'query-key' });
		expect(resultOf(result).outcome).toBe('created');
		expect(api.requests[0].headers['x-api-key']).toBeUndefined();
		expect(api.requests[0].headers.authorization).toBeUndefined();
		const dry = await run([{ name: 'Dry' }], createNode({ dryRun: true }), { credentialId: 'query-key' });
		expect((dry.output[0].json.request as IDataObject).url).toBe(`${api.url}/api/v1/projects`);
		expect(everything(result) + everything(dry)).not.toContain(KEY);
	});
});
