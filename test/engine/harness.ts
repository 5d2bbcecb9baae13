import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PackageDirectoryLoader,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	IWorkflowBase,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	INodeListSearchResult,
	INodeProperties,
	INodePropertyOptions,
	ResourceMapperFields,
} from 'n8n-workflow';
import { LoggerProxy, NodeConnectionTypes, Workflow, createRunExecutionData, deepCopy } from 'n8n-workflow';

import { PACKAGE_ROOT } from '../../harness/package/paths';
import { InMemoryCredentialsHelper } from './credentialsHelper';

/**
 * Runs workflows through n8n's execution engine (WorkflowExecute from n8n-core), with the package loaded the
 * way n8n loads an installed community package: n8n-core's PackageDirectoryLoader reading the "n8n" block of
 * package.json and the built files in dist/. Build first (`npm run build`).
 */

export const NODE_TYPE = 'n8n-nodes-project-management.projectManagement';
export const SOURCE_NODE_TYPE = 'test.items';
export const NODE_NAME = 'Create project';
export const SOURCE_NAME = 'Deals';

export type CredentialTypeName = 'projectManagementApi' | 'projectManagementOAuth2Api';

/** The node's AI-tool variant, as n8n registers it for a node with `usableAsTool`. */
export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
export const TOOL_NODE_NAME = 'Project tool';
export const AGENT_NAME = 'Agent';
export const AGENT_NODE_TYPE = 'test.toolCallingAgent';

/** Emits the items the test gives it: the rows of a spreadsheet or the deals of a CRM, say. */
class ItemsSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

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
class ToolCallingAgent implements INodeType {
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
function toolVariant(nodeType: INodeType): INodeType {
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

/**
 * Everything n8n would write to its log during a run, kept in memory instead of printed, so that tests can
 * search it (for secrets, say) and the test output stays readable.
 */
class CapturingLogger {
	readonly lines: string[] = [];

	private write(level: string, message: string, metadata?: unknown) {
		let details = '';
		try {
			details = metadata === undefined ? '' : ` ${JSON.stringify(metadata)}`;
		} catch {
			details = ' [metadata not serialisable]';
		}
		this.lines.push(`${level}: ${message}${details}`);
	}

	error = (message: string, metadata?: unknown) => this.write('error', message, metadata);
	warn = (message: string, metadata?: unknown) => this.write('warn', message, metadata);
	info = (message: string, metadata?: unknown) => this.write('info', message, metadata);
	debug = (message: string, metadata?: unknown) => this.write('debug', message, metadata);
	scoped = () => this;
}

export interface NodeSettings {
	/** n8n's "Retry On Fail" node setting. */
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	/** n8n's "On Error" node setting. */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
}

export interface RunOptions {
	items: IDataObject[];
	parameters: INodeParameters;
	credentialType?: CredentialTypeName;
	credentialId?: string;
	settings?: NodeSettings;
	workflowId?: string;
	nodeId?: string;
	executionId?: string;
	timezone?: string;
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

/** A call of one of the node's editor methods, as the editor makes it while the user fills in the node. */
export interface MethodCallOptions {
	/** The node's parameters as they stand in the editor. */
	parameters?: INodeParameters;
	credentialType?: CredentialTypeName;
	credentialId?: string;
	/** The parameter the dropdown belongs to, e.g. `additionalFields.teamIds`. */
	path?: string;
}

export interface ToolRunOptions {
	/** The tool node's parameters, with `$fromAI()` placeholders where the model fills in values. */
	parameters: INodeParameters;
	/** What the model chose for the placeholders. */
	toolArgs: IDataObject;
	credentialType?: CredentialTypeName;
	credentialId?: string;
	settings?: NodeSettings;
	workflowId?: string;
	nodeId?: string;
	timezone?: string;
}

export interface ToolRunResult {
	run: IRun;
	/** What the agent saw: the tool's name, description and parameters, and its answer (or error). */
	agent: IDataObject;
	/** The tool node's own runs, as n8n records them (input and output on the AI-tool connection). */
	toolRuns: NonNullable<IRun['data']['resultData']['runData'][string]>;
}

/** The first node of every test workflow: emits the given items. */
function sourceNode(items: IDataObject[]): INode {
	return {
		id: 'source-node',
		name: SOURCE_NAME,
		type: SOURCE_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(items) },
	};
}

export class EngineHarness {
	private executionCounter = 0;

	private constructor(
		private readonly nodeTypes: INodeTypes,
		readonly credentials: InMemoryCredentialsHelper,
		private readonly logger: CapturingLogger,
	) {}

	/** What n8n logged so far, one line per entry with its metadata. */
	get logs(): readonly string[] {
		return this.logger.lines;
	}

	static async load(): Promise<EngineHarness> {
		const logger = new CapturingLogger();
		Container.set(Logger, logger as unknown as Logger);
		LoggerProxy.init(logger);
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		const packageNodes: Record<string, INodeType | IVersionedNodeType> = {};
		for (const [name, data] of Object.entries(loader.nodeTypes)) {
			packageNodes[`${loader.packageName}.${name}`] = data.type;
		}
		packageNodes[SOURCE_NODE_TYPE] = new ItemsSource();
		packageNodes[AGENT_NODE_TYPE] = new ToolCallingAgent();
		packageNodes[TOOL_NODE_TYPE] = toolVariant(packageNodes[NODE_TYPE] as INodeType);
		const credentialTypes: Record<string, ICredentialType> = {};
		for (const [name, data] of Object.entries(loader.credentialTypes)) credentialTypes[name] = data.type;

		const nodeTypes: INodeTypes = {
			getByName: (type) => {
				const found = packageNodes[type];
				if (!found) throw new Error(`Unknown node type ${type}`);
				return found;
			},
			getByNameAndVersion: (type, version) => {
				const found = packageNodes[type];
				if (!found) throw new Error(`Unknown node type ${type}`);
				return 'nodeVersions' in found ? found.getNodeType(version) : found;
			},
			getKnownTypes: () => ({}),
		};

		// Credential values may be expressions ($self for the credential's own fields, $credentials in generic
		// authentication); n8n resolves them against a workflow holding a single placeholder node.
		const placeholder: INode = {
			id: 'credentials',
			name: 'Credentials',
			type: SOURCE_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const expressionWorkflow = new Workflow({
			nodes: [placeholder],
			connections: {},
			active: false,
			nodeTypes,
		});
		const resolve = (value: string, self: ICredentialDataDecryptedObject) =>
			(
				expressionWorkflow.expression.getComplexParameterValue(
					placeholder,
					{ value },
					'internal',
					{ $credentials: self } as never,
					undefined,
					undefined,
					self,
				) as { value: unknown }
			).value;

		return new EngineHarness(nodeTypes, new InMemoryCredentialsHelper(credentialTypes, resolve), logger);
	}

	/** Store credential data under an id, as saving a credential in n8n would. */
	setCredential(id: string, data: ICredentialDataDecryptedObject) {
		this.credentials.set(id, data);
	}

	async run(options: RunOptions): Promise<RunResult> {
		const credentialType = options.credentialType ?? 'projectManagementApi';
		const credentialId = options.credentialId ?? 'cred-1';
		const executionId = options.executionId ?? String(++this.executionCounter);
		const source = sourceNode(options.items);
		const node: INode = {
			id: options.nodeId ?? 'pm-node-1',
			name: NODE_NAME,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { authentication: credentialType, ...options.parameters },
			credentials: { [credentialType]: { id: credentialId, name: 'Project Management account' } },
			...options.settings,
		};
		const run = await this.executeWorkflow({
			id: options.workflowId ?? 'wf-crm-projects',
			name: 'CRM deals to projects',
			nodes: [source, node],
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

	/**
	 * Calls one of the node's editor methods the way n8n's server does (DynamicNodeParametersService): a
	 * one-node workflow holding the current parameters, n8n-core's LoadOptionsContext, and the stored credential.
	 */
	async callMethod(
		kind: 'loadOptions',
		method: string,
		options?: MethodCallOptions,
	): Promise<INodePropertyOptions[]>;
	async callMethod(
		kind: 'listSearch',
		method: string,
		options?: MethodCallOptions & { filter?: string; paginationToken?: string },
	): Promise<INodeListSearchResult>;
	async callMethod(
		kind: 'resourceMapping',
		method: string,
		options?: MethodCallOptions,
	): Promise<ResourceMapperFields>;
	async callMethod(
		kind: 'loadOptions' | 'listSearch' | 'resourceMapping',
		method: string,
		options: MethodCallOptions & { filter?: string; paginationToken?: string } = {},
	): Promise<unknown> {
		const credentialType = options.credentialType ?? 'projectManagementApi';
		const node: INode = {
			id: 'uuid-1234',
			name: 'Temp-Node',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { authentication: credentialType, ...options.parameters },
			credentials: {
				[credentialType]: { id: options.credentialId ?? 'cred-1', name: 'Project Management account' },
			},
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
		});
		const additionalData = {
			credentialsHelper: this.credentials,
			currentNodeParameters: workflow.nodes[node.name].parameters,
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			webhookBaseUrl: 'http://127.0.0.1/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
			formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
			variables: {},
		} as unknown as IWorkflowExecuteAdditionalData;
		const context = new LoadOptionsContext(
			workflow,
			workflow.nodes[node.name],
			additionalData,
			options.path ?? '',
		);
		const nodeType = this.nodeTypes.getByNameAndVersion(NODE_TYPE, 1);
		const methods = nodeType.methods?.[kind] as
			Record<string, (...args: unknown[]) => Promise<unknown>> | undefined;
		const found = methods?.[method];
		if (!found) throw new Error(`The node has no ${kind} method ${method}`);
		return kind === 'listSearch'
			? await found.call(context, options.filter, options.paginationToken)
			: await found.call(context);
	}

	/**
	 * Runs the node as an AI agent's tool: a workflow in which an agent node is connected to the node's tool
	 * variant, and n8n-core itself turns the tool node into a LangChain tool (createNodeAsTool) and runs it with
	 * the arguments the "model" chose, as input item of the tool's own run.
	 */
	async runAsTool(options: ToolRunOptions): Promise<ToolRunResult> {
		const credentialType = options.credentialType ?? 'projectManagementApi';
		const executionId = String(++this.executionCounter);
		const source = sourceNode([{ chatInput: 'a request to the agent' }]);
		const agent: INode = {
			id: 'agent-node',
			name: AGENT_NAME,
			type: AGENT_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { toolArgs: JSON.stringify(options.toolArgs) },
		};
		const tool: INode = {
			id: options.nodeId ?? 'pm-tool-1',
			name: TOOL_NODE_NAME,
			type: TOOL_NODE_TYPE,
			typeVersion: 1,
			position: [200, 200],
			parameters: { authentication: credentialType, ...options.parameters },
			credentials: {
				[credentialType]: { id: options.credentialId ?? 'cred-1', name: 'Project Management account' },
			},
			...options.settings,
		};
		const run = await this.executeWorkflow({
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

	/**
	 * Runs a workflow the way n8n runs a manual execution: WorkflowExecute from its first node (the item source),
	 * with the in-memory credentials and everything else n8n's server would provide reduced to loopback stubs.
	 */
	private async executeWorkflow(spec: {
		id: string;
		name: string;
		nodes: INode[];
		connections: IWorkflowBase['connections'];
		timezone?: string;
		executionId: string;
	}): Promise<IRun> {
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
			credentialsHelper: this.credentials,
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
