import path from 'node:path';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
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
} from 'n8n-workflow';
import { LoggerProxy, NodeConnectionTypes, Workflow, createRunExecutionData } from 'n8n-workflow';

import { InMemoryCredentialsHelper } from './credentialsHelper';

/**
 * Runs workflows through n8n's execution engine (WorkflowExecute from n8n-core), with the package loaded the
 * way n8n loads an installed community package: n8n-core's PackageDirectoryLoader reading the "n8n" block of
 * package.json and the built files in dist/. Build first (`npm run build`).
 */

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const NODE_TYPE = 'n8n-nodes-project-management.projectManagement';
export const SOURCE_NODE_TYPE = 'test.items';
export const NODE_NAME = 'Create project';
export const SOURCE_NAME = 'Deals';

export type CredentialTypeName = 'projectManagementApi' | 'projectManagementOAuth2Api';

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
	/** How many times n8n started the node. */
	nodeRuns: number;
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
		const source: INode = {
			id: 'source-node',
			name: SOURCE_NAME,
			type: SOURCE_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.items) },
		};
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
		const workflowData: IWorkflowBase = {
			activeVersionId: null,
			id: options.workflowId ?? 'wf-crm-projects',
			name: 'CRM deals to projects',
			active: false,
			isArchived: false,
			nodes: [source, node],
			connections: {
				[SOURCE_NAME]: { main: [[{ node: NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]] },
			},
			settings: { timezone: options.timezone ?? 'UTC', executionOrder: 'v1' },
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

		const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
		let nodeStarts = 0;
		hooks.addHandler('nodeExecuteBefore', (nodeName) => {
			if (nodeName === NODE_NAME) nodeStarts++;
		});

		const additionalData = {
			hooks,
			credentialsHelper: this.credentials,
			executionId,
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
				nodeExecutionStack: [{ node: source, data: { main: [[{ json: {} }]] }, source: null }],
			},
		});
		const execute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
		const run = await execute.processRunExecutionData(workflow);

		const tasks = run.data.resultData.runData[NODE_NAME] ?? [];
		const last = tasks[tasks.length - 1];
		return {
			run,
			output: last?.data?.main?.[0] ?? [],
			errorOutput: last?.data?.main?.[1] ?? [],
			error: (last?.error ?? undefined) as RunResult['error'],
			nodeRuns: nodeStarts,
		};
	}
}
