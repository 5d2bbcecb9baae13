import type { FastifyInstance } from 'fastify';

import type { ServerState } from '../state';
import { isApiRequest } from './requestLog';

/** Simulated network and server time, for benchmarks; read per request so admin changes apply at once. */
export function registerLatency(app: FastifyInstance, state: ServerState): void {
	app.addHook('onRequest', async (request) => {
		const latencyMs = state.options.latencyMs;
		if (latencyMs > 0 && isApiRequest(request.url)) await state.sleeper.sleep(latencyMs);
	});
}
