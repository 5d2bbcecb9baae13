import { HookContext } from 'n8n-core';
import type {
	ICredentialsHelper,
	IDataObject,
	INode,
	INodeParameters,
	INodeTypes,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
	WebhookSetupMethodNames,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import type { CredentialTypeName } from './packageNode';

/**
 * A workflow that starts with the Project Management Trigger, kept the way n8n keeps it: the node with its
 * webhook id, and the workflow's static data saved between calls as JSON (n8n's database), production and test
 * runs each with their own. Activation and deactivation call the node's webhook methods through n8n-core's
 * HookContext in the order n8n's WebhookService does (checkExists, then create if it answered false; delete).
 * Deliveries are run by webhookDelivery.ts.
 */

export const TRIGGER_NODE_TYPE = 'n8n-nodes-project-management.projectManagementTrigger';
export const TRIGGER_NAME = 'Project Management Trigger';

/** A production run, or a test run ("Listen for test event"), which n8n serves under another address. */
export type WebhookRun = 'production' | 'test';

export interface TriggerSetup {
	/** The trigger's own parameters (events, statuses); Authentication comes from credentialType. */
	parameters?: INodeParameters;
	credentialType?: CredentialTypeName;
	credentialId?: string;
	workflowId?: string;
	/** The part of the address n8n gives each webhook node. */
	webhookId?: string;
	/** Where n8n would take deliveries: `<base>/webhook` and `<base>/webhook-test` (no trailing slash). */
	baseUrl: string;
}

export class TriggerWorkflow {
	readonly node: INode;
	readonly workflowId: string;
	/** The static data n8n saved, per run, as JSON text. */
	private readonly saved: Record<WebhookRun, string> = { production: '{}', test: '{}' };

	constructor(
		readonly nodeTypes: INodeTypes,
		readonly credentialsHelper: ICredentialsHelper,
		readonly setup: TriggerSetup,
	) {
		const credentialType = setup.credentialType ?? 'projectManagementApi';
		this.workflowId = setup.workflowId ?? 'wf-project-events';
		this.node = {
			id: 'trigger-node-1',
			name: TRIGGER_NAME,
			type: TRIGGER_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: setup.webhookId ?? '5d0c6a5e-2f6e-4f5e-9a8e-0b1c2d3e4f50',
			parameters: { authentication: credentialType, ...setup.parameters },
			credentials: {
				[credentialType]: { id: setup.credentialId ?? 'cred-1', name: 'Project Management account' },
			},
		};
	}

	/** The address n8n gives the trigger: what the subscription at the API must point to. */
	webhookUrl(run: WebhookRun = 'production'): string {
		const base = run === 'test' ? `${this.setup.baseUrl}/webhook-test` : `${this.setup.baseUrl}/webhook`;
		return `${base}/${this.node.webhookId}/webhook`;
	}

	/** n8n's workflow object for one call, its static data read from what was saved. */
	workflow(run: WebhookRun): Workflow {
		return new Workflow({
			id: this.workflowId,
			name: 'Project events',
			nodes: [this.node],
			connections: {},
			active: run === 'production',
			nodeTypes: this.nodeTypes,
			staticData: JSON.parse(this.saved[run]) as IDataObject,
			settings: { timezone: 'UTC', executionOrder: 'v1' },
		});
	}

	/** Saves the workflow's static data, as n8n does after a webhook method or a delivery. */
	save(run: WebhookRun, workflow: Workflow): void {
		this.saved[run] = JSON.stringify(workflow.staticData);
	}

	/** What the trigger keeps in static data (a copy). */
	staticData(run: WebhookRun = 'production'): IDataObject {
		const all = JSON.parse(this.saved[run]) as Record<string, IDataObject>;
		return all[`node:${TRIGGER_NAME}`] ?? {};
	}

	/** Replaces what the trigger keeps, as if static data had been edited or lost. */
	setStaticData(data: IDataObject, run: WebhookRun = 'production'): void {
		this.saved[run] = JSON.stringify({ [`node:${TRIGGER_NAME}`]: data });
	}

	/** What n8n's server hands a node's context: the credentials and the addresses it serves. */
	additionalData(extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData {
		return {
			credentialsHelper: this.credentialsHelper,
			restApiUrl: `${this.setup.baseUrl}/rest`,
			instanceBaseUrl: `${this.setup.baseUrl}/`,
			webhookBaseUrl: `${this.setup.baseUrl}/webhook`,
			webhookTestBaseUrl: `${this.setup.baseUrl}/webhook-test`,
			webhookWaitingBaseUrl: `${this.setup.baseUrl}/webhook-waiting`,
			formWaitingBaseUrl: `${this.setup.baseUrl}/form-waiting`,
			variables: {},
			workflowId: this.workflowId,
			...extra,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	webhookData(run: WebhookRun, additionalData: IWorkflowExecuteAdditionalData): IWebhookData {
		const description = this.nodeTypes.getByNameAndVersion(TRIGGER_NODE_TYPE, 1).description.webhooks![0];
		return {
			httpMethod: 'POST',
			node: TRIGGER_NAME,
			path: `${this.node.webhookId}/webhook`,
			webhookDescription: description,
			workflowId: this.workflowId,
			workflowExecuteAdditionalData: additionalData,
			isTest: run === 'test',
			webhookId: this.node.webhookId,
		};
	}

	private async runMethod(
		method: WebhookSetupMethodNames,
		run: WebhookRun,
		mode: WorkflowExecuteMode,
		activation: WorkflowActivateMode,
	): Promise<boolean> {
		const workflow = this.workflow(run);
		const additionalData = this.additionalData();
		const context = new HookContext(
			workflow,
			workflow.getNode(TRIGGER_NAME)!,
			additionalData,
			mode,
			activation,
			this.webhookData(run, additionalData),
		);
		const nodeType = this.nodeTypes.getByNameAndVersion(TRIGGER_NODE_TYPE, 1);
		const fn = nodeType.webhookMethods?.default?.[method];
		if (!fn) throw new Error(`The trigger has no webhook method ${method}`);
		try {
			return await fn.call(context);
		} finally {
			this.save(run, workflow);
		}
	}

	/**
	 * What n8n does when the workflow is activated (or "Listen for test event" starts): checkExists, then create
	 * when the subscription does not exist. Answers whether it existed.
	 */
	async activate(run: WebhookRun = 'production'): Promise<{ existed: boolean }> {
		const mode = run === 'test' ? 'manual' : 'trigger';
		const activation = run === 'test' ? 'manual' : 'activate';
		const existed = await this.runMethod('checkExists', run, mode, activation);
		if (!existed) await this.runMethod('create', run, mode, activation);
		return { existed };
	}

	/** What n8n does when the workflow is deactivated (or the test listening ends): delete. */
	async deactivate(run: WebhookRun = 'production'): Promise<boolean> {
		return await this.runMethod('delete', run, 'internal', 'update');
	}

	/** One of the webhook methods on its own. */
	async call(method: WebhookSetupMethodNames, run: WebhookRun = 'production'): Promise<boolean> {
		return await this.runMethod(method, run, run === 'test' ? 'manual' : 'trigger', 'activate');
	}
}
