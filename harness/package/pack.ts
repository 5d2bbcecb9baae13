import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { runCommand } from '../runCommand';
import { PACKAGE_ROOT } from './paths';

/** What `npm pack` made of a package folder. */
export interface Pack {
	/** The .tgz file. */
	tarball: string;
	/** The files in it, as `npm pack --json` lists them, sorted. */
	files: string[];
	/** Where it was unpacked: the package's root (the tarball's `package/` folder). */
	dir: string;
}

/** `npm pack` of `packageDir` into `destination`, unpacked there the way the scanner unpacks a download. */
export function packInto(packageDir: string, destination: string): Pack {
	const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: packageDir,
		encoding: 'utf8',
	});
	if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
	let listing: Array<{ filename: string; files: Array<{ path: string }> }>;
	try {
		listing = JSON.parse(packed.stdout);
	} catch {
		throw new Error(`npm pack --json printed something other than JSON:\n${packed.stdout}`);
	}
	const tarball = path.join(destination, listing[0].filename);
	const dir = path.join(destination, 'package');
	mkdirSync(dir);
	const unpacked = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], {
		encoding: 'utf8',
	});
	if (unpacked.status !== 0) throw new Error(`Unpacking ${tarball} failed:\n${unpacked.stderr}`);
	return { tarball, files: listing[0].files.map((file) => file.path).sort(), dir };
}

/** Every file below `dir`, relative to it, with "/" as separator. */
export function filesBelow(dir: string): string[] {
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
		.sort();
}

/**
 * The package built (always) and packed by `npm pack`, the tarball unpacked into `into`/extensions, where n8n
 * finds it as a custom extension (`N8N_CUSTOM_EXTENSIONS`); answers that folder.
 */
export async function packForN8n(into: string): Promise<string> {
	await runCommand('npm', ['run', 'build', '--silent'], PACKAGE_ROOT, process.env, 'npm run build');
	const packDir = path.join(into, 'pack');
	mkdirSync(packDir, { recursive: true });
	const result = spawnSync('npm', ['pack', '--silent', '--pack-destination', packDir], {
		cwd: PACKAGE_ROOT,
		encoding: 'utf8',
	});
	if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
	const tarball = readdirSync(packDir).find((name) => name.endsWith('.tgz'));
	if (!tarball) throw new Error('npm pack made no tarball');
	const extensions = path.join(into, 'extensions');
	mkdirSync(extensions, { recursive: true });
	await runCommand(
		'tar',
		['-xzf', path.join(packDir, tarball), '-C', extensions],
		into,
		process.env,
		'unpacking the tarball',
	);
	return extensions;
}
