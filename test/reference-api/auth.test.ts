import { DEMO_CREDENTIALS, RO_KEY, RW_KEY, sleep, TestApi } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start();
});
afterAll(() => api.close());

function basic(id: string, secret: string): string {
	return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
	return api.call('POST', '/oauth/token', {
		apiKey: null,
		raw: new URLSearchParams(form).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
	});
}

describe('API keys', () => {
	test('X-API-Key identifies the client', async () => {
		const me = await api.call('GET', '/me');
		expect(me.status).toBe(200);
		expect(me.body).toEqual({
			clientId: 'demo-api-key',
			name: expect.any(String),
			authMethod: 'api_key',
			scopes: ['projects:read', 'projects:write', 'directory:read', 'webhooks:write'],
		});
	});

	test('an API key also works as Authorization: Bearer', async () => {
		const me = await api.call('GET', '/me', { bearer: RW_KEY });
		expect(me.status).toBe(200);
		expect(me.body.authMethod).toBe('api_key');
	});

	test('an API key also works as the api_key query parameter, and a wrong one is refused without repeating it', async () => {
		const me = await api.call('GET', `/me?api_key=${RW_KEY}`, { apiKey: null });
		expect(me.status).toBe(200);
		expect(me.body.clientId).toBe('demo-api-key');
		const wrong = await api.call('GET', '/me?api_key=pm_not_a_key_123', { apiKey: null });
		expect(wrong.status).toBe(401);
		expect(JSON.stringify(wrong.body)).not.toContain('pm_not_a_key_123');
	});

	test('no credential: 401 that says it is missing, with a Bearer challenge', async () => {
		const reply = await api.call('GET', '/projects', { apiKey: null });
		expect(reply.status).toBe(401);
		expect(reply.body.code).toBe('UNAUTHORIZED');
		expect(reply.body.message).toMatch(/missing/i);
		expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="reference-api"');
	});

	test('an unknown key: 401 "not recognised" that never repeats the key', async () => {
		const secret = 'pm_guess_SECRET_CANARY_42';
		for (const reply of [
			await api.call('GET', '/projects', { apiKey: secret }),
			await api.call('GET', '/projects', { bearer: secret }),
		]) {
			expect(reply.status).toBe(401);
			expect(reply.body.message).toMatch(/not recognised/);
			expect(reply.text).not.toContain('SECRET_CANARY');
			expect(reply.headers.get('www-authenticate')).toBe(
				'Bearer realm="reference-api", error="invalid_token"',
			);
		}
	});

	test('a non-Bearer Authorization scheme is refused without echoing it', async () => {
		const reply = await api.call('GET', '/me', {
			apiKey: null,
			headers: { authorization: basic('someone', 'CANARY_PW') },
		});
		expect(reply.status).toBe(401);
		expect(reply.text).not.toContain('CANARY_PW');
		expect(reply.text).not.toContain(Buffer.from('someone:CANARY_PW').toString('base64'));
	});

	test('a read-only key reads but cannot write: 403 naming the scope', async () => {
		expect((await api.call('GET', '/projects', { apiKey: RO_KEY })).status).toBe(200);
		expect((await api.call('GET', '/users', { apiKey: RO_KEY })).status).toBe(200);
		const reply = await api.call('POST', '/projects', { apiKey: RO_KEY, body: { name: 'Not allowed' } });
		expect(reply.status).toBe(403);
		expect(reply.body).toEqual({
			code: 'FORBIDDEN',
			message: "This credential lacks the 'projects:write' scope.",
			requiredScope: 'projects:write',
		});
		const deletion = await api.call('DELETE', '/projects/prj_000000000000', { apiKey: RO_KEY });
		expect(deletion.status).toBe(403);
	});
});

describe('OAuth2 client credentials', () => {
	test('client authenticated by HTTP Basic gets a bearer token for all its scopes', async () => {
		const reply = await tokenRequest(
			{ grant_type: 'client_credentials' },
			{ authorization: basic(DEMO_CREDENTIALS.oauthClientId, DEMO_CREDENTIALS.oauthClientSecret) },
		);
		expect(reply.status).toBe(200);
		expect(reply.headers.get('cache-control')).toBe('no-store');
		expect(reply.body).toEqual({
			access_token: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/),
			token_type: 'Bearer',
			expires_in: 3600,
			scope: 'projects:read projects:write directory:read webhooks:write',
		});
		const me = await api.call('GET', '/me', { bearer: reply.body.access_token });
		expect(me.body).toMatchObject({ clientId: 'demo-client', authMethod: 'oauth2' });
		const created = await api.call('POST', '/projects', {
			bearer: reply.body.access_token,
			body: { name: 'By OAuth' },
		});
		expect(created.status).toBe(201);
	});

	test('client credentials in a form body, and in a JSON body', async () => {
		const form = await tokenRequest({
			grant_type: 'client_credentials',
			client_id: DEMO_CREDENTIALS.oauthClientId,
			client_secret: DEMO_CREDENTIALS.oauthClientSecret,
		});
		expect(form.status).toBe(200);
		const json = await api.call('POST', '/oauth/token', {
			apiKey: null,
			body: {
				grant_type: 'client_credentials',
				client_id: DEMO_CREDENTIALS.readOnlyOauthClientId,
				client_secret: DEMO_CREDENTIALS.readOnlyOauthClientSecret,
			},
		});
		expect(json.status).toBe(200);
		expect(json.body.scope).toBe('projects:read directory:read');
	});

	test('requested scopes are intersected with the client’s; none left or unknown → invalid_scope', async () => {
		const readOnly = {
			client_id: DEMO_CREDENTIALS.readOnlyOauthClientId,
			client_secret: DEMO_CREDENTIALS.readOnlyOauthClientSecret,
		};
		const narrowed = await tokenRequest({
			grant_type: 'client_credentials',
			...readOnly,
			scope: 'projects:read projects:write',
		});
		expect(narrowed.body.scope).toBe('projects:read');
		const me = await api.call('GET', '/me', { bearer: narrowed.body.access_token });
		expect(me.body.scopes).toEqual(['projects:read']);
		const users = await api.call('GET', '/users', { bearer: narrowed.body.access_token });
		expect(users.status).toBe(403);
		expect(users.body.requiredScope).toBe('directory:read');

		const none = await tokenRequest({
			grant_type: 'client_credentials',
			...readOnly,
			scope: 'projects:write',
		});
		expect(none.status).toBe(400);
		expect(none.body.error).toBe('invalid_scope');
		const unknown = await tokenRequest({
			grant_type: 'client_credentials',
			...readOnly,
			scope: 'projects:read admin',
		});
		expect(unknown.status).toBe(400);
		expect(unknown.body.error).toBe('invalid_scope');
	});

	test('RFC 6749 errors: bad secret, missing client, missing or unsupported grant, two auth methods', async () => {
		const wrongSecret = await tokenRequest({
			grant_type: 'client_credentials',
			client_id: 'demo-client',
			client_secret: 'WRONG_SECRET_CANARY',
		});
		expect(wrongSecret.status).toBe(401);
		expect(wrongSecret.body.error).toBe('invalid_client');
		expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic /);
		expect(wrongSecret.text).not.toContain('WRONG_SECRET_CANARY');

		const noClient = await tokenRequest({ grant_type: 'client_credentials' });
		expect([noClient.status, noClient.body.error]).toEqual([401, 'invalid_client']);

		const noGrant = await tokenRequest({ client_id: 'demo-client', client_secret: 'demo-client-secret' });
		expect([noGrant.status, noGrant.body.error]).toEqual([400, 'invalid_request']);

		const password = await tokenRequest({
			grant_type: 'password',
			client_id: 'demo-client',
			client_secret: 'demo-client-secret',
		});
		expect([password.status, password.body.error]).toEqual([400, 'unsupported_grant_type']);

		const both = await tokenRequest(
			{ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'demo-client-secret' },
			{ authorization: basic('demo-client', 'demo-client-secret') },
		);
		expect([both.status, both.body.error]).toEqual([400, 'invalid_request']);

		const malformed = await api.call('POST', '/oauth/token', {
			apiKey: null,
			raw: '{not json',
			headers: { 'content-type': 'application/json' },
		});
		expect([malformed.status, malformed.body.error]).toEqual([400, 'invalid_request']);
	});

	test('a token stops working after tokenTtlSeconds: 401 "expired" with error="invalid_token"', async () => {
		await api.configure({ tokenTtlSeconds: 1 });
		try {
			const token = await api.token();
			expect((await api.call('GET', '/me', { bearer: token })).status).toBe(200);
			await sleep(1200);
			const reply = await api.call('GET', '/me', { bearer: token });
			expect(reply.status).toBe(401);
			expect(reply.body.message).toMatch(/expired/);
			expect(reply.text).not.toContain(token);
			expect(reply.headers.get('www-authenticate')).toBe(
				'Bearer realm="reference-api", error="invalid_token"',
			);
		} finally {
			await api.configure({ tokenTtlSeconds: 3600 });
		}
	});

	test('/_admin/tokens/expire expires every issued token; a new token works', async () => {
		const token = await api.token();
		expect((await api.call('GET', '/me', { bearer: token })).status).toBe(200);
		const expired = await api.admin('POST', '/tokens/expire');
		expect(expired.expired).toBeGreaterThanOrEqual(1);
		const reply = await api.call('GET', '/me', { bearer: token });
		expect(reply.status).toBe(401);
		expect(reply.body.message).toMatch(/expired/);
		expect((await api.call('GET', '/me', { bearer: await api.token() })).status).toBe(200);
	});

	test('an unknown bearer token is "not recognised"', async () => {
		const reply = await api.call('GET', '/me', { bearer: 'made-up-token-CANARY' });
		expect(reply.status).toBe(401);
		expect(reply.body.message).toMatch(/not recognised/);
		expect(reply.text).not.toContain('CANARY');
	});
});
