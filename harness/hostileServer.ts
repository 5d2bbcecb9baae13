import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A small HTTP server on loopback that behaves the way a test tells it to: badly, unusually, or like a redirect
 * in front of the API. It records every request it received (headers and body included), so that a test can
 * see what the node sent where. Every connection is destroyed on close, and the server stops by itself after
 * `lifetimeMs` whatever the test does.
 */

export interface SeenRequest {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

export type Handler = (
	request: SeenRequest,
	response: ServerResponse,
	raw: IncomingMessage,
) => void | Promise<void>;

export class HostileServer {
	readonly requests: SeenRequest[] = [];
	private readonly sockets = new Set<Socket>();
	private handler: Handler;

	private constructor(
		private readonly server: Server,
		readonly url: string,
		handler: Handler,
	) {
		this.handler = handler;
	}

	static async start(handler: Handler, lifetimeMs = 120_000): Promise<HostileServer> {
		let instance: HostileServer | undefined;
		const server = createServer((raw, response) => {
			const chunks: Buffer[] = [];
			raw.on('data', (chunk: Buffer) => chunks.push(chunk));
			raw.on('end', () => {
				const seen: SeenRequest = {
					method: raw.method ?? '',
					url: raw.url ?? '',
					headers: raw.headers,
					body: Buffer.concat(chunks).toString('utf8'),
				};
				instance!.requests.push(seen);
				void Promise.resolve(instance!.handler(seen, response, raw)).catch(() => response.destroy());
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const address = server.address() as { port: number };
		instance = new HostileServer(server, `http://127.0.0.1:${address.port}`, handler);
		server.on('connection', (socket: Socket) => {
			instance!.sockets.add(socket);
			socket.on('close', () => instance!.sockets.delete(socket));
		});
		const stop = setTimeout(() => void instance!.close(), lifetimeMs);
		stop.unref();
		return instance;
	}

	/** Behave differently from now on. */
	answer(handler: Handler): void {
		this.handler = handler;
	}

	/** Requests to paths starting with `prefix`. */
	requestsTo(prefix: string): SeenRequest[] {
		return this.requests.filter((request) => request.url.startsWith(prefix));
	}

	async close(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

/** Sends JSON with a status, and the headers given. */
export function sendJson(
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': String(Buffer.byteLength(text)),
		...headers,
	});
	response.end(text);
}

/** A project as the API answers with it. */
export function projectJson(id: string, name: string): Record<string, unknown> {
	const now = new Date().toISOString();
	return { id, name, status: 'Draft', createdAt: now, updatedAt: now };
}
