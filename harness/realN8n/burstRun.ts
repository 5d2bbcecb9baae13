import type { ApiKeyCredential } from '../../reference-api/src';
import type { ReferenceApi } from '../referenceApi/client';
import { apiKeyWithAllScopes } from '../referenceApi/grants';
import { burstFigures, type BurstFigures } from './burstFigures';
import { sendBurst } from './burstSender';
import type { CredentialImport, WorkflowImport } from './home';
import { productionWebhookUrl } from './productionWebhook';
import type { N8nServer } from './server';
import { dealDeliveries, dealWebhookWorkflow } from './webhookWorkflow';

/**
 * One burst of deliveries against one n8n setup (one n8n, or a queue-mode main with its workers), the API set
 * up for it, optionally a worker killed mid-burst, and the figures.
 *
 * Every burst has a workflow and a credential of its own (with an API key of its own): the node keeps one pace per
 * credential, Base URL and key in each n8n process, so every burst starts from processes that have not met the
 * API yet, whatever ran before; and n8n's executions of one burst are those of its workflow.
 */

export interface BurstSlot {
	/** Names the burst's deals and key. */
	tag: string;
	workflowId: string;
	credential: { id: string; name: string };
	/** The key the API is to accept (give it to the API when starting it). */
	apiKey: ApiKeyCredential;
}

/** `count` bursts' workflows, credentials and API keys, named after `prefix` (letters only). */
export function burstSlots(prefix: string, count: number): BurstSlot[] {
	return Array.from({ length: count }, (_, offset) => {
		const tag = `${prefix}${offset + 1}`;
		const id = `${prefix}${String(offset + 1).padStart(3, '0')}`.padEnd(13, 'x').slice(0, 13);
		return {
			tag,
			workflowId: `${id}Flw`,
			credential: { id: `${id}Crd`, name: `Project Management burst ${tag}` },
			apiKey: apiKeyWithAllScopes(`pm_burst_${tag.toLowerCase()}_key`, `burst-${tag}`, `burst ${tag}`),
		};
	});
}

/** What n8n imports for the slots: each credential pointing at the API with its key, each webhook workflow. */
export function burstImports(
	slots: BurstSlot[],
	apiUrl: string,
): { credentials: CredentialImport[]; workflows: WorkflowImport[] } {
	return {
		credentials: slots.map((slot) => ({
			...slot.credential,
			type: 'projectManagementApi',
			data: { baseUrl: apiUrl, apiKey: slot.apiKey.key, keyLocation: 'header' },
		})),
		workflows: slots.map((slot) => dealWebhookWorkflow({ id: slot.workflowId, credential: slot.credential })),
	};
}

export interface BurstSpec {
	distinct: number;
	repeated: number;
	/** The API's token bucket per credential; undefined: no limit. */
	limit?: { perSecond: number; headers: boolean };
	/** Bounds each delivery, from sending to the end of its answer. */
	deliveryTimeoutMs: number;
	/** How long n8n's executions may take to show as ended after the last answer. */
	settleMs: number;
	/** Called once the API holds this many of the burst's projects (a worker killed mid-burst, say). */
	midBurst?: { whenCreated: number; action: () => void };
}

export interface BurstOutcome extends BurstFigures {
	/** Whether midBurst's action ran, and when (ms after the first delivery). */
	midBurstAtMs?: number;
}

export async function runBurst(
	api: ReferenceApi,
	n8n: N8nServer,
	slot: BurstSlot,
	spec: BurstSpec,
): Promise<BurstOutcome> {
	await api.reset();
	await api.configure({
		uniqueNames: false,
		latencyMs: 0,
		rateLimit: spec.limit
			? {
					enabled: true,
					capacity: spec.limit.perSecond,
					refillPerSecond: spec.limit.perSecond,
					headers: spec.limit.headers,
				}
			: { enabled: false },
	});
	const deals = dealDeliveries({ distinct: spec.distinct, repeated: spec.repeated, tag: slot.tag });
	const sending = sendBurst(
		productionWebhookUrl(n8n.url, slot.workflowId),
		deals.map((body, index) => ({ index, body })),
		spec.deliveryTimeoutMs,
	);
	let midBurstAtMs: number | undefined;
	if (spec.midBurst) {
		const started = Date.now();
		let over = false;
		void sending.finally(() => (over = true));
		while (!over) {
			if ((await api.stats()).projectsCreated >= spec.midBurst.whenCreated) {
				spec.midBurst.action();
				midBurstAtMs = Date.now() - started;
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
	const burst = await sending;
	const figures = await burstFigures({
		api,
		n8n,
		workflowId: slot.workflowId,
		deals,
		burst,
		settleMs: spec.settleMs,
	});
	return { ...figures, midBurstAtMs };
}
