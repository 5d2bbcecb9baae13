import { canonicalJson, IdempotencyStore, fingerprintOf } from '../../reference-api/src/idempotencyStore';
import { parseIdempotencyKey } from '../../reference-api/src/idempotencyKey';
import { DEMO_CREDENTIALS, sleep, TestApi, unique } from './helpers';

let api: TestApi;
beforeAll(async () => {
	api = await TestApi.start({ faults: { slowMs: 300 } });
});
afterAll(() => api.close());

function post(body: unknown, idempotencyKey?: string, extra: { bearer?: string } = {}) {
	return api.call('POST', '/projects', { body, idempotencyKey, ...extra });
}

test('a retry with the same key and body replays the stored 201 with Idempotent-Replayed: true', async () => {
	const before = await api.stats();
	const key = unique('key');
	const body = { name: unique('Once'), priority: 'High', budget: { currency: 'USD', amount: 5 } };
	const first = await post(body, key);
	expect(first.status).toBe(201);
	expect(first.headers.get('idempotent-replayed')).toBeNull();
	// Same content, keys in another order: the fingerprint is over canonical JSON.
	const retry = await post(
		{ budget: { amount: 5, currency: 'USD' }, priority: 'High', name: body.name },
		key,
	);
	expect(retry.status).toBe(201);
	expect(retry.headers.get('idempotent-replayed')).toBe('true');
	expect(retry.headers.get('location')).toBe(first.headers.get('location'));
	expect(retry.headers.get('content-type')).toMatch(/^application\/json/);
	expect(retry.body).toEqual(first.body);
	const after = await api.stats();
	expect(after.replays - before.replays).toBe(1);
	expect(after.projectsCreated - before.projectsCreated).toBe(1);
});

test('the structured-field form "key" is the same key as the bare token', async () => {
	const key = unique('sf');
	const body = { name: unique('Quoted') };
	const bare = await post(body, key);
	const quoted = await post(body, `"${key}"`);
	expect(quoted.headers.get('idempotent-replayed')).toBe('true');
	expect(quoted.body.id).toBe(bare.body.id);
	const escaped = await post({ name: unique('Escaped') }, '"a\\"b\\\\c"');
	expect(escaped.status).toBe(201);
	const escapedRetry = await post(escaped.body && { name: escaped.body.name }, '"a\\"b\\\\c"');
	expect(escapedRetry.headers.get('idempotent-replayed')).toBe('true');
});

test('the same key with a different body is 422 IDEMPOTENCY_KEY_MISMATCH', async () => {
	const before = await api.stats();
	const key = unique('reuse');
	expect((await post({ name: unique('First') }, key)).status).toBe(201);
	const reply = await post({ name: unique('Second') }, key);
	expect(reply.status).toBe(422);
	expect(reply.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
	expect((await api.stats()).keyMismatches - before.keyMismatches).toBe(1);
});

test('malformed keys are 400 INVALID_IDEMPOTENCY_KEY and nothing is created', async () => {
	const before = (await api.stats()).projectsCreated;
	for (const key of [
		'',
		'x'.repeat(256),
		'has space',
		'"unterminated',
		'in"side',
		'"bad\\escape"',
		'""',
		'caf\u00e9',
	]) {
		const reply = await post({ name: unique('Bad key') }, key);
		expect([key, reply.status, reply.body.code]).toEqual([key, 400, 'INVALID_IDEMPOTENCY_KEY']);
	}
	expect((await post({ name: unique('Long key') }, 'k'.repeat(255))).status).toBe(201);
	expect((await api.stats()).projectsCreated - before).toBe(1);
});

test('keys are scoped per client: another client’s identical request is not a replay', async () => {
	const key = unique('shared');
	const body = { name: unique('Scoped') };
	const mine = await post(body, key);
	expect(mine.status).toBe(201);
	const token = await api.token(DEMO_CREDENTIALS.oauthClientId, DEMO_CREDENTIALS.oauthClientSecret);
	const theirs = await post(body, key, { bearer: token });
	expect(theirs.headers.get('idempotent-replayed')).toBeNull();
	expect(theirs.status).toBe(409);
	expect(theirs.body.existingProjectId).toBe(mine.body.id);
});

test('business errors are stored too: a replayed 409 stays 409 even after the conflict is gone', async () => {
	const name = unique('Taken');
	const existing = await api.createProject({ name });
	const key = unique('dup');
	const conflict = await post({ name }, key);
	expect(conflict.status).toBe(409);
	await api.call('DELETE', `/projects/${existing.id}`);
	const retry = await post({ name }, key);
	expect(retry.status).toBe(409);
	expect(retry.headers.get('idempotent-replayed')).toBe('true');
	expect(retry.body).toEqual(conflict.body);
});

test('validation errors are not stored: the corrected request with the same key succeeds', async () => {
	const key = unique('fixme');
	const invalid = await post({ name: unique('Fix'), status: 'Nope' }, key);
	expect(invalid.status).toBe(400);
	const fixed = await post({ name: unique('Fixed') }, key);
	expect(fixed.status).toBe(201);
	expect(fixed.headers.get('idempotent-replayed')).toBeNull();
});

test('a retry while the first request is in flight is 409 IDEMPOTENCY_KEY_IN_USE with Retry-After: 1', async () => {
	const before = await api.stats();
	// Held until the overtaking request has met it (at most a minute): the race happens whatever the machine's speed.
	await api.configure({
		faults: { rates: { slowBeforeCommit: 1 }, slowMs: 60_000, slowUntilOvertaken: true },
	});
	try {
		const key = unique('busy');
		const body = { name: unique('Slow') };
		const first = post(body, key);
		const deadline = Date.now() + 20_000;
		while ((await api.admin('GET', '/stats')).held !== 1 && Date.now() < deadline) await sleep(10);
		const overtaking = await post(body, key);
		expect(overtaking.status).toBe(409);
		expect(overtaking.body).toEqual({
			code: 'IDEMPOTENCY_KEY_IN_USE',
			message: 'A request with this Idempotency-Key is still being processed; retry later.',
		});
		expect(overtaking.headers.get('retry-after')).toBe('1');
		const original = await first;
		expect(original.status).toBe(201);
		await api.configure({ faults: { rates: { slowBeforeCommit: 0 } } });
		const settled = await post(body, key);
		expect(settled.headers.get('idempotent-replayed')).toBe('true');
		expect(settled.body.id).toBe(original.body.id);
	} finally {
		await api.configure({
			faults: { rates: { slowBeforeCommit: 0 }, slowMs: 300, slowUntilOvertaken: false },
		});
	}
	const after = await api.stats();
	expect(after.inFlightConflicts - before.inFlightConflicts).toBe(1);
	expect(after.faultsInjected.slowBeforeCommit - before.faultsInjected.slowBeforeCommit).toBe(1);
});

test('records expire after idempotencyTtlSeconds', async () => {
	await api.configure({ idempotencyTtlSeconds: 0.2 });
	try {
		const key = unique('short-lived');
		expect((await post({ name: unique('Expiring') }, key)).status).toBe(201);
		await sleep(300);
		// Within the lifetime this would be a 422 mismatch; after it the key is new again.
		const reuse = await post({ name: unique('After expiry') }, key);
		expect(reuse.status).toBe(201);
		expect(reuse.headers.get('idempotent-replayed')).toBeNull();
	} finally {
		await api.configure({ idempotencyTtlSeconds: 86400 });
	}
});

test('PATCH: replayed per path; the same key on another project is a different record', async () => {
	const a = await api.createProject({ name: unique('PA') });
	const b = await api.createProject({ name: unique('PB') });
	const key = unique('patch');
	const first = await api.call('PATCH', `/projects/${a.id}`, {
		body: { priority: 'Low' },
		idempotencyKey: key,
	});
	expect(first.status).toBe(200);
	await api.call('PATCH', `/projects/${a.id}`, { body: { priority: 'High' } });
	const replay = await api.call('PATCH', `/projects/${a.id}`, {
		body: { priority: 'Low' },
		idempotencyKey: key,
	});
	expect(replay.headers.get('idempotent-replayed')).toBe('true');
	expect(replay.body.priority).toBe('Low');
	expect((await api.call('GET', `/projects/${a.id}`)).body.priority).toBe('High');
	const other = await api.call('PATCH', `/projects/${b.id}`, {
		body: { priority: 'Low' },
		idempotencyKey: key,
	});
	expect(other.status).toBe(200);
	expect(other.headers.get('idempotent-replayed')).toBeNull();
});

test('requireIdempotencyKey: POST without a key is 400 IDEMPOTENCY_KEY_REQUIRED', async () => {
	await api.configure({ requireIdempotencyKey: true });
	try {
		const missing = await post({ name: unique('Keyless') });
		expect(missing.status).toBe(400);
		expect(missing.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
		expect((await post({ name: unique('Keyed') }, unique('k'))).status).toBe(201);
	} finally {
		await api.configure({ requireIdempotencyKey: false });
	}
});

describe('building blocks', () => {
	test('parseIdempotencyKey unquotes structured-field strings', () => {
		expect(parseIdempotencyKey('abc-123')).toBe('abc-123');
		expect(parseIdempotencyKey('"abc-123"')).toBe('abc-123');
		expect(parseIdempotencyKey('"a\\"b"')).toBe('a"b');
		expect(() => parseIdempotencyKey('"a b"')).toThrow(/visible ASCII/);
	});

	test('canonical JSON ignores key order at every depth', () => {
		expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: null })).toBe('{"a":null,"b":[{"x":2,"y":1}]}');
		expect(fingerprintOf({ a: 1, b: 2 })).toBe(fingerprintOf({ b: 2, a: 1 }));
	});

	test('an abandoned in-flight record frees the key; a completed one stays', () => {
		const store = new IdempotencyStore(() => 60);
		const scope = { clientId: 'c', method: 'POST', path: '/p', key: 'k' };
		expect(store.begin(scope, 'f').kind).toBe('new');
		expect(store.begin(scope, 'f').kind).toBe('in-flight');
		store.abandon(scope);
		expect(store.begin(scope, 'f').kind).toBe('new');
		store.complete(scope, { status: 201, headers: {}, body: {} });
		store.abandon(scope);
		expect(store.begin(scope, 'f').kind).toBe('completed');
		expect(store.begin(scope, 'g').kind).toBe('mismatch');
	});
});
