import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import { noWebhookFaults } from '../../reference-api/src';
import { DEMO_CREDENTIALS, RO_KEY, sleep, TestApi, unique, type Json } from './helpers';

/**
 * Webhooks end to end: subscriptions over the API, deliveries to small HTTP servers on 127.0.0.1 that check
 * every signature with node:crypto alone (as a receiver would, without the server's code), and the delivery
 * faults. Every wait is a bounded poll for a condition, never a fixed sleep or an elapsed-time bound.
 */

const ALL_EVENTS = ['project.created', 'project.updated', 'project.status_changed', 'project.deleted'];
const TOLERANCE_SECONDS = 300;

type Verdict = 'ok' | 'bad-signature' | 'stale';

/** Standard Webhooks verification with node:crypto, as the README shows it. */
function verify(secret: string, headers: IncomingHttpHeaders, rawBody: string): Verdict {
	const id = String(headers['webhook-id']);
	const timestamp = String(headers['webhook-timestamp']);
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
	const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
	const signed = String(headers['webhook-signature'] ?? '')
		.split(' ')
		.map((entry) => entry.split(','))
		.some(
			([version, signature]) =>
				version === 'v1' &&
				Buffer.from(signature ?? '', 'base64').length === expected.length &&
				timingSafeEqual(Buffer.from(signature, 'base64'), expected),
		);
	if (!signed) return 'bad-signature';
	if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return 'stale';
	return 'ok';
}

interface Received {
	headers: IncomingHttpHeaders;
	raw: string;
	body: Json;
	/** When the target got it (ms since the epoch). */
	at: number;
	verdict: Verdict;
}

type Answer = number | 'hang';

/** A receiver: verifies each delivery with the subscription's secret and answers as `answer` says. */
class Target {
	readonly received: Received[] = [];
	secret = '';
	/** By default a correct receiver: 204 for a good delivery, 401 for a forged or stale one. */
	answer: (delivery: Received, index: number) => Answer = (delivery) =>
		delivery.verdict === 'ok' ? 204 : 401;
	private readonly hanging = new Set<ServerResponse>();

	private constructor(
		private readonly server: Server,
		readonly url: string,
	) {}

	static async start(): Promise<Target> {
		let target: Target | undefined;
		const server = createServer((request, response) => {
			let raw = '';
			request.setEncoding('utf8');
			request.on('data', (chunk: string) => (raw += chunk));
			request.on('end', () => target!.receive(request.headers, raw, response));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		target = new Target(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
		return target;
	}

	private receive(headers: IncomingHttpHeaders, raw: string, response: ServerResponse): void {
		const delivery: Received = {
			headers,
			raw,
			body: JSON.parse(raw),
			at: Date.now(),
			verdict: verify(this.secret, headers, raw),
		};
		this.received.push(delivery);
		const answer = this.answer(delivery, this.received.length - 1);
		if (answer === 'hang') this.hanging.add(response);
		else response.writeHead(answer).end();
	}

	/** Deliveries that passed verification. */
	get genuine(): Received[] {
		return this.received.filter((delivery) => delivery.verdict === 'ok');
	}

	types(): string[] {
		return this.genuine.map((delivery) => delivery.body.type);
	}

	async close(): Promise<void> {
		for (const response of this.hanging) response.destroy();
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

/** Polls until `probe` gives something truthy; the bound is generous and only stops a broken run. */
async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

let api: TestApi;
let defaults: Json;
let validateEvent: (body: unknown) => boolean;
const targets: Target[] = [];

async function target(): Promise<Target> {
	const started = await Target.start();
	targets.push(started);
	return started;
}

beforeAll(async () => {
	api = await TestApi.start();
	defaults = (await api.admin('GET', '/config')).webhooks;
	const doc = (await api.call('GET', '/openapi.json', { apiKey: null })).body;
	const ajv = addFormats(new Ajv2020({ strict: false, validateSchema: false, allErrors: true }));
	ajv.addSchema(doc, 'openapi.json');
	validateEvent = ajv.getSchema('openapi.json#/components/schemas/WebhookEvent')!;
});
afterAll(async () => {
	await api.close();
	await Promise.all(targets.map((started) => started.close()));
});
beforeEach(() => api.reset({ tokens: true }));
afterEach(async () => {
	await api.configure({
		webhooks: { ...defaults, faults: { ...defaults.faults, rates: noWebhookFaults() } },
	});
	await Promise.all(targets.splice(0).map((started) => started.close()));
});

async function subscribe(to: Target, events: string[] = ALL_EVENTS, apiKey?: string): Promise<Json> {
	const reply = await api.call('POST', '/webhooks', { body: { url: to.url, events }, apiKey });
	expect(reply.status).toBe(201);
	to.secret = reply.body.secret;
	return reply.body;
}

function deliveries(): Promise<Json[]> {
	return api.admin('GET', '/webhooks/deliveries').then((reply: Json) => reply.entries);
}

async function idle(): Promise<void> {
	await waitFor(
		'no pending deliveries',
		async () => (await api.admin('GET', '/webhooks')).pendingDeliveries === 0,
	);
}

describe('subscriptions', () => {
	test('POST /webhooks answers 201 with the subscription and its secret, once', async () => {
		const to = await target();
		const reply = await api.call('POST', '/webhooks', {
			body: { url: to.url, events: ['project.created', 'project.deleted'] },
		});
		expect(reply.status).toBe(201);
		expect(reply.body).toEqual({
			id: expect.stringMatching(/^whk_[0-9a-f]{12}$/),
			url: to.url,
			events: ['project.created', 'project.deleted'],
			createdAt: expect.any(String),
			secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
		});
		expect(new Date(reply.body.createdAt).toISOString()).toBe(reply.body.createdAt);
		expect(Buffer.from(reply.body.secret.slice(6), 'base64')).toHaveLength(24);

		const list = await api.call('GET', '/webhooks');
		expect(list.status).toBe(200);
		expect(list.body).toEqual({ data: [{ ...reply.body, secret: undefined }], nextCursor: null });
		expect(list.text).not.toContain(reply.body.secret);
		expect(list.text).not.toContain('secret');
	});

	test('the list is paged like the other lists, oldest first', async () => {
		const to = await target();
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push((await subscribe(to, ['project.created'])).id);
		const first = await api.call('GET', '/webhooks?limit=2');
		expect(first.body.data.map((item: Json) => item.id)).toEqual(ids.slice(0, 2));
		const second = await api.call('GET', `/webhooks?limit=2&cursor=${first.body.nextCursor}`);
		expect(second.body.data.map((item: Json) => item.id)).toEqual(ids.slice(2, 4));
		const last = await api.call('GET', `/webhooks?limit=2&cursor=${second.body.nextCursor}`);
		expect(last.body).toEqual({ data: [expect.objectContaining({ id: ids[4] })], nextCursor: null });
		const bogus = await api.call('GET', '/webhooks?cursor=bogus');
		expect(bogus.status).toBe(400);
		expect(bogus.body.details).toEqual([{ field: 'cursor', message: expect.any(String) }]);
	});

	test('DELETE /webhooks/{id} answers 204, then 404; unknown ids are 404', async () => {
		const to = await target();
		const { id } = await subscribe(to);
		const deleted = await api.call('DELETE', `/webhooks/${id}`);
		expect(deleted.status).toBe(204);
		expect(deleted.text).toBe('');
		const again = await api.call('DELETE', `/webhooks/${id}`);
		expect(again.status).toBe(404);
		expect(again.body).toEqual({ code: 'NOT_FOUND', message: `No webhook subscription with id '${id}'.` });
		expect((await api.call('DELETE', '/webhooks/whk_000000000000')).status).toBe(404);
		expect((await api.call('GET', '/webhooks')).body.data).toEqual([]);
	});

	test('subscriptions are per client: another client neither sees nor deletes them', async () => {
		const to = await target();
		const mine = await subscribe(to);
		const token = await api.token();
		const theirs = await api.call('POST', '/webhooks', {
			bearer: token,
			body: { url: to.url, events: ['project.deleted'] },
		});
		expect(theirs.status).toBe(201);
		const theirList = await api.call('GET', '/webhooks', { bearer: token });
		expect(theirList.body.data.map((item: Json) => item.id)).toEqual([theirs.body.id]);
		expect((await api.call('DELETE', `/webhooks/${mine.id}`, { bearer: token })).status).toBe(404);
		expect((await api.call('GET', '/webhooks')).body.data.map((item: Json) => item.id)).toEqual([mine.id]);
		expect((await api.admin('GET', '/webhooks')).subscriptionsByClient).toEqual({
			[DEMO_CREDENTIALS.apiKeyClientId]: 1,
			[DEMO_CREDENTIALS.oauthClientId]: 1,
		});
	});

	test('a credential without webhooks:write gets 403 naming the scope on all three routes', async () => {
		const to = await target();
		const { id } = await subscribe(to);
		const narrowed = await api.token(undefined, undefined, 'projects:read projects:write directory:read');
		for (const credential of [{ apiKey: RO_KEY }, { bearer: narrowed }]) {
			for (const [method, path, body] of [
				['POST', '/webhooks', { url: to.url, events: ['project.created'] }],
				['GET', '/webhooks', undefined],
				['DELETE', `/webhooks/${id}`, undefined],
			] as const) {
				const reply = await api.call(method, path, { ...credential, body });
				expect([method, reply.status, reply.body]).toEqual([
					method,
					403,
					{
						code: 'FORBIDDEN',
						message: "This credential lacks the 'webhooks:write' scope.",
						requiredScope: 'webhooks:write',
					},
				]);
			}
		}
		expect((await api.call('GET', '/webhooks', { apiKey: null })).status).toBe(401);
		// The demo credentials with write access have the scope.
		expect((await api.call('GET', '/me')).body.scopes).toContain('webhooks:write');
		expect((await api.call('GET', '/me', { bearer: await api.token() })).body.scopes).toContain(
			'webhooks:write',
		);
	});

	test('bodies are validated like the other routes: 400 with every problem by field', async () => {
		const cases: Array<[unknown, Array<{ field: string; message: string }>]> = [
			[
				{},
				[
					{ field: 'url', message: 'is required' },
					{ field: 'events', message: 'is required' },
				],
			],
			[
				{ url: 'ftp://example.com/hook', events: [] },
				[
					{ field: 'events', message: 'must not be empty' },
					{ field: 'url', message: 'must be an absolute http:// or https:// URL' },
				],
			],
			[
				{ url: 'not a url', events: ['project.created'] },
				[{ field: 'url', message: 'must be an absolute http:// or https:// URL' }],
			],
			[{ url: 42, events: ['project.created'] }, [{ field: 'url', message: 'must be a string' }]],
			[
				{ url: 'https://example.com/hook', events: ['project.created', 'project.exploded'] },
				[{ field: 'events[1]', message: expect.stringMatching(/^must be one of: project\.created, /) }],
			],
			[
				{ url: 'https://example.com/hook', events: ['project.created', 'project.created'] },
				[{ field: 'events[1]', message: 'repeats the value at index 0; items must be unique' }],
			],
			[
				{ url: 'https://example.com/hook', events: 'project.created' },
				[{ field: 'events', message: 'must be an array' }],
			],
			[
				{ url: 'https://example.com/hook', events: ['project.created'], secret: 'mine' },
				[{ field: 'secret', message: 'is not a known field' }],
			],
		];
		for (const [body, details] of cases) {
			const reply = await api.call('POST', '/webhooks', { body });
			expect({ body, status: reply.status, code: reply.body.code, details: reply.body.details }).toEqual({
				body,
				status: 400,
				code: 'INVALID_INPUT',
				details,
			});
		}
		const limit = await api.call('GET', '/webhooks?limit=0');
		expect(limit.status).toBe(400);
		expect(limit.body.details).toEqual([{ field: 'limit', message: 'must be 1 or more' }]);
		expect((await api.call('GET', '/webhooks')).body.data).toEqual([]);
		// https and a port, a path and a query are fine.
		expect(
			(
				await api.call('POST', '/webhooks', {
					body: { url: 'https://hooks.example.com:8443/in?source=pm', events: ['project.deleted'] },
				})
			).status,
		).toBe(201);
	});
});

describe('events', () => {
	test('each event type arrives with its shape, signed, and matching the documented schema', async () => {
		const to = await target();
		await subscribe(to);
		const created = await api.createProject({ name: unique('Evented'), priority: 'Low' });
		const renamed = await api.call('PATCH', `/projects/${created.id}`, {
			body: { name: `${created.name} II`, status: 'Active' },
		});
		const described = await api.call('PATCH', `/projects/${created.id}`, { body: { description: 'Why' } });
		expect((await api.call('DELETE', `/projects/${created.id}`)).status).toBe(204);
		await waitFor('five events', () => to.genuine.length >= 5);
		await idle();

		expect(to.received.map((delivery) => delivery.verdict)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
		expect(to.types()).toEqual([
			'project.created',
			'project.updated',
			'project.status_changed',
			'project.updated',
			'project.deleted',
		]);
		const [onCreate, onRename, onStatus, onDescribe, onDelete] = to.received.map((delivery) => delivery.body);
		const event = { id: expect.stringMatching(/^evt_[0-9a-f]{24}$/), occurredAt: expect.any(String) };
		expect(onCreate).toEqual({ ...event, type: 'project.created', data: { project: created } });
		expect(onCreate.occurredAt).toBe(created.createdAt);
		expect(onRename).toEqual({
			...event,
			type: 'project.updated',
			data: { project: renamed.body },
			changes: {
				name: { from: created.name, to: `${created.name} II` },
				status: { from: 'Draft', to: 'Active' },
			},
		});
		expect(onRename.occurredAt).toBe(renamed.body.updatedAt);
		expect(onStatus).toEqual({
			...event,
			type: 'project.status_changed',
			data: { project: renamed.body },
			changes: { status: { from: 'Draft', to: 'Active' } },
		});
		expect(onDescribe).toEqual({
			...event,
			type: 'project.updated',
			data: { project: described.body },
			changes: { description: { from: null, to: 'Why' } },
		});
		// Deleted: the project as it was before.
		expect(onDelete).toEqual({ ...event, type: 'project.deleted', data: { project: described.body } });
		expect(new Date(onDelete.occurredAt).toISOString()).toBe(onDelete.occurredAt);

		for (const delivery of to.received) {
			expect(validateEvent(delivery.body)).toBe(true);
			expect(delivery.headers['webhook-id']).toBe(delivery.body.id);
			expect(delivery.headers['content-type']).toBe('application/json');
			expect(delivery.headers['webhook-timestamp']).toMatch(/^\d+$/);
			expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
		}
		expect(new Set(to.received.map((delivery) => delivery.body.id)).size).toBe(5);
		// Negative control: the schema check sees a broken event.
		expect(validateEvent({ ...onRename, changes: undefined })).toBe(false);
		expect(validateEvent({ ...onCreate, changes: { name: { from: 'a', to: 'b' } } })).toBe(false);
		expect(validateEvent({ ...onCreate, type: 'project.archived' })).toBe(false);
	});

	test('the admin event log has the same events, each with the subscriptions it was queued for', async () => {
		const to = await target();
		const subscription = await subscribe(to, ['project.created']);
		const project = await api.createProject({ name: unique('Logged') });
		await api.call('DELETE', `/projects/${project.id}`);
		const { entries } = await api.admin('GET', '/webhooks/events');
		expect(entries.map((entry: Json) => [entry.event.type, entry.subscriptionIds])).toEqual([
			['project.created', [subscription.id]],
			['project.deleted', []],
		]);
		await waitFor('the created event', () => to.genuine.length === 1);
		expect(to.received[0].body).toEqual(entries[0].event);
		const later = await api.admin('GET', `/webhooks/events?since=${entries[0].seq}`);
		expect(later.entries.map((entry: Json) => entry.seq)).toEqual([entries[1].seq]);
	});

	test('only real changes emit: no event for an idempotent replay, a PATCH changing nothing or a refused request', async () => {
		const to = await target();
		await subscribe(to);
		const body = { name: unique('Once') };
		const first = await api.call('POST', '/projects', { body, idempotencyKey: 'evt-once' });
		const replay = await api.call('POST', '/projects', { body, idempotencyKey: 'evt-once' });
		expect(replay.headers.get('idempotent-replayed')).toBe('true');
		const id = first.body.id;
		await api.call('PATCH', `/projects/${id}`, { body: { status: 'Planned' }, idempotencyKey: 'evt-patch' });
		await api.call('PATCH', `/projects/${id}`, { body: { status: 'Planned' }, idempotencyKey: 'evt-patch' });
		await api.call('PATCH', `/projects/${id}`, { body: { name: body.name, status: 'Planned' } });
		await api.call('PATCH', `/projects/${id}`, { body: { ownerId: 'usr_nobody' } });
		await api.call('POST', '/projects', { body });
		await api.call('DELETE', '/projects/prj_000000000000');
		// A fence: deliveries to one subscription keep their order, so everything before it has arrived by then.
		await api.call('DELETE', `/projects/${id}`);
		await waitFor('the fence', () => to.types().includes('project.deleted'));
		expect(to.types()).toEqual([
			'project.created',
			'project.updated',
			'project.status_changed',
			'project.deleted',
		]);
	});

	test('a subscription gets only the types it asked for; every subscription gets its own copy', async () => {
		const all = await target();
		const deletions = await target();
		await subscribe(all);
		await subscribe(deletions, ['project.deleted']);
		const project = await api.createProject({ name: unique('Filtered') });
		await api.call('PATCH', `/projects/${project.id}`, { body: { status: 'On Hold' } });
		await api.call('DELETE', `/projects/${project.id}`);
		await waitFor('all four events', () => all.genuine.length === 4);
		await waitFor('the deletion', () => deletions.genuine.length === 1);
		await idle();
		expect(deletions.types()).toEqual(['project.deleted']);
		expect(deletions.received[0].body).toEqual(all.received[3].body);
		// Different secrets, different signatures of the same body.
		expect(deletions.received[0].headers['webhook-signature']).not.toBe(
			all.received[3].headers['webhook-signature'],
		);
	});

	test('the answer of a change does not wait for its delivery', async () => {
		const to = await target();
		to.answer = () => 'hang';
		await subscribe(to);
		const project = await api.createProject({ name: unique('Async') });
		expect(project.id).toMatch(/^prj_/);
		await waitFor('the hanging delivery', () => to.received.length === 1);
		expect((await api.admin('GET', '/webhooks')).pendingDeliveries).toBe(1);
		expect((await api.call('GET', `/projects/${project.id}`)).status).toBe(200);
	});
});

describe('signatures', () => {
	test('a receiver verifies a delivery with node:crypto and the secret; a changed byte or another secret fails', async () => {
		const to = await target();
		await subscribe(to, ['project.created']);
		await api.createProject({ name: unique('Signed') });
		await waitFor('a delivery', () => to.received.length > 0);
		const [delivery] = to.received;
		expect(delivery.verdict).toBe('ok');
		expect(verify(to.secret, delivery.headers, delivery.raw.replace('"Signed', '"signed'))).toBe(
			'bad-signature',
		);
		expect(verify(`whsec_${Buffer.alloc(24, 7).toString('base64')}`, delivery.headers, delivery.raw)).toBe(
			'bad-signature',
		);
		// The signed string is exactly "<id>.<timestamp>.<raw body>" keyed with the decoded secret.
		const key = Buffer.from(to.secret.slice('whsec_'.length), 'base64');
		const signedContent = `${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.raw}`;
		expect(delivery.headers['webhook-signature']).toBe(
			`v1,${createHmac('sha256', key).update(signedContent).digest('base64')}`,
		);
	});
});

describe('delivery and retries', () => {
	test('a 500 from the target is redelivered, same id and body, newly signed, until a 2xx', async () => {
		const to = await target();
		to.answer = (delivery, index) => (index < 2 ? 500 : 200);
		const subscription = await subscribe(to, ['project.created']);
		await api.createProject({ name: unique('Retried') });
		await waitFor('three attempts', () => to.received.length === 3);
		await idle();
		expect(to.received.map((delivery) => delivery.verdict)).toEqual(['ok', 'ok', 'ok']);
		expect(new Set(to.received.map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
		expect(new Set(to.received.map((delivery) => delivery.raw)).size).toBe(1);
		const timestamps = to.received.map((delivery) => Number(delivery.headers['webhook-timestamp']));
		expect([...timestamps].sort((a, b) => a - b)).toEqual(timestamps);

		const log = await deliveries();
		expect(log.map((entry) => [entry.attempt, entry.status, entry.ok, entry.willRetry])).toEqual([
			[1, 500, false, true],
			[2, 500, false, true],
			[3, 200, true, false],
		]);
		expect(log[0]).toEqual({
			seq: expect.any(Number),
			sentAt: expect.any(Number),
			at: expect.any(Number),
			eventId: to.received[0].body.id,
			type: 'project.created',
			subscriptionId: subscription.id,
			clientId: DEMO_CREDENTIALS.apiKeyClientId,
			url: to.url,
			attempt: 1,
			copy: 1,
			timestamp: Number(to.received[0].headers['webhook-timestamp']),
			signature: 'valid',
			fault: null,
			manual: false,
			status: 500,
			error: null,
			ok: false,
			willRetry: true,
		});
		expect(await api.admin('GET', '/webhooks')).toMatchObject({ attempts: 3, delivered: 1, gaveUp: 0 });
		expect((await api.admin('GET', `/webhooks/deliveries?since=${log[1].seq}`)).entries).toEqual([log[2]]);
	});

	test('attempts are bounded: a target that keeps failing or is gone is given up after maxAttempts', async () => {
		await api.configure({ webhooks: { maxAttempts: 3, backoffBaseMs: 10 } });
		const failing = await target();
		failing.answer = () => 503;
		const gone = await target();
		await subscribe(failing, ['project.created']);
		const goneSubscription = await subscribe(gone, ['project.created']);
		await gone.close();
		await api.createProject({ name: unique('GivenUp') });
		await waitFor('both given up', async () => (await api.admin('GET', '/webhooks')).gaveUp === 2);
		expect(failing.received).toHaveLength(3);
		const toGone = (await deliveries()).filter((entry) => entry.subscriptionId === goneSubscription.id);
		expect(toGone.map((entry) => [entry.attempt, entry.status, entry.willRetry])).toEqual([
			[1, null, true],
			[2, null, true],
			[3, null, false],
		]);
		expect(toGone[0].error).toEqual(expect.any(String));
	});

	test('no answer within requestTimeoutMs counts as a failed attempt', async () => {
		await api.configure({ webhooks: { maxAttempts: 10, backoffBaseMs: 10, requestTimeoutMs: 500 } });
		const to = await target();
		// The first delivery the target reads is never answered; the next one is.
		to.answer = (delivery, index) => (index === 0 ? 'hang' : 204);
		await subscribe(to, ['project.created']);
		await api.createProject({ name: unique('Timeout') });
		await waitFor('an answered attempt', () => to.received.length >= 2);
		await idle();
		const log = await deliveries();
		// On a busy machine an attempt may time out before the target even reads it: only the end is fixed.
		const last = log[log.length - 1];
		expect(last).toMatchObject({ status: 204, ok: true, attempt: log.length });
		expect(log.length).toBeGreaterThanOrEqual(2);
		for (const entry of log.slice(0, -1))
			expect(entry).toMatchObject({
				status: null,
				ok: false,
				willRetry: true,
				error: 'no answer within 500 ms',
			});
	});

	test('nothing is delivered after unsubscribing, not even the retries already planned', async () => {
		await api.configure({
			webhooks: { backoffBaseMs: 600_000, backoffMaxMs: 600_000, retryWindowMs: 3_600_000 },
		});
		const failing = await target();
		failing.answer = () => 500;
		const fence = await target();
		const subscription = await subscribe(failing);
		await subscribe(fence);
		const project = await api.createProject({ name: unique('Unsubscribed') });
		await waitFor('the first attempt', async () => (await deliveries()).some((entry) => entry.willRetry));
		await waitFor('the fence subscription’s first event', () => fence.genuine.length === 1);
		expect((await api.admin('GET', '/webhooks')).pendingDeliveries).toBe(1);
		expect((await api.call('DELETE', `/webhooks/${subscription.id}`)).status).toBe(204);
		expect((await api.admin('GET', '/webhooks')).pendingDeliveries).toBe(0);
		await api.call('DELETE', `/projects/${project.id}`);
		await waitFor('the fence', () => fence.types().includes('project.deleted'));
		expect(failing.received).toHaveLength(1);
		expect((await deliveries()).filter((entry) => entry.subscriptionId === subscription.id)).toHaveLength(1);
	});
});

describe('delivery faults', () => {
	async function withDeliveryFault(fault: string, extra: Json = {}): Promise<void> {
		await api.configure({ webhooks: { faults: { rates: { ...noWebhookFaults(), [fault]: 1 }, ...extra } } });
	}

	test('duplicate: the same event is delivered twice, same Webhook-Id, both validly signed', async () => {
		await withDeliveryFault('duplicate');
		const to = await target();
		await subscribe(to, ['project.created']);
		await api.createProject({ name: unique('Twice') });
		await waitFor('two copies', () => to.received.length === 2);
		await idle();
		expect(to.received.map((delivery) => delivery.verdict)).toEqual(['ok', 'ok']);
		expect(to.received[1].headers['webhook-id']).toBe(to.received[0].headers['webhook-id']);
		expect(to.received[1].raw).toBe(to.received[0].raw);
		expect((await deliveries()).map((entry) => [entry.fault, entry.copy, entry.ok])).toEqual([
			['duplicate', 1, true],
			['duplicate', 2, true],
		]);
		expect((await api.admin('GET', '/webhooks')).faultsInjected.duplicate).toBe(1);
	});

	test('outOfOrder: the held event is delivered after the next one', async () => {
		await withDeliveryFault('outOfOrder', { holdMs: 600_000 });
		const to = await target();
		await subscribe(to);
		const project = await api.createProject({ name: unique('Overtaken') });
		expect((await api.admin('GET', '/webhooks')).pendingDeliveries).toBe(1);
		// With one event already held, the next one goes first and releases it.
		await api.call('PATCH', `/projects/${project.id}`, { body: { description: 'later' } });
		await waitFor('both events', () => to.genuine.length === 2);
		await idle();
		expect(to.types()).toEqual(['project.updated', 'project.created']);
		const occurred = to.received.map((delivery) => Date.parse(delivery.body.occurredAt));
		expect(occurred[0]).toBeGreaterThanOrEqual(occurred[1]);
		expect((await deliveries()).map((entry) => [entry.type, entry.fault])).toEqual([
			['project.updated', null],
			['project.created', 'outOfOrder'],
		]);
	});

	test('outOfOrder: with no later event the held one still goes after holdMs', async () => {
		await withDeliveryFault('outOfOrder', { holdMs: 50 });
		const to = await target();
		await subscribe(to, ['project.created']);
		await api.createProject({ name: unique('Released') });
		await waitFor('the held event', () => to.genuine.length === 1);
		expect((await deliveries())[0].fault).toBe('outOfOrder');
	});

	test('late: the delivery waits lateMs before it is sent', async () => {
		await withDeliveryFault('late', { lateMs: 300 });
		const to = await target();
		await subscribe(to, ['project.created']);
		const project = await api.createProject({ name: unique('Late') });
		await waitFor('the late event', () => to.genuine.length === 1);
		// A lower bound only: a busy machine makes it later, never earlier.
		expect(to.received[0].at - Date.parse(project.createdAt)).toBeGreaterThanOrEqual(300);
		expect((await deliveries())[0]).toMatchObject({ fault: 'late', ok: true });
	});

	test('forged: a copy with a wrong signature comes first; the receiver refuses it and still gets the real one', async () => {
		await withDeliveryFault('forged');
		const to = await target();
		await subscribe(to, ['project.created']);
		await api.createProject({ name: unique('Forged') });
		await waitFor('both sends', () => to.received.length === 2);
		await idle();
		expect(to.received.map((delivery) => delivery.verdict)).toEqual(['bad-signature', 'ok']);
		expect(to.received[0].headers['webhook-id']).toBe(to.received[1].headers['webhook-id']);
		expect(
			(await deliveries()).map((entry) => [entry.fault, entry.signature, entry.status, entry.willRetry]),
		).toEqual([
			['forged', 'forged', 401, false],
			[null, 'valid', 204, false],
		]);
	});

	test('stale: a correctly signed copy with an old timestamp comes first; the receiver refuses it', async () => {
		await withDeliveryFault('stale', { staleSeconds: 3600 });
		const to = await target();
		await subscribe(to, ['project.created']);
		await api.createProject({ name: unique('Stale') });
		await waitFor('both sends', () => to.received.length === 2);
		await idle();
		expect(to.received.map((delivery) => delivery.verdict)).toEqual(['stale', 'ok']);
		const [stale, fresh] = to.received.map((delivery) => Number(delivery.headers['webhook-timestamp']));
		expect(fresh - stale).toBeGreaterThanOrEqual(3600);
		expect((await deliveries()).map((entry) => [entry.fault, entry.signature, entry.status])).toEqual([
			['stale', 'valid', 401],
			[null, 'valid', 204],
		]);
	});

	test('POST /_admin/webhooks/send sends one forged, stale or valid delivery and answers with its log entry', async () => {
		const to = await target();
		const subscription = await subscribe(to, ['project.created', 'project.deleted']);
		const noEvent = await api.call('POST', '/_admin/webhooks/send', {
			apiKey: null,
			body: { subscriptionId: subscription.id, kind: 'forged' },
		});
		expect(noEvent.status).toBe(404);
		const project = await api.createProject({ name: unique('Sent') });
		await api.call('DELETE', `/projects/${project.id}`);
		await waitFor('two events', () => to.genuine.length === 2);
		const [created, deleted] = to.received.map((delivery) => delivery.body);

		const forged = await api.admin('POST', '/webhooks/send', {
			subscriptionId: subscription.id,
			kind: 'forged',
		});
		expect(forged.delivery).toMatchObject({
			eventId: deleted.id,
			signature: 'forged',
			fault: 'forged',
			manual: true,
			status: 401,
			ok: false,
			willRetry: false,
		});
		const stale = await api.admin('POST', '/webhooks/send', {
			subscriptionId: subscription.id,
			kind: 'stale',
			eventId: created.id,
		});
		expect(stale.delivery).toMatchObject({
			eventId: created.id,
			signature: 'valid',
			fault: 'stale',
			status: 401,
		});
		const valid = await api.admin('POST', '/webhooks/send', {
			subscriptionId: subscription.id,
			kind: 'valid',
		});
		expect(valid.delivery).toMatchObject({
			eventId: deleted.id,
			signature: 'valid',
			fault: null,
			status: 204,
		});
		expect(to.received.slice(2).map((delivery) => [delivery.body.id, delivery.verdict])).toEqual([
			[deleted.id, 'bad-signature'],
			[created.id, 'stale'],
			[deleted.id, 'ok'],
		]);

		for (const [body, status] of [
			[{ subscriptionId: 'whk_000000000000', kind: 'forged' }, 404],
			[{ subscriptionId: subscription.id, kind: 'forged', eventId: 'evt_nothere' }, 404],
			[{ subscriptionId: subscription.id, kind: 'garbled' }, 400],
			[{ kind: 'forged' }, 400],
		] as const) {
			const reply = await api.call('POST', '/_admin/webhooks/send', { apiKey: null, body });
			expect([body, reply.status]).toEqual([body, status]);
		}
	});

	test('faults are drawn from their own seeded PRNG: the same seed gives the same faults; reset re-seeds', async () => {
		async function run(): Promise<string[]> {
			const to = await target();
			await subscribe(to, ['project.created']);
			for (let i = 0; i < 12; i++) await api.createProject({ name: unique('Seeded') });
			await waitFor('twelve events', () => to.genuine.length >= 12);
			await idle();
			const log = await deliveries();
			const events = (await api.admin('GET', '/webhooks/events')).entries.map(
				(entry: Json) => entry.event.id,
			);
			return events.map((id: string) =>
				log
					.filter((entry) => entry.eventId === id)
					.map((entry) => entry.fault ?? '-')
					.join('+'),
			);
		}
		await api.configure({ webhooks: { faults: { seed: 11, rates: { duplicate: 0.3, forged: 0.3 } } } });
		const first = await run();
		await api.reset();
		const second = await run();
		expect(second).toEqual(first);
		expect(first).toEqual(expect.arrayContaining(['-', 'duplicate+duplicate', 'forged+-']));
		await api.configure({ webhooks: { faults: { seed: 12 } } });
		await api.reset();
		expect(await run()).not.toEqual(first);
	});
});

describe('admin', () => {
	test('config shows the webhook options; invalid patches are 400 and change nothing', async () => {
		expect(defaults).toEqual({
			maxAttempts: 5,
			backoffBaseMs: 100,
			backoffMaxMs: 2000,
			retryWindowMs: 30_000,
			requestTimeoutMs: 5000,
			faults: {
				seed: 1,
				rates: { duplicate: 0, outOfOrder: 0, late: 0, forged: 0, stale: 0 },
				lateMs: 1000,
				holdMs: 2000,
				staleSeconds: 3600,
			},
		});
		for (const patch of [
			{ webhooks: { faults: { rates: { duplicate: 0.6, late: 0.6 } } } },
			{ webhooks: { faults: { rates: { lost: 0.1 } } } },
			{ webhooks: { maxAttempts: 0 } },
			{ webhooks: { requestTimeoutMs: 0 } },
			{ webhooks: { colour: 'red' } },
		]) {
			const reply = await api.call('PATCH', '/_admin/config', { apiKey: null, body: patch });
			expect([patch, reply.status, reply.body.code]).toEqual([patch, 400, 'INVALID_INPUT']);
		}
		expect((await api.admin('GET', '/config')).webhooks).toEqual(defaults);
		const merged = await api.configure({ webhooks: { maxAttempts: 2, faults: { rates: { late: 0.5 } } } });
		expect(merged.webhooks).toMatchObject({ maxAttempts: 2, faults: { rates: { late: 0.5, duplicate: 0 } } });
	});

	test('reset clears subscriptions, pending deliveries, the logs and counters', async () => {
		await api.configure({
			webhooks: { backoffBaseMs: 600_000, backoffMaxMs: 600_000, retryWindowMs: 3_600_000 },
		});
		const failing = await target();
		failing.answer = () => 500;
		await subscribe(failing);
		await api.createProject({ name: unique('Reset') });
		await waitFor('a planned retry', async () => (await deliveries()).some((entry) => entry.willRetry));
		expect((await api.admin('GET', '/webhooks')).pendingDeliveries).toBe(1);
		await api.reset();
		expect(await api.admin('GET', '/webhooks')).toEqual({
			subscriptions: 0,
			subscriptionsByClient: {},
			eventsEmitted: 0,
			pendingDeliveries: 0,
			attempts: 0,
			delivered: 0,
			gaveUp: 0,
			faultsInjected: { duplicate: 0, outOfOrder: 0, late: 0, forged: 0, stale: 0 },
		});
		expect(await deliveries()).toEqual([]);
		expect((await api.admin('GET', '/webhooks/events')).entries).toEqual([]);
		expect((await api.call('GET', '/webhooks')).body.data).toEqual([]);
		// A fence on a new subscription: the dropped retry never comes.
		const fence = await target();
		await subscribe(fence, ['project.created']);
		await api.createProject({ name: unique('AfterReset') });
		await waitFor('the fence', () => fence.genuine.length === 1);
		expect(failing.received).toHaveLength(1);
	});
});

test('closing the server with deliveries pending (retry, late, held, unanswered) leaves nothing to keep the process alive', async () => {
	const root = join(__dirname, '..', '..');
	const child = spawn(
		process.execPath,
		[
			join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
			join(__dirname, 'fixtures', 'closeWithPendingDeliveries.ts'),
		],
		{ cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	// Left alone, the pending work would keep the process for ten minutes; the bound below is far shorter.
	const exit = await new Promise<number | null | 'still running'>((resolve) => {
		const timer = setTimeout(() => resolve('still running'), 45_000);
		child.once('exit', (code) => {
			clearTimeout(timer);
			resolve(code);
		});
	});
	if (exit === 'still running') child.kill('SIGKILL');
	expect({ exit, output }).toEqual({ exit: 0, output: expect.stringMatching(/closed hung=1 pending=[1-9]/) });
}, 60_000);
