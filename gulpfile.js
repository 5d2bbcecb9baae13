const fs = require('fs');
const path = require('path');
const { task, src, dest } = require('gulp');

task('build:icons', copyIcons);
task('build:prune', pruneDist);

/** tsc does not copy images: put node and credential icons beside the compiled files in dist/. */
function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg}');
	const nodeDestination = path.resolve('dist', 'nodes');
	src(nodeSource, { encoding: false }).pipe(dest(nodeDestination));

	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	const credDestination = path.resolve('dist', 'credentials');
	return src(credSource, { encoding: false }).pipe(dest(credDestination));
}

/**
 * tsc and the icon copy never delete: remove what an earlier build left in dist/ for a source that is gone
 * (a renamed or deleted file), so that npm pack ships only what the sources make. dist/ is not emptied
 * first, because tests and scripts running at the same time load it.
 */
async function pruneDist() {
	const built = /(\.d\.ts|\.js\.map|\.d\.ts\.map|\.js)$/;
	for (const root of ['nodes', 'credentials']) {
		const dir = path.resolve('dist', root);
		if (!fs.existsSync(dir)) continue;
		for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
			if (!entry.isFile()) continue;
			const file = path.join(entry.parentPath, entry.name);
			const source = path.join(root, path.relative(dir, file));
			if (!fs.existsSync(source.replace(built, '.ts'))) fs.rmSync(file);
		}
	}
}
