import type { Profiler } from 'node:inspector';

import { categoryShares, nodeCallShares } from '../../harness/measurement/cpuShares';
import { childPids, processCpuMs } from '../../harness/measurement/processCpu';

/** The profile analyses behind part 4 of npm run throughput, on a profile made up for the purpose. */

const NODE = '/work/pkg/dist/nodes/ProjectManagement/actions/project';
const CORE =
	'/work/pkg/node_modules/n8n-core/dist/execution-engine/node-execution-context/execute-context.js';
const WORKFLOW = '/work/pkg/node_modules/n8n-workflow/dist/cjs/expression.js';
const RUNTIME = '/work/pkg/node_modules/@n8n/expression-runtime/dist/cjs/bridge/isolated-vm-bridge.js';

/**
 * root → prepare (node) → readProjectInput (node) → (anonymous, n8n-core) → _getNodeParameter (n8n-core)
 *   → resolveSimpleParameterValue (n8n-workflow) → execute (expression-runtime) → evalClosureSync (native);
 * prepare → its own code; root → onStreamRead (native, no node frame); root → (idle).
 */
function madeUpProfile(): Profiler.Profile {
	const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
		id,
		callFrame: { functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 },
		children,
	});
	return {
		nodes: [
			frame(1, '(root)', '', [2, 9, 10]),
			frame(2, 'prepare', `${NODE}/create.operation.js`, [3]),
			frame(3, 'readProjectInput', `${NODE}/projectInput.js`, [4]),
			frame(4, '', CORE, [5]),
			frame(5, '_getNodeParameter', CORE, [6]),
			frame(6, 'resolveSimpleParameterValue', WORKFLOW, [7]),
			frame(7, 'execute', RUNTIME, [8]),
			frame(8, 'evalClosureSync', ''),
			frame(9, 'onStreamRead', ''),
			frame(10, '(idle)', ''),
		],
		startTime: 0,
		endTime: 1000,
		// 4 samples in the isolate, 2 in n8n-workflow, 1 in prepare itself, 2 in a socket read, 5 idle.
		samples: [8, 8, 8, 8, 6, 6, 2, 9, 9, 10, 10, 10, 10, 10],
		timeDeltas: Array(14).fill(100),
	};
}

describe('categoryShares', () => {
	it("counts the vm engine's isolate and n8n-workflow as expressions, sockets as HTTP, and leaves idle time out", () => {
		const shares = categoryShares(madeUpProfile());
		expect(shares.expressions).toBeCloseTo(6 / 9);
		expect(shares.node).toBeCloseTo(1 / 9);
		expect(shares.http).toBeCloseTo(2 / 9);
		expect(shares.n8n + shares.gc + shares.other).toBe(0);
	});
});

describe('nodeCallShares', () => {
	it("names the node's innermost function and the first named function it called outside its own code", () => {
		const calls = nodeCallShares(madeUpProfile());
		expect(calls).toEqual([
			{ caller: 'readProjectInput', callee: '_getNodeParameter (n8n-core)', share: expect.closeTo(6 / 9) },
			{ caller: '(n8n, outside the node’s calls)', callee: 'http', share: expect.closeTo(2 / 9) },
			{ caller: 'prepare', callee: '(its own code)', share: expect.closeTo(1 / 9) },
		]);
	});
});

describe('processCpuMs', () => {
	it('reads a process’s CPU time from /proc, and answers undefined for none', () => {
		if (process.platform !== 'linux') return;
		const before = processCpuMs(process.pid)!;
		// Busy for 50 ms of this process's own CPU time (not the clock's: the machine may be shared).
		const cpu = process.cpuUsage();
		while (process.cpuUsage(cpu).user < 50_000) {
			// busy
		}
		expect(processCpuMs(process.pid)! - before).toBeGreaterThanOrEqual(30);
		expect(processCpuMs(undefined)).toBeUndefined();
		expect(childPids(process.pid)).toEqual(expect.any(Array));
	});
});
