import { LoadOptionsContext } from 'n8n-core';
import type {
	ICredentialsHelper,
	INodeListSearchResult,
	INodeParameters,
	INodePropertyOptions,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
	ResourceMapperFields,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { withExpressionEngine, type ExpressionEngine } from './expressionEngine';
import { NODE_TYPE, packageNode, type CredentialTypeName } from './packageNode';

/** A call of one of the node's editor methods, as the editor makes it while the user fills in the node. */
export interface MethodCallOptions {
	/** The node's parameters as they stand in the editor. */
	parameters?: INodeParameters;
	credentialType?: CredentialTypeName;
	credentialId?: string;
	/** The parameter the dropdown belongs to, e.g. `additionalFields.teamIds`. */
	path?: string;
}

export interface ListSearchCallOptions extends MethodCallOptions {
	filter?: string;
	paginationToken?: string;
}

/** Calls one of the node's editor methods by kind and name; answers what the editor would receive. */
export interface CallEditorMethod {
	(kind: 'loadOptions', method: string, options?: MethodCallOptions): Promise<INodePropertyOptions[]>;
	(kind: 'listSearch', method: string, options?: ListSearchCallOptions): Promise<INodeListSearchResult>;
	(kind: 'resourceMapping', method: string, options?: MethodCallOptions): Promise<ResourceMapperFields>;
}

/**
 * The node's editor methods, called the way n8n's server calls them (DynamicNodeParametersService): a one-node
 * workflow holding the current parameters, n8n-core's LoadOptionsContext, and the stored credential, the call
 * inside an isolate of the vm engine taken for it (`withExpressionIsolate` in n8n).
 */
export function editorMethodCaller(
	nodeTypes: INodeTypes,
	credentialsHelper: ICredentialsHelper,
	expressionEngine: ExpressionEngine,
): CallEditorMethod {
	const call = async (
		kind: 'loadOptions' | 'listSearch' | 'resourceMapping',
		method: string,
		options: ListSearchCallOptions = {},
	): Promise<unknown> => {
		const node = packageNode({
			id: 'uuid-1234',
			name: 'Temp-Node',
			position: [0, 0],
			parameters: options.parameters,
			credentialType: options.credentialType,
			credentialId: options.credentialId,
		});
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes,
		});
		const additionalData = {
			credentialsHelper,
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
		const nodeType = nodeTypes.getByNameAndVersion(NODE_TYPE, 1);
		const methods = nodeType.methods?.[kind] as
			Record<string, (...args: unknown[]) => Promise<unknown>> | undefined;
		const found = methods?.[method];
		if (!found) throw new Error(`The node has no ${kind} method ${method}`);
		return await withExpressionEngine(expressionEngine, () =>
			workflow.expression.withIsolate(async () =>
				kind === 'listSearch'
					? await found.call(context, options.filter, options.paginationToken)
					: await found.call(context),
			),
		);
	};
	return call as CallEditorMethod;
}
