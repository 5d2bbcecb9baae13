import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IRun,
} from 'n8n-workflow';
import { NodeConnectionTypes, deepCopy } from 'n8n-workflow';

import { sourceNode, SOURCE_NAME } from './itemsSource';
import { NODE_TYPE, packageNode, type NodeSetup } from './packageNode';
import type { WorkflowRunner } from './workflowRunner';

/** The node's AI-tool variant, as n8n registers it for a node with `usableAsTool`. */
export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
export const TOOL_NODE_NAME = 'Project tool';
export const AGENT_NAME = 'Agent';
export const AGENT_NODE_TYPE = 'test.toolCallingAgent';

/** A connected tool as n8n-core hands it to an agent (a LangChain DynamicStructuredTool). */
interface ConnectedTool {
	name: string;
	description: string;
	schema: { shape?: Record<string, { description?: string; _def?: { typeName?: string } }> };
	invoke(args: IDataObject): Promise<unknown>;
}

/**
 * Stands in for n8n's AI Agent: asks n8n-core for the tools connected to its tool input, which n8n-core builds
 * with createNodeAsTool (a schema from the `$fromAI()` placeholders), and calls the first one with the arguments
 * a model would have chosen. Reports the tool as the model would see it, and what the tool answered.
 */
export class ToolCallingAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tool Calling Agent',
		name: 'toolCallingAgent',
		group: ['transform'],
		version: 1,
		description: 'Calls its connected tool once with fixed arguments',
		defaults: { name: 'Agent' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiTool, displayName: 'Tools', required: true },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Tool Arguments', name: 'toolArgs', type: 'json', default: '{}' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const connected = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as
			ConnectedTool | ConnectedTool[];
		const tool = Array.isArray(connected) ? connected[0] : connected;
		const args = JSON.parse(this.getNodeParameter('toolArgs', 0) as string) as IDataObject;
		const parameters: IDataObject = {};
		for (const [key, field] of Object.entries(tool.schema.shape ?? {})) {
			parameters[key] = { description: field.description ?? null, type: field._def?.typeName ?? null };
		}
		let answer: unknown;
		let error: string | undefined;
		try {
			answer = await tool.invoke(args);
		} catch (thrown) {
			error = thrown instanceof Error ? thrown.message : String(thrown);
		}
		return [
			[
				{
					json: {
						toolName: tool.name,
						toolDescription: tool.description,
						parameters,
						answer: typeof answer === 'string' ? answer : JSON.stringify(answer ?? null),
						...(error === undefined ? {} : { error }),
					},
				},
			],
		];
	}
}

/**
 * The tool variant of a node, made the way n8n's server makes it (`convertNodeToAiTool` in packages/cli, which
 * n8n-core does not ship): a copy whose description is renamed `<name>Tool`, has no main input, a single AI-tool
 * output, and gains the "Tool Description" parameters; execute() and the methods are the node's own.
 */
export function toolVariant(nodeType: INodeType): INodeType {
	const description = deepCopy(nodeType.description);
	description.name += 'Tool';
	description.displayName += ' Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	delete description.usableAsTool;
	const toolDescription: INodeProperties = {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: nodeType.description.description,
		required: true,
		typeOptions: { rows: 2 },
		description: 'Explain to the LLM what this tool does',
		displayOptions: { show: { descriptionType: ['manual'] } },
	};
	const descriptionType: INodeProperties = {
		displayName: 'Tool Description',
		name: 'descriptionType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Set Automatically', value: 'auto' },
			{ name: 'Set Manually', value: 'manual' },
		],
		default: 'auto',
	};
	description.properties = [descriptionType, toolDescription, ...description.properties];
	const variant = Object.create(nodeType) as INodeType;
	Object.defineProperty(variant, 'description', { value: description });
	return variant;
}

export interface ToolRunOptions extends NodeSetup {
	/** The tool node's parameters, with `$fromAI()` placeholders where the model fills in values. */
	parameters: INodeParameters;
	/** What the model chose for the placeholders. */
	toolArgs: IDataObject;
}

export interface ToolRunResult {
	run: IRun;
	/** What the agent saw: the tool's name, description and parameters, and its answer (or error). */
	agent: IDataObject;
	/** The tool node's own runs, as n8n records them (input and output on the AI-tool connection). */
	toolRuns: NonNullable<IRun['data']['resultData']['runData'][string]>;
}

/**
 * Runs the node as an AI agent's tool: a workflow in which an agent node is connected to the node's tool
 * variant, and n8n-core itself turns the tool node into a LangChain tool (createNodeAsTool) and runs it with
 * the arguments the "model" chose, as input item of the tool's own run.
 */
export async function runAsTool(
	workflows: WorkflowRunner,
	executionId: string,
	options: ToolRunOptions,
): Promise<ToolRunResult> {
	const source = sourceNode([{ chatInput: 'a request to the agent' }]);
	const agent: INode = {
		id: 'agent-node',
		name: AGENT_NAME,
		type: AGENT_NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: { toolArgs: JSON.stringify(options.toolArgs) },
	};
	const tool = packageNode({
		id: options.nodeId ?? 'pm-tool-1',
		name: TOOL_NODE_NAME,
		type: TOOL_NODE_TYPE,
		position: [200, 200],
		parameters: options.parameters,
		credentialType: options.credentialType,
		credentialId: options.credentialId,
		settings: options.settings,
	});
	const run = await workflows.execute({
		id: options.workflowId ?? 'wf-agent-projects',
		name: 'Agent with the project tool',
		nodes: [source, agent, tool],
		connections: {
			[SOURCE_NAME]: { main: [[{ node: AGENT_NAME, type: NodeConnectionTypes.Main, index: 0 }]] },
			[TOOL_NODE_NAME]: {
				[NodeConnectionTypes.AiTool]: [[{ node: AGENT_NAME, type: NodeConnectionTypes.AiTool, index: 0 }]],
			},
		},
		timezone: options.timezone,
		executionId,
	});
	const runData = run.data.resultData.runData;
	const agentTasks = runData[AGENT_NAME] ?? [];
	const agentTask = agentTasks[agentTasks.length - 1];
	if (agentTask?.error) throw agentTask.error;
	return {
		run,
		agent: agentTask?.data?.main?.[0]?.[0]?.json ?? {},
		toolRuns: runData[TOOL_NODE_NAME] ?? [],
	};
}
