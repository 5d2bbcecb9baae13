import { pollUntil } from '../waitFor';
import type { CredentialImport, N8nHome, WorkflowImport } from './home';
import { N8nServer } from './server';
import { webhookPath } from './webhookWorkflow';

/**
 * Production webhooks, headless, as users run them: credentials and workflows imported with n8n's CLI, each
 * workflow published (activated) with the CLI, then `n8n start`, which registers the published workflows'
 * webhooks; ready when `/healthz/readiness` says so and every webhook answers as registered.
 */

/** Imports the credentials and workflows into a home and publishes every workflow, before n8n starts. */
export async function importAndPublish(
	home: N8nHome,
	credentials: CredentialImport[],
	workflows: WorkflowImport[],
): Promise<void> {
	if (credentials.length) await home.importCredentials(credentials);
	await home.importWorkflows(workflows);
	for (const workflow of workflows) await home.publishWorkflow(workflow.id);
}

/** Where a workflow's production webhook takes deliveries. */
export function productionWebhookUrl(n8nUrl: string, workflowId: string): string {
	return `${n8nUrl}/webhook/${webhookPath(workflowId)}`;
}

/** n8n's readiness route: 200 once the database is connected and migrated. */
export async function waitForReadiness(n8nUrl: string, timeoutMs = 120_000): Promise<void> {
	await pollUntil(
		async () =>
			(await fetch(`${n8nUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2_000) })).status === 200,
		{ timeoutMs, describe: () => `${n8nUrl}/healthz/readiness did not answer 200 within ${timeoutMs} ms` },
	);
}

/**
 * Waits until n8n has registered the workflow's production webhook. A GET to a webhook registered only for POST
 * is answered 404 "not registered for GET requests. Did you mean to make a POST request?", without running
 * anything; one that is not registered at all is "not registered".
 */
export async function waitForProductionWebhook(
	n8nUrl: string,
	workflowId: string,
	timeoutMs = 60_000,
): Promise<void> {
	let last = '';
	await pollUntil(
		async () => {
			const response = await fetch(productionWebhookUrl(n8nUrl, workflowId), {
				signal: AbortSignal.timeout(5_000),
			});
			last = `${response.status} ${await response.text()}`;
			return /make a POST request/.test(last);
		},
		{
			timeoutMs,
			describe: () => `The production webhook of workflow ${workflowId} was not registered: ${last}`,
		},
	);
}

/**
 * One n8n (`n8n start`) with the given credentials and published webhook workflows, ready to take deliveries.
 * `lifetimeSeconds` bounds the process's life.
 */
export async function startWithWebhooks(
	home: N8nHome,
	setup: { credentials: CredentialImport[]; workflows: WorkflowImport[]; lifetimeSeconds: number },
): Promise<N8nServer> {
	await importAndPublish(home, setup.credentials, setup.workflows);
	return await startServerWithWebhooks(home, setup.workflows, setup.lifetimeSeconds);
}

/** `n8n start` for a home whose workflows are already published; resolves once every webhook is registered. */
export async function startServerWithWebhooks(
	home: N8nHome,
	workflows: WorkflowImport[],
	lifetimeSeconds: number,
	ports?: { port: number; brokerPort: number },
): Promise<N8nServer> {
	// Several n8n processes starting side by side on a busy machine take minutes; this only bounds a hang.
	const server = await N8nServer.start(home, { lifetimeSeconds, readyTimeoutMs: 600_000, ...ports });
	try {
		await waitForReadiness(server.url, 600_000);
		for (const workflow of workflows) await waitForProductionWebhook(server.url, workflow.id);
	} catch (error) {
		const log = server.log.slice(-4000);
		await server.stop();
		throw new Error(`${(error as Error).message}\n${log}`);
	}
	return server;
}
