import {
	DEMO_CREDENTIALS,
	startReferenceApi,
	type DeepPartial,
	type ReferenceApiOptions,
	type RunningReferenceApi,
} from '../../reference-api/src';

export { DEMO_CREDENTIALS };

export const RW_KEY = DEMO_CREDENTIALS.apiKey;
export const RO_KEY = DEMO_CREDENTIALS.readOnlyApiKey;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply {
	status: number;
	headers: Headers;
	body: Json;
	text: string;
}

export interface CallOptions {
	/** JSON body; use `raw` for anything else. */
	body?: unknown;
	raw?: string;
	headers?: Record<string, string>;
	/** API key sent as X-API-Key; null sends no credential. Defaults to the read/write demo key. */
	apiKey?: string | null;
	bearer?: string;
	idempotencyKey?: string;
	signal?: AbortSignal;
}

/** One started server plus small clients for its API and admin routes. */
export class TestApi {
	private constructor(readonly running: RunningReferenceApi) {}

	static async start(options?: DeepPartial<ReferenceApiOptions>): Promise<TestApi> {
		return new TestApi(await startReferenceApi(options));
	}

	get url(): string {
		return this.running.url;
	}

	close(): Promise<void> {
		return this.running.close();
	}

	fetch(method: string, path: string, options: CallOptions = {}): Promise<Response> {
		const headers: Record<string, string> = {};
		if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
		else if (options.apiKey !== null) headers['x-api-key'] = options.apiKey ?? RW_KEY;
		if (options.body !== undefined) headers['content-type'] = 'application/json';
		if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
		Object.assign(headers, options.headers);
		const base = path.startsWith('/oauth') || path.startsWith('/_admin') ? this.url : `${this.url}/api/v1`;
		return fetch(`${base}${path}`, {
			method,
			headers,
			body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
			signal: options.signal ?? AbortSignal.timeout(10_000),
		});
	}

	async call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
		return read(await this.fetch(method, path, options));
	}

	async admin(method: string, path: string, body?: unknown): Promise<Json> {
		const response = await this.fetch(method, `/_admin${path}`, { apiKey: null, body });
		if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
		return response.json();
	}

	configure(patch: Json): Promise<Json> {
		return this.admin('PATCH', '/config', patch);
	}

	reset(body: Json = {}): Promise<Json> {
		return this.admin('POST', '/reset', body);
	}

	stats(): Promise<Json> {
		return this.admin('GET', '/stats');
	}

	async token(
		clientId: string = DEMO_CREDENTIALS.oauthClientId,
		secret: string = DEMO_CREDENTIALS.oauthClientSecret,
		scope?: string,
	): Promise<string> {
		const form = new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: clientId,
			client_secret: secret,
			...(scope ? { scope } : {}),
		});
		const reply = await this.call('POST', '/oauth/token', {
			apiKey: null,
			raw: form.toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		if (reply.status !== 200) throw new Error(`token: ${reply.status} ${reply.text}`);
		return reply.body.access_token;
	}

	async createProject(body: Json, options: CallOptions = {}): Promise<Json> {
		const reply = await this.call('POST', '/projects', { ...options, body });
		if (reply.status !== 201) throw new Error(`create: ${reply.status} ${reply.text}`);
		return reply.body;
	}
}

export async function read(response: Response): Promise<Reply> {
	const text = await response.text();
	let body: Json = text;
	if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
	return { status: response.status, headers: response.headers, body, text };
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

let counter = 0;
/** Unique per call, so tests sharing a server never collide on names or keys. */
export function unique(prefix: string): string {
	counter += 1;
	return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
