import type { RequestLogEntry } from '../../reference-api/src';
import type { ReferenceApi } from '../referenceApi/client';
import { succeeded, type BurstResult } from './burstSender';
import {
	FAILED,
	countByStatus,
	executionText,
	executionsWith,
	waitUntilSettled,
	type ExecutionStatus,
} from './executions';
import type { N8nServer } from './server';
import type { DealEvent } from './webhookWorkflow';

/**
 * What one burst did, counted at the API and from the webhook answers and n8n's recorded executions: failed
 * executions, deals not created, duplicates, the 429 share of create requests, the time from the first delivery
 * sent to the last answer; and, for deals that were not created, whether anything said so.
 */

export interface BurstFigures {
	deliveries: number;
	distinctDeals: number;
	/** Deliveries answered with something other than a 2xx, or not answered at all. */
	failedAnswers: number;
	/** What those answers were: status and the start of the body (or the error), counted. */
	failedAnswerKinds: Record<string, number>;
	/** Executions of the workflow that n8n recorded as failed (error, crashed, canceled, unknown). */
	failedExecutions: number;
	/** Executions n8n still showed as new, running or waiting when counting stopped. */
	unfinishedExecutions: number;
	/** n8n's executions of the workflow by status. */
	executions: Partial<Record<ExecutionStatus, number>>;
	/** Deals for which the API holds no project. */
	dealsNotCreated: number;
	/** Deals not created with no failure said anywhere: no failed answer for it, no failed execution. */
	silentlyLost: string[];
	/** Projects beyond the first for the same deal. */
	duplicates: number;
	/** POST /projects requests the API received, and how many it refused with 429. */
	creates: number;
	creates429: number;
	share429: number;
	/** Every API request (creates, the existence checks of replayed creates, and any other). */
	apiRequests: number;
	/** When the first delivery was sent (epoch ms). */
	startedAt: number;
	/** First delivery sent to last answer, in ms. */
	elapsedMs: number;
	/** From the first delivery sent to the first request at the API, and from the last request there to the last answer (n8n's part), in ms. */
	beforeApiMs: number;
	afterApiMs: number;
	/** The API's request log (for the diagnostics). */
	log: RequestLogEntry[];
}

function kindsOf(answers: BurstResult['answers']): Record<string, number> {
	const kinds: Record<string, number> = {};
	for (const answer of answers) {
		const kind = `${answer.status} ${answer.text.slice(0, 160)}`;
		kinds[kind] = (kinds[kind] ?? 0) + 1;
	}
	return kinds;
}

/** Waits for n8n's executions of the burst to end (bounded), then counts everything. */
export async function burstFigures(options: {
	api: ReferenceApi;
	n8n: N8nServer;
	workflowId: string;
	deals: DealEvent[];
	burst: BurstResult;
	/** How long n8n's executions may take to show as ended after the last answer. */
	settleMs: number;
}): Promise<BurstFigures> {
	const { api, n8n, workflowId, deals, burst } = options;
	let executions: Partial<Record<ExecutionStatus, number>>;
	try {
		executions = await waitUntilSettled(n8n, workflowId, deals.length, options.settleMs);
	} catch {
		// Still unfinished after the bound: counted below as such, not waited for any longer.
		executions = await countByStatus(n8n, workflowId);
	}
	const distinct = new Map(deals.map((deal) => [deal.dealId, deal]));
	// The deals whose failure n8n recorded: a failed execution's data holds the delivery it ran for.
	const failedDeals = new Set<string>();
	for (const execution of await executionsWith(n8n, workflowId, FAILED)) {
		const text = await executionText(n8n, execution.id);
		for (const dealId of distinct.keys()) if (text.includes(dealId)) failedDeals.add(dealId);
	}
	for (const answer of burst.answers) {
		if (!succeeded(answer)) failedDeals.add((answer.body as DealEvent).dealId);
	}

	const projects = await api.projects();
	const log = await api.requests();
	const byName = new Map<string, number>();
	for (const project of projects)
		byName.set(String(project.name), (byName.get(String(project.name)) ?? 0) + 1);
	let dealsNotCreated = 0;
	let duplicates = 0;
	const silentlyLost: string[] = [];
	for (const deal of distinct.values()) {
		const count = byName.get(deal.dealName) ?? 0;
		if (count === 0) {
			dealsNotCreated++;
			if (!failedDeals.has(deal.dealId)) silentlyLost.push(deal.dealId);
		}
		duplicates += Math.max(0, count - 1);
	}
	const creates = log.filter((entry) => entry.method === 'POST' && entry.route === '/api/v1/projects');
	const creates429 = creates.filter((entry) => entry.status === 429).length;
	const unfinished = (executions.new ?? 0) + (executions.running ?? 0) + (executions.waiting ?? 0);
	return {
		deliveries: deals.length,
		distinctDeals: distinct.size,
		failedAnswers: burst.answers.filter((answer) => !succeeded(answer)).length,
		failedAnswerKinds: kindsOf(burst.answers.filter((answer) => !succeeded(answer))),
		failedExecutions: FAILED.reduce((sum, status) => sum + (executions[status] ?? 0), 0),
		unfinishedExecutions: unfinished,
		executions,
		dealsNotCreated,
		silentlyLost,
		duplicates,
		creates: creates.length,
		creates429,
		share429: creates.length ? creates429 / creates.length : 0,
		apiRequests: log.length,
		startedAt: burst.startedAt,
		elapsedMs: burst.endedAt - burst.startedAt,
		beforeApiMs: log.length ? Math.min(...log.map((entry) => entry.receivedAt)) - burst.startedAt : 0,
		afterApiMs: log.length ? burst.endedAt - Math.max(...log.map((entry) => entry.receivedAt)) : 0,
		log,
	};
}
