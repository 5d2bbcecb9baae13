import type { DeepPartial, ReferenceApiOptions } from '../reference-api/src';
import { EngineHarness } from './engine/engineHarness';
import { ReferenceApi } from './referenceApi/client';

/** The package in n8n's engine, and the reference API on loopback for it to talk to. */
export interface EngineAndApi {
	api: ReferenceApi;
	harness: EngineHarness;
}

/**
 * What the engine tests, the fault matrix, the demo and the benchmark start from: the reference API started with
 * `apiOptions` (keys, OAuth2 clients, fault defaults), then the package loaded into the engine harness.
 */
export async function startEngineAndApi(
	apiOptions?: DeepPartial<ReferenceApiOptions>,
): Promise<EngineAndApi> {
	const api = await ReferenceApi.start(apiOptions);
	try {
		return { api, harness: await EngineHarness.load() };
	} catch (error) {
		await api.close();
		throw error;
	}
}
