import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	ICredentialsExpressionResolveValues,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	INodeTypes,
	IRequestOptionsSimplified,
} from 'n8n-workflow';
import { ICredentialsHelper, Workflow } from 'n8n-workflow';

import { SOURCE_NODE_TYPE } from './itemsSource';

/** Where a credential's expressions are resolved during a run: the execution's workflow and the node. */
export interface ExpressionScope {
	workflow: Workflow;
	node: INode;
}

type ExpressionResolver = (
	value: string,
	self: ICredentialDataDecryptedObject,
	scope?: ExpressionScope,
) => Promise<unknown>;

/**
 * Credential values may be expressions ($self for the credential's own fields, $credentials in generic
 * authentication). As in n8n: during a run they are resolved in the execution's workflow (with the vm engine,
 * in the isolate the execution holds); outside a run (editor methods, a credential's test) in a workflow of
 * their own holding a single placeholder node, inside an isolate taken for it.
 */
export function credentialExpressionResolver(nodeTypes: INodeTypes): ExpressionResolver {
	const placeholder: INode = {
		id: 'credentials',
		name: 'Credentials',
		type: SOURCE_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const resolveIn = (
		{ workflow, node }: ExpressionScope,
		value: string,
		self: ICredentialDataDecryptedObject,
	) =>
		(
			workflow.expression.getComplexParameterValue(
				node,
				{ value },
				'internal',
				{ $credentials: self } as never,
				undefined,
				undefined,
				self,
			) as { value: unknown }
		).value;
	return async (value, self, scope) => {
		if (scope) return resolveIn(scope, value, self);
		const workflow = new Workflow({ nodes: [placeholder], connections: {}, active: false, nodeTypes });
		return await workflow.expression.withIsolate(async () =>
			resolveIn({ workflow, node: placeholder }, value, self),
		);
	};
}

/**
 * The part of n8n's credential service that a workflow run needs, kept in memory. Unlike n8n's own test
 * helper it applies each credential type's real `authenticate` (function or generic), resolves expression
 * defaults such as the token URL derived from the base URL, and names `oAuth2Api` as the parent of OAuth2
 * types, so that n8n-core's own client-credentials code fetches, stores and refreshes tokens.
 */
export class InMemoryCredentialsHelper extends ICredentialsHelper {
	/** Stored credential data by credential id, as n8n's database would hold it. */
	private readonly stored = new Map<string, ICredentialDataDecryptedObject>();

	/** Every time n8n-core saved a new OAuth2 token: first fetch or refresh. */
	tokenUpdates = 0;

	constructor(
		private readonly credentialTypes: Record<string, ICredentialType>,
		private readonly resolveExpression: ExpressionResolver,
	) {
		super();
	}

	set(id: string, data: ICredentialDataDecryptedObject) {
		this.stored.set(id, structuredClone(data));
	}

	get(id: string): ICredentialDataDecryptedObject | undefined {
		return this.stored.get(id);
	}

	private type(name: string): ICredentialType {
		const type = this.credentialTypes[name];
		if (!type) throw new Error(`Unknown credential type ${name}`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name).extends ?? [];
		return parents.flatMap((parent) =>
			this.credentialTypes[parent] ? [parent, ...this.getParentTypes(parent)] : [parent],
		);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const options = requestOptions as IHttpRequestOptions;
		const { authenticate } = this.type(typeName);
		if (authenticate === undefined) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		const resolved: IHttpRequestOptions = { ...options };
		const properties = authenticate.properties as Record<string, Record<string, string> | undefined>;
		for (const target of ['headers', 'qs', 'body'] as const) {
			const values = properties[target];
			if (!values) continue;
			const current = { ...((resolved[target] as Record<string, unknown>) ?? {}) };
			for (const [key, value] of Object.entries(values)) {
				current[key] = await this.resolveValue(
					value,
					credentials,
					workflow && node ? { workflow, node } : undefined,
				);
			}
			(resolved as unknown as Record<string, unknown>)[target] = current;
		}
		return resolved;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const data = await this.getDecrypted({} as never, nodeCredentials, type, 'internal');
		return {
			id: nodeCredentials.id ?? undefined,
			name: nodeCredentials.name,
			type,
			data: undefined,
			getData: () => data,
			getDataToSave: () => ({ id: nodeCredentials.id, name: nodeCredentials.name, type, data: '' }),
			setData: () => undefined,
		} as unknown as ICredentials;
	}

	/** The stored data with the type's defaults (and its parents' hidden ones) applied and resolved. */
	async getDecrypted(
		_additionalData: unknown,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: unknown,
		_executeData?: unknown,
		_raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.stored.get(nodeCredentials.id ?? '');
		if (!stored) throw new Error(`No credentials stored for id ${nodeCredentials.id}`);
		const data: ICredentialDataDecryptedObject = structuredClone(stored);
		for (const property of this.type(type).properties) {
			if (data[property.name] === undefined && property.default !== undefined) {
				data[property.name] = property.default as never;
			}
		}
		const scope = expressionResolveValues
			? { workflow: expressionResolveValues.workflow, node: expressionResolveValues.node }
			: undefined;
		for (const [key, value] of Object.entries(data)) {
			if (typeof value === 'string' && value.startsWith('='))
				data[key] = (await this.resolveValue(value, data, scope)) as never;
		}
		return data;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.stored.set(nodeCredentials.id ?? '', structuredClone(data));
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const stored = this.stored.get(nodeCredentials.id ?? '') ?? {};
		stored.oauthTokenData = structuredClone(data.oauthTokenData);
		this.stored.set(nodeCredentials.id ?? '', stored);
		this.tokenUpdates++;
	}

	/** A credential field's value, resolved as n8n resolves it when the value is an expression. */
	async resolveValue(
		value: string,
		self: ICredentialDataDecryptedObject,
		scope?: ExpressionScope,
	): Promise<unknown> {
		return value.startsWith('=') ? await this.resolveExpression(value, self, scope) : value;
	}
}
