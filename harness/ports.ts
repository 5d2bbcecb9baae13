import { createServer } from 'node:net';

/** A TCP port on loopback that nothing listens on now (the system picks it). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
			);
		});
	});
}

/** Whether nothing listens on `port` on loopback now. */
export function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const probe = createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

/**
 * `count` different free ports on loopback, all held open until every one is known, so that tools starting
 * several servers at once do not get the same port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
	const servers = Array.from({ length: count }, () => createServer());
	try {
		return await Promise.all(
			servers.map(
				(server) =>
					new Promise<number>((resolve, reject) => {
						server.on('error', reject);
						server.listen(0, '127.0.0.1', () => {
							const address = server.address();
							if (typeof address === 'object' && address) resolve(address.port);
							else reject(new Error('no port'));
						});
					}),
			),
		);
	} finally {
		await Promise.all(
			servers.map(
				(server) =>
					new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
			),
		);
	}
}
