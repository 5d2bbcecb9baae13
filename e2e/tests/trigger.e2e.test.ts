import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { projectManagementCredentials } from '../../harness/realN8n/credentials';
import { N8nHome } from '../../harness/realN8n/home';
import { N8N_LINES, installedVersion, type N8nLine } from '../../harness/realN8n/install';
import { N8nServer } from '../../harness/realN8n/server';
import { projectEventsWorkflow } from '../../harness/realN8n/workflows';
import { ReferenceApi } from '../../harness/referenceApi/client';
import { apiKeyWithAllScopes, oauthClientWithAllScopes } from '../../harness/referenceApi/grants';
import { waitFor } from '../../harness/waitFor';
import { DEMO_CREDENTIALS, noWebhookFaults } from '../../reference-api/src';
import { packedExtensions } from './globalSetup';

/**
 * The Project Management Trigger in a real n8n, activated the headless way (import, then 2.x `publish:workflow`
 * or 1.x `update:workflow --active=true`, then `n8n start`), with the reference API on loopback delivering to
 * n8n's production webhook address. The workflow creates a follow-up project with the action node for every
 * event it lets through. What n8n did is read from its REST API (its executions) and from the API (the
 * subscriptions, the deliveries and their answers, the projects the workflow created). Every wait is a bounded
 * poll for a condition; an execution n8n starts is in its list before n8n answers the delivery, so counting them
 * right after an answer is exact.
 */

const CANARY_KEY = 'pm_trigger_e2e_key_1b2c3d4e5f6a7b8c';
const CANARY_SECRET = 'trigger-e2e-client-secret-4d5e6f';
const WEBHOOK_ID = '7f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a190';

const lines = N8N_LINES.filter((line) => installedVersion(line) !== undefined);

describe.each(lines)('the trigger in n8n %s', (line: N8nLine) => {
	const workflowId = `projectEvents${line.replace('.', '')}`;
	let api: ReferenceApi;
	let home: N8nHome;
	let server: N8nServer;

	beforeAll(async () => {
		api = await ReferenceApi.start({
			apiKeys: [
				apiKeyWithAllScopes(CANARY_KEY, 'trigger-e2e-key', 'trigger e2e'),
				apiKeyWithAllScopes(DEMO_CREDENTIALS.apiKey, 'demo-api-key', 'Demo'),
			],
			oauthClients: [oauthClientWithAllScopes('trigger-e2e-client', CANARY_SECRET, 'trigger e2e')],
			webhooks: { faults: { seed: 3, rates: noWebhookFaults() } },
		});
		home = new N8nHome(line, { extensions: packedExtensions() });
		await home.importCredentials(
			projectManagementCredentials(api.url, {
				apiKey: CANARY_KEY,
				clientId: 'trigger-e2e-client',
				clientSecret: CANARY_SECRET,
			}),
		);
		await home.importWorkflow(
			projectEventsWorkflow({
				id: workflowId,
				webhookId: WEBHOOK_ID,
				credential: 'apiKey',
				// Only projects that reach Completed; the follow-ups the workflow creates are Planned, so they
				// start nothing themselves.
				trigger: { events: ['project.created', 'project.status_changed'], statuses: ['Completed'] },
				followUp: {
					name: '=Follow-up: {{ $json.projectName }} ({{ $json.event }})',
					additionalFields: {
						status: 'Planned',
						description:
							'={{ $json.previousStatus ?? "new" }} → {{ $json.status }}; changed: {{ $json.changedFields.join(", ") || "nothing" }}; source {{ $json.projectId }}',
					},
					options: {},
				},
			}),
		);
		await home.publishWorkflow(workflowId);
		server = await N8nServer.start(home, { lifetimeSeconds: 600 });
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
		await api?.close();
		if (home) rmSync(home.userFolder, { recursive: true, force: true });
	});

	const webhookUrl = () => `${server.url}/webhook/${WEBHOOK_ID}/webhook`;
	const finished = async () =>
		(await server.executions(workflowId)).filter(
			(entry) => !['new', 'running', 'waiting'].includes(entry.status),
		);

	async function call(method: string, route: string, body?: unknown) {
		const response = await fetch(`${api.url}/api/v1${route}`, {
			method,
			headers: { 'X-API-Key': DEMO_CREDENTIALS.apiKey, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status}`);
		return (await response.json()) as Record<string, unknown>;
	}

	async function followUps() {
		return (await api.projects()).filter((project) => String(project.name).startsWith('Follow-up:'));
	}

	it('on start, n8n activated the workflow: one subscription for its webhook address, with the chosen events', async () => {
		const subscriptions = await waitFor('the subscription n8n made on start', async () => {
			const found = await api.subscriptions(CANARY_KEY);
			return found.length > 0 ? found : undefined;
		});
		expect(subscriptions).toEqual([
			expect.objectContaining({ url: webhookUrl(), events: ['project.created', 'project.status_changed'] }),
		]);
	});

	it('each project change starts one execution, whose follow-up project the action node creates', async () => {
		const apollo = await call('POST', '/projects', { name: 'Apollo', status: 'Active' });
		await call('PATCH', `/projects/${String(apollo.id)}`, { status: 'Completed' });
		const gemini = await call('POST', '/projects', { name: 'Gemini', status: 'Completed' });

		const made = await waitFor('two follow-up projects', async () => {
			const found = await followUps();
			return found.length >= 2 ? found : undefined;
		});
		const executions = await waitFor('both executions finished', async () => {
			const done = await finished();
			return done.length >= 2 ? done : undefined;
		});
		expect(executions.map((entry) => entry.status)).toEqual(['success', 'success']);
		expect(executions.every((entry) => entry.mode === 'webhook')).toBe(true);
		// The two executions may run side by side: their follow-ups are compared by name, not by order.
		const byName = [...made].sort((a, b) => String(a.name).localeCompare(String(b.name)));
		expect(byName.map((project) => [project.name, project.status, project.description])).toEqual([
			[
				'Follow-up: Apollo (project.status_changed)',
				'Planned',
				`Active → Completed; changed: status; source ${String(apollo.id)}`,
			],
			[
				'Follow-up: Gemini (project.created)',
				'Planned',
				`new → Completed; changed: nothing; source ${String(gemini.id)}`,
			],
		]);

		// Apollo's creation (Active) and the follow-ups' (Planned) reached n8n too, and started nothing. Every
		// event's delivery ended in 200; an event that came while n8n was still saving the new subscription's
		// secret may have been refused once before (the API's retry then delivered it).
		await waitFor("the follow-ups' own events delivered", async () => {
			const stats = await api.webhookStats();
			return stats.eventsEmitted >= 5 && stats.pendingDeliveries === 0;
		});
		const deliveries = await api.webhookDeliveries();
		const lastAttempts = new Map(deliveries.map((entry) => [entry.eventId, entry]));
		expect([...lastAttempts.values()].map((entry) => entry.status)).toEqual([200, 200, 200, 200, 200]);
		expect([...lastAttempts.values()].map((entry) => entry.type).sort()).toEqual([
			'project.created',
			'project.created',
			'project.created',
			'project.created',
			'project.status_changed',
		]);
		expect(await server.executions(workflowId)).toHaveLength(2);
	});

	it('a delivery sent twice starts one execution; a forged or stale one gets 401 and starts none', async () => {
		const before = (await server.executions(workflowId)).length;
		await api.configure({ webhooks: { faults: { rates: { ...noWebhookFaults(), duplicate: 1 } } } });
		const mercury = await call('POST', '/projects', { name: 'Mercury', status: 'Completed' });
		const created = (await api.webhookEvents()).find(
			(entry) => entry.event.type === 'project.created' && entry.event.data.project.id === mercury.id,
		);
		const copies = await waitFor('both copies of the delivery answered', async () => {
			const found = (await api.webhookDeliveries()).filter((entry) => entry.eventId === created?.event.id);
			return found.length >= 2 && found.every((entry) => entry.status !== null) ? found : undefined;
		});
		await api.configure({ webhooks: { faults: { rates: noWebhookFaults() } } });
		expect(copies.map((entry) => [entry.fault, entry.copy, entry.status])).toEqual([
			['duplicate', 1, 200],
			['duplicate', 2, 200],
		]);
		expect(await server.executions(workflowId)).toHaveLength(before + 1);

		const [subscription] = await api.subscriptions(CANARY_KEY);
		const forged = await api.sendWebhook(subscription.id, 'forged');
		const stale = await api.sendWebhook(subscription.id, 'stale');
		const resent = await api.sendWebhook(subscription.id, 'valid', copies[0].eventId);
		expect([forged.status, stale.status, resent.status]).toEqual([401, 401, 200]);
		expect(await server.executions(workflowId)).toHaveLength(before + 1);

		await waitFor('the execution finished', async () => (await finished()).length === before + 1);
		expect((await followUps()).map((project) => project.name)).toContain(
			'Follow-up: Mercury (project.created)',
		);
	});

	it('deactivating the workflow deletes its subscription at the API', async () => {
		await server.deactivateWorkflow(workflowId);
		await waitFor('the subscription deleted', async () => (await api.webhookStats()).subscriptions === 0);
		expect(await api.subscriptions(CANARY_KEY)).toEqual([]);
	});

	it('n8n printed and logged no API key and no signing secret', () => {
		const logDir = path.join(home.userFolder, '.n8n', 'logs');
		const logs = existsSync(logDir)
			? readdirSync(logDir).map((file) => readFileSync(path.join(logDir, file), 'utf8'))
			: [];
		for (const text of [server.log, ...logs]) {
			expect(text).not.toContain(CANARY_KEY);
			expect(text).not.toMatch(/whsec_/);
		}
	});
});
