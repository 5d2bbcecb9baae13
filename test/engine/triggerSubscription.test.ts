import { randomUUID } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import type { CredentialTypeName } from '../../harness/engine/packageNode';
import type { TriggerWorkflow } from '../../harness/engine/triggerWorkflow';
import { WebhookReceiver } from '../../harness/engine/webhookReceiver';
import { freePort } from '../../harness/ports';
import { useEngineAndApi } from '../../harness/testSetup';
import { waitFor } from '../../harness/waitFor';
import { DEMO_CREDENTIALS, noWebhookFaults, type WebhookFaultClass } from '../../reference-api/src';

/**
 * The trigger against the reference API over HTTP: n8n's webhook set-up (checkExists, create, delete through
 * n8n-core's HookContext) makes, finds, replaces and removes the subscription at the API; and the API's real
 * deliveries, faults included, reach the trigger through a loopback stand-in for n8n's webhook server. Every wait
 * is a bounded poll for a condition.
 */

const KEY = DEMO_CREDENTIALS.apiKey;

const { api, harness } = useEngineAndApi({
	eachTest: {
		configure: { webhooks: { faults: { seed: 1, rates: noWebhookFaults() } } },
		apiKeyCredentials: { 'cred-1': KEY },
	},
});

let receiver: WebhookReceiver;
beforeAll(async () => {
	receiver = await WebhookReceiver.start();
});
afterAll(async () => {
	await receiver?.close();
});

/** A new trigger workflow (its own webhook address), served by the receiver. */
function trigger(
	parameters: INodeParameters = { events: ['project.created'] },
	more: { webhookId?: string; credentialId?: string; credentialType?: CredentialTypeName } = {},
): TriggerWorkflow {
	const workflow = harness.trigger({
		baseUrl: receiver.url,
		parameters,
		webhookId: more.webhookId ?? randomUUID(),
		credentialId: more.credentialId,
		credentialType: more.credentialType,
	});
	receiver.serve(workflow);
	return workflow;
}

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
	const response = await fetch(`${api.url}/api/v1${path}`, {
		method,
		headers: { 'X-API-Key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
	return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
}

const subscriptions = () => api.subscriptions(KEY);

/** Waits until the API has nothing left to deliver: every delivery answered (or given up). */
async function deliveriesSettled(eventsExpected: number) {
	await waitFor(`${eventsExpected} events delivered`, async () => {
		const stats = await api.webhookStats();
		return stats.eventsEmitted >= eventsExpected && stats.pendingDeliveries === 0;
	});
}

function executionsOf(workflow: TriggerWorkflow) {
	return receiver.received
		.filter((entry) => entry.webhookId === workflow.node.webhookId && entry.answer.started)
		.map((entry) => entry.answer.started![0].json);
}

describe('activation and deactivation: the subscription at the API', () => {
	it("subscribes the trigger's address to the chosen events, keeps the secret, and finds it again on the next activation", async () => {
		const workflow = trigger({ events: ['project.status_changed', 'project.created'] });
		expect(await workflow.activate()).toEqual({ existed: false });

		const [subscription, ...more] = await subscriptions();
		expect(more).toEqual([]);
		expect(subscription).toEqual(
			expect.objectContaining({
				url: workflow.webhookUrl(),
				events: ['project.created', 'project.status_changed'],
			}),
		);
		const kept = workflow.staticData();
		expect(kept).toEqual(
			expect.objectContaining({ subscriptionId: subscription.id, url: workflow.webhookUrl() }),
		);
		expect(kept.secret).toMatch(/^whsec_/);

		// n8n restarts and activates the workflow again: the subscription is there, nothing new is made.
		expect(await workflow.activate()).toEqual({ existed: true });
		expect((await subscriptions()).map((entry) => entry.id)).toEqual([subscription.id]);
	});

	it('replaces a subscription for its address whose secret it does not hold, instead of stacking another', async () => {
		const workflow = trigger();
		// One left from before (another n8n, a copy of the workflow, lost static data): the API never shows
		// its secret again.
		const leftover = await call('POST', '/webhooks', {
			url: workflow.webhookUrl(),
			events: ['project.created'],
		});
		const unrelated = await call('POST', '/webhooks', {
			url: 'http://127.0.0.1:9/elsewhere',
			events: ['project.created'],
		});

		expect(await workflow.activate()).toEqual({ existed: false });
		const ids = (await subscriptions()).map((entry) => entry.id);
		expect(ids).toHaveLength(2);
		expect(ids).toContain(unrelated.id);
		expect(ids).not.toContain(leftover.id);

		// Static data lost later (the secret with it): the next activation replaces the subscription again.
		const first = workflow.staticData().subscriptionId;
		workflow.setStaticData({});
		expect(await workflow.activate()).toEqual({ existed: false });
		const after = (await subscriptions()).filter((entry) => entry.url === workflow.webhookUrl());
		expect(after).toHaveLength(1);
		expect(after[0].id).not.toBe(first);
		expect(after[0].id).toBe(workflow.staticData().subscriptionId);
	});

	it('replaces the subscription when the chosen events changed', async () => {
		const webhookId = randomUUID();
		const before = trigger({ events: ['project.created'] }, { webhookId });
		await before.activate();
		const changed = trigger({ events: ['project.deleted', 'project.updated'] }, { webhookId });
		changed.setStaticData(before.staticData());

		expect(await changed.activate()).toEqual({ existed: false });
		const [subscription, ...more] = await subscriptions();
		expect(more).toEqual([]);
		expect(subscription.events).toEqual(['project.updated', 'project.deleted']);
		expect(subscription.id).not.toBe(before.staticData().subscriptionId);
	});

	it('notices a subscription deleted at the API and makes a new one', async () => {
		const workflow = trigger();
		await workflow.activate();
		await call('DELETE', `/webhooks/${String(workflow.staticData().subscriptionId)}`);
		expect(await workflow.call('checkExists')).toBe(false);
		expect(workflow.staticData().subscriptionId).toBeUndefined();
		expect(await workflow.activate()).toEqual({ existed: false });
		expect(await subscriptions()).toHaveLength(1);
	});

	it('deactivation deletes the subscription; deactivating when it is already gone succeeds too', async () => {
		const workflow = trigger();
		await workflow.activate();
		expect(await workflow.deactivate()).toBe(true);
		expect(await subscriptions()).toEqual([]);
		expect(workflow.staticData()).toEqual({});
		expect((await api.webhookStats()).subscriptions).toBe(0);

		expect(await workflow.deactivate()).toBe(true);
	});

	it('when the API cannot be reached, deactivation goes on, says why in the log, and keeps the subscription in mind', async () => {
		harness.setCredential('down', { baseUrl: `http://127.0.0.1:${await freePort()}`, apiKey: KEY });
		const workflow = trigger({ events: ['project.created'] }, { credentialId: 'down' });
		workflow.setStaticData({
			subscriptionId: 'whk_0123456789ab',
			secret: 'whsec_c2VjcmV0LWtleS0xMjM0NTY3OA==',
		});

		expect(await workflow.deactivate()).toBe(false);
		expect(workflow.staticData().subscriptionId).toBe('whk_0123456789ab');
		const warning = harness.logs.find((line) => line.includes('Could not delete the webhook subscription'));
		expect(warning).toMatch(/refused the connection/);
		expect(harness.logs.join('\n')).not.toContain(KEY);
	});

	it('a test run ("Listen for test event") subscribes its own address beside the active workflow\'s, and ends alone', async () => {
		const workflow = trigger();
		await workflow.activate('production');
		await workflow.activate('test');
		const urls = (await subscriptions()).map((entry) => entry.url).sort();
		expect(urls).toEqual([workflow.webhookUrl('production'), workflow.webhookUrl('test')].sort());
		expect(workflow.webhookUrl('test')).toMatch(/\/webhook-test\//);

		await call('POST', '/projects', { name: 'Heard in both' });
		await deliveriesSettled(1);
		expect(
			receiver.received
				.filter((entry) => entry.webhookId === workflow.node.webhookId)
				.map((entry) => entry.run)
				.sort(),
		).toEqual(['production', 'test']);

		expect(await workflow.deactivate('test')).toBe(true);
		expect((await subscriptions()).map((entry) => entry.url)).toEqual([workflow.webhookUrl('production')]);
	});

	it('without the webhooks:write permission, activation fails with a message that names it', async () => {
		harness.setCredential('read-only', { baseUrl: api.url, apiKey: DEMO_CREDENTIALS.readOnlyApiKey });
		const workflow = trigger({ events: ['project.created'] }, { credentialId: 'read-only' });
		await expect(workflow.activate()).rejects.toThrow(/not allowed to manage webhooks.*webhooks:write/);
		expect((await api.webhookStats()).subscriptions).toBe(0);
	});

	it('with the OAuth2 credential and its default Scope, n8n fetches a token that may manage webhooks', async () => {
		harness.setCredential('oauth', {
			baseUrl: api.url,
			clientId: DEMO_CREDENTIALS.oauthClientId,
			clientSecret: DEMO_CREDENTIALS.oauthClientSecret,
		});
		const workflow = trigger(
			{ events: ['project.created'] },
			{ credentialId: 'oauth', credentialType: 'projectManagementOAuth2Api' },
		);
		expect(await workflow.activate()).toEqual({ existed: false });
		expect((await api.webhookStats()).subscriptionsByClient).toEqual({ [DEMO_CREDENTIALS.oauthClientId]: 1 });
		expect(await workflow.deactivate()).toBe(true);
		expect((await api.webhookStats()).subscriptions).toBe(0);
	});
});

describe("the API's deliveries, through n8n's webhook handling", () => {
	const ALL = ['project.created', 'project.updated', 'project.status_changed', 'project.deleted'];

	it('a project created, changed and deleted starts one execution per event, in the order they happened', async () => {
		const workflow = trigger({ events: ALL });
		await workflow.activate();
		const project = await call('POST', '/projects', { name: 'Apollo launch', status: 'Planned' });
		await call('PATCH', `/projects/${String(project.id)}`, { status: 'Active', priority: 'High' });
		await call('DELETE', `/projects/${String(project.id)}`);
		await deliveriesSettled(4);

		const executions = executionsOf(workflow);
		expect(executions.map((item) => item.event)).toEqual(ALL);
		expect(executions.every((item) => item.projectId === project.id)).toBe(true);
		expect(executions[1]).toEqual(
			expect.objectContaining({
				status: 'Active',
				previousStatus: 'Planned',
				changedFields: ['status', 'priority'],
				changes: { status: { from: 'Planned', to: 'Active' }, priority: { from: null, to: 'High' } },
			}),
		);
		expect(executions[2]).toEqual(
			expect.objectContaining({ changedFields: ['status'], previousStatus: 'Planned' }),
		);
	});

	it.each<WebhookFaultClass>(['duplicate', 'forged', 'stale'])(
		'a %s delivery from the API still makes exactly one execution per event',
		async (fault) => {
			const workflow = trigger({ events: ['project.created'] });
			await workflow.activate();
			await api.configure({ webhooks: { faults: { rates: { ...noWebhookFaults(), [fault]: 1 } } } });
			await call('POST', '/projects', { name: `One of a kind (${fault})` });
			await call('POST', '/projects', { name: `Another one (${fault})` });
			await deliveriesSettled(2);

			// Each event twice: two copies of a duplicate, or the forged or stale copy first and then the genuine one.
			const deliveries = await api.webhookDeliveries();
			expect(deliveries).toHaveLength(4);
			expect(deliveries.filter((entry) => entry.fault === fault)).toHaveLength(fault === 'duplicate' ? 4 : 2);
			const refused = deliveries.filter((entry) => entry.status === 401);
			expect(refused.map((entry) => entry.fault)).toEqual(fault === 'duplicate' ? [] : [fault, fault]);
			expect(deliveries.filter((entry) => entry.status === 200)).toHaveLength(fault === 'duplicate' ? 4 : 2);
			expect(executionsOf(workflow).map((item) => item.projectName)).toEqual([
				`One of a kind (${fault})`,
				`Another one (${fault})`,
			]);
		},
	);

	it('a valid resend of a delivered event is acknowledged without an execution; forged and stale sends get 401', async () => {
		const workflow = trigger({ events: ['project.created'] });
		await workflow.activate();
		await call('POST', '/projects', { name: 'Sent once' });
		await deliveriesSettled(1);
		const subscriptionId = String(workflow.staticData().subscriptionId);

		const resent = await api.sendWebhook(subscriptionId, 'valid');
		const forged = await api.sendWebhook(subscriptionId, 'forged');
		const stale = await api.sendWebhook(subscriptionId, 'stale');
		expect([resent.status, forged.status, stale.status]).toEqual([200, 401, 401]);
		expect(executionsOf(workflow)).toHaveLength(1);
	});
});
