import type { INodeParameters } from 'n8n-workflow';

import { restartForgets } from '../../harness/engine/processRestart';
import type { TriggerWorkflow } from '../../harness/engine/triggerWorkflow';
import { deliver } from '../../harness/engine/webhookDelivery';
import { projectEvent, signedDelivery } from '../../harness/referenceApi/signedDelivery';
import { useEngineAndApi } from '../../harness/testSetup';
import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { newSecret } from '../../reference-api/src/webhooks/signature';

/**
 * The trigger's webhook function as n8n runs it for each delivery (n8n-core's WebhookContext, the workflow's
 * static data saved in between as n8n saves it): good, forged, stale and repeated deliveries, the events and
 * statuses chosen, and the item a delivery becomes. The deliveries are signed by the reference API's own signer.
 */

const { harness } = useEngineAndApi({
	eachTest: { apiKeyCredentials: { 'cred-1': DEMO_CREDENTIALS.apiKey } },
});

const SECRET = newSecret();
const ALL_EVENTS = ['project.created', 'project.updated', 'project.status_changed', 'project.deleted'];

const project = {
	id: 'prj_0123456789ab',
	name: 'Apollo launch',
	description: null,
	status: 'Active',
	priority: 'High',
	ownerId: 'usr_1002',
	teamIds: ['team_design'],
	budget: { currency: 'EUR', amount: 25000 },
	customFields: { riskScore: 3 },
	createdAt: '2027-01-31T09:00:00.000Z',
	updatedAt: '2027-01-31T09:05:00.000Z',
};

/** A trigger whose workflow was activated: static data holds its subscription and secret. */
function activeTrigger(parameters: INodeParameters = { events: ALL_EVENTS }): TriggerWorkflow {
	const trigger = harness.trigger({ baseUrl: 'http://127.0.0.1:5678', parameters });
	trigger.setStaticData({
		subscriptionId: 'whk_0123456789ab',
		secret: SECRET,
		url: trigger.webhookUrl(),
		events: ALL_EVENTS,
	});
	return trigger;
}

describe('a delivery to the trigger', () => {
	it('starts one execution with the event as one item a person can map, and answers 200', async () => {
		const trigger = activeTrigger();
		const event = projectEvent('project.status_changed', project, {
			status: { from: 'Planned', to: 'Active' },
		});
		const answer = await deliver(trigger, signedDelivery(SECRET, event));
		expect(answer.statusCode).toBe(200);
		expect(answer.started).toHaveLength(1);
		expect(answer.started![0].json).toEqual({
			event: 'project.status_changed',
			eventId: event.id,
			occurredAt: event.occurredAt,
			projectId: 'prj_0123456789ab',
			projectName: 'Apollo launch',
			status: 'Active',
			previousStatus: 'Planned',
			changedFields: ['status'],
			changes: { status: { from: 'Planned', to: 'Active' } },
			project,
		});
	});

	it('sent again (a redelivery: same event id, new timestamp and signature) is acknowledged and starts nothing', async () => {
		const trigger = activeTrigger();
		const event = projectEvent('project.created', project);
		const first = await deliver(trigger, signedDelivery(SECRET, event));
		const again = await deliver(
			trigger,
			signedDelivery(SECRET, event, { timestamp: Math.floor(Date.now() / 1000) + 1 }),
		);
		const third = await deliver(trigger, signedDelivery(SECRET, event));
		expect(first.started).toHaveLength(1);
		expect(again).toEqual({ statusCode: 200, body: { received: true, duplicate: true } });
		expect(third.started).toBeUndefined();

		// Another event still starts its own execution.
		const other = await deliver(trigger, signedDelivery(SECRET, projectEvent('project.created', project)));
		expect(other.started).toHaveLength(1);
		expect((trigger.staticData().seenEvents as unknown[]).length).toBe(2);
	});

	it('sent again after n8n restarted is recognised from static data, where n8n saved it (n8n 1.x)', async () => {
		const trigger = activeTrigger();
		const event = projectEvent('project.created', project);
		expect((await deliver(trigger, signedDelivery(SECRET, event))).started).toHaveLength(1);
		restartForgets();
		expect(await deliver(trigger, signedDelivery(SECRET, event))).toEqual({
			statusCode: 200,
			body: { received: true, duplicate: true },
		});
	});

	it('sent again where n8n does not save the static data of a delivery that started an execution (n8n 2.x) is recognised by the process, until it restarts', async () => {
		const trigger = activeTrigger();
		const event = projectEvent('project.created', project);
		const like2x = { staticDataOfStarts: 'lost' as const };
		expect((await deliver(trigger, signedDelivery(SECRET, event), like2x)).started).toHaveLength(1);
		expect(trigger.staticData().seenEvents).toBeUndefined();
		expect((await deliver(trigger, signedDelivery(SECRET, event), like2x)).body).toEqual({
			received: true,
			duplicate: true,
		});
		// The limit of what a node can do there: after a restart, nothing is left that saw the event.
		restartForgets();
		expect((await deliver(trigger, signedDelivery(SECRET, event), like2x)).started).toHaveLength(1);
	});

	it('is taken again once its id is older than the 24-hour window', async () => {
		const trigger = activeTrigger();
		const event = projectEvent('project.created', project);
		trigger.setStaticData({
			...trigger.staticData(),
			seenEvents: [[event.id, Date.now() - 25 * 60 * 60 * 1000]],
		});
		expect((await deliver(trigger, signedDelivery(SECRET, event))).started).toHaveLength(1);
	});

	it('signed with another secret (forged) gets 401 and starts nothing; the genuine one after it still starts', async () => {
		const trigger = activeTrigger();
		const event = projectEvent('project.created', project);
		const forged = await deliver(trigger, signedDelivery(newSecret(), event));
		expect(forged.statusCode).toBe(401);
		expect(forged.body).toEqual({ message: 'Delivery refused: the signature does not match' });
		expect(forged.started).toBeUndefined();
		expect(trigger.staticData().seenEvents).toBeUndefined();

		const genuine = await deliver(trigger, signedDelivery(SECRET, event));
		expect(genuine.started).toHaveLength(1);
		expect(harness.logs.join('\n')).toMatch(/refused a delivery: the signature does not match/);
	});

	it('changed after signing (body, event id) gets 401', async () => {
		const trigger = activeTrigger();
		const delivery = signedDelivery(SECRET, projectEvent('project.created', project));
		const tampered = {
			...delivery,
			rawBody: Buffer.from(delivery.rawBody.toString().replace('Apollo launch', 'Apollo lunch')),
		};
		expect((await deliver(trigger, tampered)).statusCode).toBe(401);
		const renamed = { ...delivery, headers: { ...delivery.headers, 'webhook-id': 'evt_someotherid' } };
		expect((await deliver(trigger, renamed)).statusCode).toBe(401);
	});

	it('without its signature, id or timestamp gets 401', async () => {
		const trigger = activeTrigger();
		const delivery = signedDelivery(SECRET, projectEvent('project.created', project));
		for (const header of ['webhook-signature', 'webhook-id', 'webhook-timestamp']) {
			const headers = { ...delivery.headers };
			delete headers[header];
			const answer = await deliver(trigger, { ...delivery, headers });
			expect(answer.statusCode).toBe(401);
			expect(answer.started).toBeUndefined();
		}
	});

	it('with a timestamp more than 5 minutes old or ahead (a replay) gets 401, within 5 minutes it starts', async () => {
		const trigger = activeTrigger();
		const now = Math.floor(Date.now() / 1000);
		for (const timestamp of [now - 3600, now - 330, now + 330]) {
			const answer = await deliver(
				trigger,
				signedDelivery(SECRET, projectEvent('project.created', project), { timestamp }),
			);
			expect(answer.statusCode).toBe(401);
			expect(answer.body).toEqual({
				message: 'Delivery refused: the Webhook-Timestamp is more than 5 minutes from now',
			});
		}
		const recent = await deliver(
			trigger,
			signedDelivery(SECRET, projectEvent('project.created', project), { timestamp: now - 240 }),
		);
		expect(recent.started).toHaveLength(1);
	});

	it('to a trigger that holds no secret (never activated, or its static data lost) gets 401', async () => {
		const trigger = harness.trigger({ baseUrl: 'http://127.0.0.1:5678', parameters: { events: ALL_EVENTS } });
		const answer = await deliver(trigger, signedDelivery(SECRET, projectEvent('project.created', project)));
		expect(answer.statusCode).toBe(401);
		expect(answer.started).toBeUndefined();
	});

	it('signed but not a project event gets 400 and starts nothing', async () => {
		const trigger = activeTrigger();
		const answer = await deliver(
			trigger,
			signedDelivery(SECRET, { id: 'evt_x', type: 'user.created', data: {} }),
		);
		expect(answer.statusCode).toBe(400);
		expect(answer.started).toBeUndefined();
	});

	it('of an event that is not chosen under Events is acknowledged and starts nothing', async () => {
		const trigger = activeTrigger({ events: ['project.created'] });
		const updated = await deliver(
			trigger,
			signedDelivery(SECRET, projectEvent('project.updated', project, { name: { from: 'A', to: 'B' } })),
		);
		expect(updated).toEqual({ statusCode: 200, body: { received: true, started: false } });
		const created = await deliver(trigger, signedDelivery(SECRET, projectEvent('project.created', project)));
		expect(created.started).toHaveLength(1);
	});

	it('starts only for the statuses chosen, whatever their case, when some are', async () => {
		const trigger = activeTrigger({ events: ALL_EVENTS, statuses: ['Completed', 'cancelled'] });
		const started = [];
		for (const status of ['Active', 'Completed', 'Cancelled', 'Draft']) {
			const event = projectEvent(
				'project.status_changed',
				{ ...project, status },
				{
					status: { from: 'Active', to: status },
				},
			);
			const answer = await deliver(trigger, signedDelivery(SECRET, event));
			if (answer.started) started.push(answer.started[0].json.status);
		}
		expect(started).toEqual(['Completed', 'Cancelled']);
	});

	it('never puts the signing secret into an item, an answer or the log', async () => {
		const trigger = activeTrigger();
		const answers = [
			await deliver(trigger, signedDelivery(SECRET, projectEvent('project.created', project))),
			await deliver(trigger, signedDelivery(newSecret(), projectEvent('project.created', project))),
		];
		const key = SECRET.slice('whsec_'.length);
		for (const text of [JSON.stringify(answers), harness.logs.join('\n')]) {
			expect(text).not.toContain(key);
		}
	});
});
