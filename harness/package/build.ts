import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_ROOT } from './paths';

function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
	}
	return newest;
}

/** Build when dist/ is missing or older than the sources, so that scripts run what the package ships. */
export function buildIfNeeded() {
	const built = path.join(PACKAGE_ROOT, 'dist', 'nodes', 'ProjectManagement', 'ProjectManagement.node.js');
	const sources = Math.max(
		newestMtime(path.join(PACKAGE_ROOT, 'nodes')),
		newestMtime(path.join(PACKAGE_ROOT, 'credentials')),
	);
	if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
	console.log('Building the package (npm run build)...');
	const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
	if (result.status !== 0) throw new Error('The build failed');
}
