import { ExpressionEngineConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import type { ObservabilityProvider } from '@n8n/expression-runtime';
import { EXPRESSION_METRICS, NoOpProvider } from '@n8n/expression-runtime';
import { Expression } from 'n8n-workflow';

/**
 * Which expression engine evaluates `{{ … }}` in the node's parameters, and starting it the way n8n starts it.
 *
 * n8n-workflow has two: `legacy` (the expression compiled to a function in n8n's own V8 context) and `vm` (each
 * execution gets a V8 isolate of its own from isolated-vm, and the expression runs in it, reading the item's
 * data through calls back to n8n). Which one runs is a global of n8n-workflow (`Expression.expressionEngine`),
 * `legacy` until a process selects another. n8n's CLI does it at start-up: for `start`, `worker`, `webhook`,
 * `execute` and `execute-batch` its base command (`needsExpressionEngine`) reads `@n8n/config`'s
 * ExpressionEngineConfig (N8N_EXPRESSION_ENGINE, default `vm` in n8n 2.x and in the 1.x install of the
 * end-to-end suite, 1.123) and calls
 *
 *   Expression.initExpressionEngine({ engine, poolSize, maxCodeCacheSize, bridgeTimeout, bridgeMemoryLimit,
 *     idleTimeoutMs, lazyAcquire, compileCache, observability })
 *
 * which builds an ExpressionEvaluator with a pool of IsolatedVmBridges; other commands only record the engine
 * (`Expression.setExpressionEngine`). Every execution then takes an isolate from the pool
 * (`workflow.expression.acquireIsolate()` in WorkflowExecute) and gives it back at its end, where the isolate is
 * thrown away and the pool builds a fresh one. n8n's editor methods and credential checks do the same around
 * their own expressions (`withIsolate`).
 *
 * A process that never does this, like a test harness built on n8n-core, evaluates with `legacy`: not what
 * users of n8n 2.x pay. This module does what n8n's base command does, with the same configuration class and
 * defaults (the N8N_EXPRESSION_ENGINE_* variables are honoured as in n8n), and with an observability provider
 * that counts evaluations where n8n's records them in Prometheus metrics.
 */

export type ExpressionEngine = 'vm' | 'legacy';

/** What the vm engine reported through its observability hooks since the process started it. */
export interface EngineCounts {
	/** Expressions evaluated in an isolate (one histogram sample each, as n8n records them). */
	evaluations: number;
	/** Isolates handed to an execution, an editor method or a credential check. */
	isolatesAcquired: number;
}

const counts: EngineCounts = { evaluations: 0, isolatesAcquired: 0 };

/**
 * Stands in for n8n's ExpressionObservabilityProvider (Prometheus histograms and counters, in n8n's CLI): it
 * counts the evaluation samples and the isolates handed out, and drops the rest. n8n's own provider also does a
 * label lookup and a histogram update per evaluation, which costs a little more than this.
 */
const countingProvider: ObservabilityProvider = {
	metrics: {
		counter: (name, value) => {
			if (name === EXPRESSION_METRICS.poolAcquired.name) counts.isolatesAcquired += value;
		},
		gauge: () => undefined,
		histogram: (name) => {
			if (name === EXPRESSION_METRICS.evaluationDuration.name) counts.evaluations++;
		},
	},
	traces: NoOpProvider.traces,
	logs: NoOpProvider.logs,
};

let vmStarted: Promise<void> | undefined;

/**
 * Starts the vm engine once per process, as n8n's base command does, with n8n's configuration (defaults: one
 * warm isolate in the pool, 1,024 cached expressions, 5 s and 128 MB per isolate, isolates taken at the start of
 * an execution). Later calls wait for the first.
 */
export async function startVmEngine(): Promise<void> {
	vmStarted ??= (async () => {
		const config = Container.get(ExpressionEngineConfig);
		await Expression.initExpressionEngine({
			engine: 'vm',
			poolSize: config.poolSize,
			maxCodeCacheSize: config.maxCodeCacheSize,
			bridgeTimeout: config.bridgeTimeout,
			bridgeMemoryLimit: config.bridgeMemoryLimit,
			idleTimeoutMs: config.idleTimeout === undefined ? undefined : config.idleTimeout * 1000,
			lazyAcquire: config.lazyAcquire,
			compileCache: config.compileCache,
			observability: countingProvider,
		});
	})().catch((error: unknown) => {
		vmStarted = undefined;
		throw error;
	});
	await vmStarted;
}

/** Stops the vm engine (its isolates), as n8n does when it shuts down; the next vm run starts it again. */
export async function stopVmEngine(): Promise<void> {
	if (vmStarted === undefined) return;
	await vmStarted.catch(() => undefined);
	vmStarted = undefined;
	await Expression.disposeExpressionEngine();
	Expression.setExpressionEngine('legacy');
}

/** The engine n8n-workflow evaluates with right now: `vm` only when it is selected and started. */
export function activeExpressionEngine(): ExpressionEngine {
	return Expression.getActiveImplementation() === 'vm' ? 'vm' : 'legacy';
}

/** The counts since the process started, for a test to see that expressions really went through isolates. */
export function engineCounts(): EngineCounts {
	return { ...counts };
}

/**
 * Selects `engine` for the process as n8n's start-up leaves it: `vm` started, or `legacy` with no vm engine at all
 * (n8n with N8N_EXPRESSION_ENGINE=legacy starts none; a started one would still hand every execution an isolate).
 */
async function selectExpressionEngine(engine: ExpressionEngine): Promise<void> {
	if (engine === 'vm') await startVmEngine();
	else await stopVmEngine();
	Expression.setExpressionEngine(engine);
}

/**
 * The engine is one global of n8n-workflow, so work with one engine must not overlap work with the other in a
 * process (n8n's warning on setExpressionEngine). Work with the same engine may overlap freely.
 */
let inUse: { engine: ExpressionEngine; holders: number; ready: Promise<void> } | undefined;

/**
 * Runs `work` (an execution, an editor method) with `engine` selected, switching the process to it first if it
 * was on the other one (starting or stopping the vm engine, which takes a moment: see prepareExpressionEngine).
 */
export async function withExpressionEngine<T>(engine: ExpressionEngine, work: () => Promise<T>): Promise<T> {
	if (inUse !== undefined && inUse.engine !== engine) {
		throw new Error(
			`The ${inUse.engine} expression engine is in use by work still under way; n8n-workflow has one engine per process, so work with the ${engine} engine cannot start beside it`,
		);
	}
	const use = (inUse ??= { engine, holders: 0, ready: selectExpressionEngine(engine) });
	use.holders++;
	try {
		await use.ready;
		return await work();
	} finally {
		use.holders--;
		if (use.holders === 0) inUse = undefined;
	}
}

/**
 * Switches the process to `engine` now, so that a measurement that follows does not include starting or stopping
 * the vm engine.
 */
export async function prepareExpressionEngine(engine: ExpressionEngine): Promise<void> {
	await withExpressionEngine(engine, async () => undefined);
}
