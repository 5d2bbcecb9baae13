import type { DeepPartial, ReferenceApiOptions } from '../reference-api/src';
import { startEngineAndApi, type EngineAndApi } from './engineAndApi';
import { MatrixRunner } from './faultMatrix/runner';

/**
 * Jest hooks for the test files that run the package in n8n's engine against the reference API: what they need
 * is started before their tests and closed after them, and before each test the API is brought to a known state.
 * What these helpers return stands for what the hooks start, so that a test file names it where it is defined;
 * it may be used inside hooks and tests only.
 */

/** What each test of a file starts from. */
export interface EachTest {
	/** The API's settings, applied after a reset. Without them the API is reset only. */
	configure?: DeepPartial<ReferenceApiOptions>;
	/** API-key credentials to store, credential id → key (sent in the X-API-Key header), pointing at the API. */
	apiKeyCredentials?: Record<string, string>;
}

/**
 * The reference API (started with `api`) and the engine harness for one test file. With `eachTest`, before each
 * test the API is reset (and configured) and the credentials are stored again.
 */
export function useEngineAndApi(
	options: { api?: DeepPartial<ReferenceApiOptions>; eachTest?: EachTest } = {},
): EngineAndApi {
	const started = startedForTheFile(
		() => startEngineAndApi(options.api),
		(engineAndApi) => engineAndApi.api.close(),
	);
	const { eachTest } = options;
	if (eachTest) {
		beforeEach(async () => {
			const { api, harness } = started();
			if (eachTest.configure) await api.resetAndConfigure(eachTest.configure);
			else await api.reset();
			for (const [id, apiKey] of Object.entries(eachTest.apiKeyCredentials ?? {})) {
				harness.setCredential(id, { baseUrl: api.url, apiKey, keyLocation: 'header' });
			}
		});
	}
	return { api: standIn(() => started().api), harness: standIn(() => started().harness) };
}

/** The fault matrix's runner (its reference API and engine harness, canary credentials stored) for one test file. */
export function useMatrixRunner(): MatrixRunner {
	const started = startedForTheFile(
		() => MatrixRunner.start(),
		(runner) => runner.close(),
	);
	return standIn(started);
}

/** Starts something before a file's tests and closes it after them; answers a getter for it. */
function startedForTheFile<T>(start: () => Promise<T>, close: (value: T) => Promise<void>): () => T {
	let value: T | undefined;
	beforeAll(async () => {
		value = await start();
	});
	afterAll(async () => {
		if (value !== undefined) await close(value);
	});
	return () => {
		if (value === undefined) throw new Error('Not started yet: use it inside a test or a hook');
		return value;
	};
}

/** An object that forwards every property to what `get` answers at the time, methods bound to it. */
function standIn<T extends object>(get: () => T): T {
	return new Proxy({} as T, {
		get: (_, key) => {
			const target = get();
			const value: unknown = Reflect.get(target, key, target);
			return typeof value === 'function' ? value.bind(target) : value;
		},
		set: (_, key, value) => Reflect.set(get(), key, value),
	});
}
