import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where an n8n process spent its CPU, from the profile Node writes when started with `--cpu-prof` (the burst
 * script's --profile): self time summed per package (the last `node_modules/<name>` in the script's path), the
 * package under test as one bucket of its own, idle and garbage collection apart. Answers the question the burst's
 * intake raises: how much of n8n's work before and around the node is the node's own code.
 *
 * harness/measurement/cpuShares.ts analyses a profile taken inside the engine harness by category; this one reads
 * what a whole n8n process wrote, where n8n's own nodes also live under `dist/nodes/`: the package under test is
 * told by the folder n8n loads it from.
 */

interface CpuProfile {
	nodes: Array<{ id: number; callFrame: { url: string; functionName: string } }>;
	samples: number[];
	timeDeltas: number[];
}

export interface CpuShare {
	/** The profile's file name. */
	file: string;
	/** All sampled time, and the part that was not idle, in ms. */
	totalMs: number;
	busyMs: number;
	/** The package under test's own code, in ms. */
	packageMs: number;
	/** The largest buckets of busy time, in ms, largest first. */
	top: Array<{ name: string; ms: number }>;
}

/** Node's `--cpu-prof` flags writing into `dir` (for NODE_OPTIONS). */
export function cpuProfileFlags(dir: string): string {
	return `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-interval=200`;
}

/** The bucket of the package under test. */
export const PACKAGE_BUCKET = 'this package';

function bucketOf(url: string, functionName: string, packageDir: string): string {
	if (!url) return functionName.startsWith('(') ? functionName : `(${functionName || 'native'})`;
	if (url.includes(packageDir)) return PACKAGE_BUCKET;
	const modules = url.match(/node_modules\/(@[^/]+\/)?[^/]+/g);
	if (modules) return modules[modules.length - 1].slice('node_modules/'.length);
	return url.startsWith('node:') ? url.split('/')[0] : path.basename(url);
}

/** `packageDir`: where n8n loads the package under test from (its scripts' paths start with it). */
export function cpuShare(file: string, packageDir: string, topCount = 8): CpuShare {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
	const byBucket = new Map<string, number>();
	let totalUs = 0;
	profile.samples.forEach((id, index) => {
		const us = profile.timeDeltas[index] ?? 0;
		totalUs += us;
		const frame = frames.get(id);
		const bucket = frame ? bucketOf(frame.url, frame.functionName, packageDir) : '(unknown)';
		byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
	});
	const idleUs = byBucket.get('(idle)') ?? 0;
	byBucket.delete('(idle)');
	return {
		file: path.basename(file),
		totalMs: totalUs / 1000,
		busyMs: (totalUs - idleUs) / 1000,
		packageMs: (byBucket.get(PACKAGE_BUCKET) ?? 0) / 1000,
		top: [...byBucket.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, topCount)
			.map(([name, us]) => ({ name, ms: us / 1000 })),
	};
}

/** Every profile in `dir`, largest first. */
export function cpuShares(dir: string, packageDir: string): CpuShare[] {
	return readdirSync(dir)
		.filter((name) => name.endsWith('.cpuprofile'))
		.map((name) => cpuShare(path.join(dir, name), packageDir))
		.sort((a, b) => b.busyMs - a.busyMs);
}
