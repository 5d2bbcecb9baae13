import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialsHelper,
	INode,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow, createRunExecutionData } from 'n8n-workflow';

import { withExpressionEngine, type ExpressionEngine } from './expressionEngine';

export interface WorkflowSpec {
	id: string;
	name: string;
	/** The first node is where the run starts (the item source). */
	nodes: INode[];
	connections: IWorkflowBase['connections'];
	timezone?: string;
	executionId: string;
}

/**
 * Runs workflows the way n8n runs a manual execution: WorkflowExecute from the first node, with the given
 * credentials and expression engine, and everything else n8n's server would provide reduced to loopback stubs.
 * WorkflowExecute takes an isolate of the vm engine for the execution and gives it back at its end, as in n8n.
 */
export class WorkflowRunner {
	constructor(
		private readonly nodeTypes: INodeTypes,
		private readonly credentialsHelper: ICredentialsHelper,
		readonly expressionEngine: ExpressionEngine,
	) {}

	async execute(spec: WorkflowSpec): Promise<IRun> {
		return await withExpressionEngine(this.expressionEngine, async () => await this.executeNow(spec));
	}

	private async executeNow(spec: WorkflowSpec): Promise<IRun> {
		const workflowData: IWorkflowBase = {
			activeVersionId: null,
			id: spec.id,
			name: spec.name,
			active: false,
			isArchived: false,
			nodes: spec.nodes,
			connections: spec.connections,
			settings: { timezone: spec.timezone ?? 'UTC', executionOrder: 'v1' },
			createdAt: new Date(),
			updatedAt: new Date(),
		};
		const workflow = new Workflow({
			id: workflowData.id,
			name: workflowData.name,
			nodes: workflowData.nodes,
			connections: workflowData.connections,
			active: false,
			nodeTypes: this.nodeTypes,
			settings: workflowData.settings,
		});
		const additionalData = {
			hooks: new ExecutionLifecycleHooks('manual', spec.executionId, workflowData),
			credentialsHelper: this.credentialsHelper,
			executionId: spec.executionId,
			workflowId: workflowData.id,
			currentNodeExecutionIndex: 0,
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			formBaseUrl: 'http://127.0.0.1/form',
			formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
			formTestBaseUrl: 'http://127.0.0.1/form-test',
			webhookBaseUrl: 'http://127.0.0.1/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
			mcpBaseUrl: 'http://127.0.0.1/mcp',
			mcpTestBaseUrl: 'http://127.0.0.1/mcp-test',
			variables: {},
			logAiEvent: () => undefined,
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			executeWorkflow: async () => {
				throw new Error('Sub-workflows are not part of these tests');
			},
			startRunnerTask: async () => {
				throw new Error('Code runners are not part of these tests');
			},
		} as unknown as IWorkflowExecuteAdditionalData;
		const runExecutionData: IRunExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node: spec.nodes[0], data: { main: [[{ json: {} }]] }, source: null }],
			},
		});
		return await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(
			workflow,
		);
	}
}
