import { createHash } from 'crypto';
import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

/**
 * Which API a call goes to: the credential chosen in the node's Authentication parameter and the Base URL it
 * holds. The one place that reads and cleans the Base URL, for the requests, the Dry Run's addresses and the
 * editor's links alike.
 */

export type CredentialType = 'projectManagementApi' | 'projectManagementOAuth2Api';

/** A workflow run, the editor's dropdowns, or the trigger's webhook set-up (its activation and deactivation). */
export type Context = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

export const API_PATH = '/api/v1';

export interface Connection {
	type: CredentialType;
	/** The Base URL without spaces or trailing slashes. */
	baseUrl: string;
	/**
	 * Which API and account the requests count against, for the pace shared in the process: the credential (its
	 * type and id), the Base URL and a digest of the key or client (never the secret itself). A credential whose
	 * Base URL or key changes gets a pace of its own.
	 */
	paceKey: string;
	/**
	 * The API-key credential as read for this run, handed to n8n with every request so that n8n does not read and
	 * decrypt it again each time. Absent for OAuth2, whose tokens n8n keeps and renews itself.
	 */
	credential?: ICredentialsDecrypted;
}

/** The credential chosen in the node's Authentication parameter. */
export function credentialType(context: Context): CredentialType {
	// The editor's dropdown methods and the trigger's webhook set-up read parameters without an item index; a
	// workflow run reads item 0.
	const value =
		'getInputData' in context
			? context.getNodeParameter('authentication', 0, 'projectManagementApi')
			: context.getNodeParameter('authentication', 'projectManagementApi');
	return value === 'projectManagementOAuth2Api' ? value : 'projectManagementApi';
}

/** A Base URL the node cannot use as it is: what is wrong with it, in words. */
export class BaseUrlProblem extends Error {
	constructor(problem: string) {
		super(`The credential's Base URL ${problem}`);
		this.name = 'BaseUrlProblem';
	}
}

/**
 * The Base URL as the requests use it: without spaces around it, slashes at its end, or the API's own path
 * (/api/v1, which the node adds). Written without a scheme (pm.example.com), it is read as https://, as a browser
 * reads it; the credential's Test does the same. One with a query or a fragment, or with another scheme than
 * http:// or https://, is refused with what is wrong, before anything is sent.
 */
export function normaliseBaseUrl(raw: unknown): string {
	let text = String(raw ?? '').trim();
	if (text === '') throw new BaseUrlProblem('is empty');
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
	if (!/^https?:\/\/[^/?#]/i.test(text)) {
		throw new BaseUrlProblem(`must start with https:// or http://, such as https://pm.example.com`);
	}
	if (text.includes('?')) throw new BaseUrlProblem('holds a query (the part from "?" on)');
	if (text.includes('#')) throw new BaseUrlProblem('holds a fragment (the part from "#" on)');
	if (!URL.canParse(text)) throw new BaseUrlProblem('is not a web address that can be read');
	return text
		.replace(/\/+$/, '')
		.replace(/\/api\/v1$/i, '')
		.replace(/\/+$/, '');
}

/**
 * The connection, read once per run of the node (per context object, which n8n creates for each run) rather than
 * for every request: reading a credential decrypts it (in n8n, from its database) and resolves its expressions,
 * which costs more than the request itself on a fast API. It lives as long as the run. OAuth2 tokens are not kept
 * here: n8n fetches and renews them itself, and messages are cleaned of the credential as it is when they are made
 * (secrets.ts), so that a token renewed during the run is covered.
 */
const connections = new WeakMap<Context, Promise<Connection>>();

export function connectionOf(context: Context): Promise<Connection> {
	let connection = connections.get(context);
	if (connection === undefined) {
		const type = credentialType(context);
		connection = context.getCredentials(type).then((credentials) => {
			const baseUrl = normaliseBaseUrl(credentials.baseUrl);
			const reference = context.getNode().credentials?.[type];
			const credentialId = reference?.id ?? '';
			const connection: Connection = {
				type,
				baseUrl,
				paceKey: paceKeyOf(type, credentialId, baseUrl, credentials),
			};
			if (type === 'projectManagementApi') {
				connection.credential = { id: credentialId, name: reference?.name ?? '', type, data: credentials };
			}
			return connection;
		});
		// A failed read is not kept: the next request tries again and reports its own error.
		connection.catch(() => connections.delete(context));
		connections.set(context, connection);
	}
	return connection;
}

function paceKeyOf(
	type: CredentialType,
	credentialId: string,
	baseUrl: string,
	credentials: IDataObject,
): string {
	const account =
		type === 'projectManagementApi'
			? String(credentials.apiKey ?? '')
			: `${String(credentials.clientId ?? '')} ${String(credentials.accessTokenUrl ?? '')}`;
	const digest = createHash('sha256').update(account, 'utf8').digest('hex').slice(0, 16);
	return `${type} ${credentialId} ${baseUrl} ${digest}`;
}

/** Where a request goes: the address n8n's helper is given, as base and path. */
export function requestTarget(connection: Connection, path: string): { baseURL: string; url: string } {
	return { baseURL: `${connection.baseUrl}${API_PATH}`, url: path };
}

/**
 * The full address of a request as a person reads it (the Dry Run shows it): the same target as the one sent,
 * with the query, and without any user name or password written into the Base URL.
 */
export function shownUrl(connection: Connection, path: string, qs?: IDataObject): string {
	const { baseURL, url } = requestTarget(connection, path);
	const query = Object.entries(qs ?? {})
		.filter(([, value]) => value !== undefined && value !== '')
		.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
		.join('&');
	return `${baseURL.replace(/^(https?:\/\/)[^/@]*@/i, '$1')}${url}${query ? `?${query}` : ''}`;
}
