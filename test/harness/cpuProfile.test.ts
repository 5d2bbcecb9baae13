import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { cpuShare, cpuShares, PACKAGE_BUCKET } from '../../harness/realN8n/cpuProfile';

/** The burst script's --profile summary, on profiles made up for the purpose. */

const PACKAGE_DIR = '/tmp/pm-burst-pack-x/extensions';
const frame = (id: number, functionName: string, url: string) => ({
	id,
	callFrame: { functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 },
});

function writeProfile(dir: string, name: string, samples: Array<[number, number]>) {
	const profile = {
		nodes: [
			frame(1, '(root)', ''),
			frame(2, '(idle)', ''),
			frame(3, 'acquire', `file://${PACKAGE_DIR}/package/dist/nodes/ProjectManagement/reliability/pacing.js`),
			frame(4, 'execute', '/n8n/node_modules/n8n-nodes-base/dist/nodes/Webhook/Webhook.node.js'),
			frame(5, 'query', '/n8n/node_modules/@n8n/typeorm/driver/postgres/PostgresQueryRunner.js'),
			frame(6, 'handle', '/n8n/node_modules/pg/node_modules/pg-protocol/dist/parser.js'),
			frame(7, '(garbage collector)', ''),
		],
		samples: samples.map(([id]) => id),
		timeDeltas: samples.map(([, us]) => us),
	};
	writeFileSync(path.join(dir, name), JSON.stringify(profile));
}

describe('cpuShare', () => {
	it('sums self time per package, tells the package under test by its folder, and leaves idle time out of busy', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'pm-cpu-profile-'));
		writeProfile(dir, 'a.cpuprofile', [
			[2, 5_000],
			[3, 1_000],
			[4, 2_000],
			[5, 3_000],
			[5, 1_000],
			[6, 500],
			[7, 1_500],
		]);
		const share = cpuShare(path.join(dir, 'a.cpuprofile'), PACKAGE_DIR);
		expect(share.totalMs).toBe(14);
		expect(share.busyMs).toBe(9);
		expect(share.packageMs).toBe(1);
		// n8n's own Webhook node is under dist/nodes too, but not in the package's folder.
		expect(share.top).toEqual([
			{ name: '@n8n/typeorm', ms: 4 },
			{ name: 'n8n-nodes-base', ms: 2 },
			{ name: '(garbage collector)', ms: 1.5 },
			{ name: PACKAGE_BUCKET, ms: 1 },
			{ name: 'pg-protocol', ms: 0.5 },
		]);
	});

	it('lists every profile of a folder, the busiest first', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'pm-cpu-profiles-'));
		writeProfile(dir, 'small.cpuprofile', [[3, 1_000]]);
		writeProfile(dir, 'large.cpuprofile', [
			[5, 9_000],
			[2, 50_000],
		]);
		writeFileSync(path.join(dir, 'notes.txt'), 'not a profile');
		expect(cpuShares(dir, PACKAGE_DIR).map((share) => [share.file, share.busyMs])).toEqual([
			['large.cpuprofile', 9],
			['small.cpuprofile', 1],
		]);
	});
});
