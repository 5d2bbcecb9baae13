import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	AGENT_NODE_TYPE,
	TOOL_NODE_TYPE,
	ToolCallingAgent,
	runAsTool,
	toolVariant,
	type ToolRunOptions,
	type ToolRunResult,
} from './aiAgent';
import { CapturingLogger } from './capturingLogger';
import { InMemoryCredentialsHelper, credentialExpressionResolver } from './credentialsHelper';
import { editorMethodCaller, type CallEditorMethod } from './editorMethods';
import { ItemsSource, SOURCE_NAME, SOURCE_NODE_TYPE, sourceNode } from './itemsSource';
import { loadPackageFromDist, nodeTypeRegistry } from './packageLoader';
import { NODE_NAME, NODE_TYPE, packageNode, type NodeSetup } from './packageNode';
import { TriggerWorkflow, type TriggerSetup } from './triggerWorkflow';
import { WorkflowRunner } from './workflowRunner';

/**
 * The package inside n8n's execution engine (n8n-core), as tests, the demo and the benchmarks use it: the
 * package loaded from dist/ the way n8n loads an installed community package (build first: `npm run build`),
 * credentials kept in memory, n8n's log captured. Runs the node in a workflow behind an item source, as an AI
 * agent's tool, or through its editor methods; and the trigger in a workflow of its own (triggerWorkflow.ts).
 */

export interface RunOptions extends NodeSetup {
	/** What the item source hands the node. */
	items: IDataObject[];
	parameters: INodeParameters;
	executionId?: string;
}

export interface RunResult {
	run: IRun;
	/** What the Project Management node put out on its (first) output, from its last run. */
	output: INodeExecutionData[];
	/** Error output, when On Error is "continueErrorOutput". */
	errorOutput: INodeExecutionData[];
	/** The node's error when it failed. */
	error?: Error & { description?: string | null; context?: IDataObject };
}

export class EngineHarness {
	private executionCounter = 0;
	private readonly workflows: WorkflowRunner;
	/** Calls one of the node's editor methods, as the editor does while the user fills in the node. */
	readonly callMethod: CallEditorMethod;

	private constructor(
		private readonly nodeTypes: INodeTypes,
		readonly credentials: InMemoryCredentialsHelper,
		private readonly logger: CapturingLogger,
	) {
		this.workflows = new WorkflowRunner(nodeTypes, credentials);
		this.callMethod = editorMethodCaller(nodeTypes, credentials);
	}

	/** What n8n logged so far, one line per entry with its metadata. */
	get logs(): readonly string[] {
		return this.logger.lines;
	}

	static async load(): Promise<EngineHarness> {
		const logger = CapturingLogger.install();
		const { nodes, credentialTypes } = await loadPackageFromDist();
		nodes[SOURCE_NODE_TYPE] = new ItemsSource();
		nodes[AGENT_NODE_TYPE] = new ToolCallingAgent();
		nodes[TOOL_NODE_TYPE] = toolVariant(nodes[NODE_TYPE] as INodeType);
		const nodeTypes = nodeTypeRegistry(nodes);
		const credentials = new InMemoryCredentialsHelper(
			credentialTypes,
			credentialExpressionResolver(nodeTypes),
		);
		return new EngineHarness(nodeTypes, credentials, logger);
	}

	/** Store credential data under an id, as saving a credential in n8n would. */
	setCredential(id: string, data: ICredentialDataDecryptedObject) {
		this.credentials.set(id, data);
	}

	/** Runs a workflow in which an item source hands `items` to the node. */
	async run(options: RunOptions): Promise<RunResult> {
		const executionId = options.executionId ?? String(++this.executionCounter);
		const node = packageNode({
			id: options.nodeId ?? 'pm-node-1',
			name: NODE_NAME,
			position: [200, 0],
			parameters: options.parameters,
			credentialType: options.credentialType,
			credentialId: options.credentialId,
			settings: options.settings,
		});
		const run = await this.workflows.execute({
			id: options.workflowId ?? 'wf-crm-projects',
			name: 'CRM deals to projects',
			nodes: [sourceNode(options.items), node],
			connections: {
				[SOURCE_NAME]: { main: [[{ node: NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]] },
			},
			timezone: options.timezone,
			executionId,
		});

		const tasks = run.data.resultData.runData[NODE_NAME] ?? [];
		const last = tasks[tasks.length - 1];
		return {
			run,
			output: last?.data?.main?.[0] ?? [],
			errorOutput: last?.data?.main?.[1] ?? [],
			error: (last?.error ?? undefined) as RunResult['error'],
		};
	}

	/** A workflow that starts with the Project Management Trigger, its static data kept as n8n keeps it. */
	trigger(setup: TriggerSetup): TriggerWorkflow {
		return new TriggerWorkflow(this.nodeTypes, this.credentials, setup);
	}

	/** Runs the node as an AI agent's tool (see aiAgent.ts). */
	async runAsTool(options: ToolRunOptions): Promise<ToolRunResult> {
		return await runAsTool(this.workflows, String(++this.executionCounter), options);
	}
}
