import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { filesBelow, packInto, type Pack } from '../../harness/package/pack';
import { PACKAGE_ROOT } from '../../harness/package/paths';

/** What `npm pack` puts in the tarball that n8n installs: the built node and nothing of the workshop. */
describe('the npm pack', () => {
	let workDir: string;
	let pack: Pack;
	let manifest: {
		dependencies?: Record<string, string>;
		peerDependencies?: Record<string, string>;
		n8n: { nodes: string[]; credentials: string[] };
	};
	const text = (file: string) => readFileSync(path.join(pack.dir, file), 'utf8');

	beforeAll(() => {
		if (!existsSync(path.join(PACKAGE_ROOT, 'dist'))) throw new Error('No dist/: run npm run build first');
		workDir = mkdtempSync(path.join(os.tmpdir(), 'pm-pack-'));
		pack = packInto(PACKAGE_ROOT, workDir);
		manifest = JSON.parse(text('package.json'));
	}, 120_000);

	afterAll(() => {
		if (workDir) rmSync(workDir, { recursive: true, force: true });
	});

	it('holds what npm pack --json lists, and nothing else', () => {
		expect(filesBelow(pack.dir)).toEqual(pack.files);
	});

	it('holds only dist/, index.js (the entry point), README.md, LICENSE and package.json', () => {
		const outside = pack.files.filter((file) => !file.startsWith('dist/'));
		expect(outside.sort()).toEqual(['LICENSE', 'README.md', 'index.js', 'package.json']);
		expect(pack.files.filter((file) => file.startsWith('dist/')).length).toBeGreaterThan(0);
	});

	it('holds no tests, reference API, scripts, end-to-end suite, source maps or build info', () => {
		const workshop = pack.files.filter(
			(file) =>
				/(^|\/)(test|tests|__tests__|reference-api|scripts|e2e|node_modules)\//.test(file) ||
				/\.(test|spec)\.[jt]s$/.test(file) ||
				file.endsWith('.map') ||
				file.endsWith('.tsbuildinfo'),
		);
		expect(workshop).toEqual([]);
	});

	it('names no path of the machine it was built on, in any file (.d.ts included)', () => {
		const machinePaths = [
			'/work/',
			PACKAGE_ROOT,
			os.homedir() === '/' ? undefined : `${os.homedir()}/`,
			os.tmpdir() === '/' ? undefined : `${os.tmpdir()}/`,
		].filter((value): value is string => value !== undefined);
		const leaks = pack.files.flatMap((file) =>
			machinePaths
				.filter((machinePath) => text(file).includes(machinePath))
				.map((machinePath) => `${file}: ${machinePath}`),
		);
		expect(leaks).toEqual([]);
		const absoluteImports = pack.files
			.filter((file) => file.endsWith('.d.ts'))
			.filter((file) => /(import\(|from |require\()\s*["'](\/|[A-Za-z]:[\\/])/.test(text(file)));
		expect(absoluteImports).toEqual([]);
	});

	it('has no runtime dependencies, and n8n-workflow (any version) as its only peer', () => {
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});

	it('holds every node and credential that package.json names for n8n', () => {
		const declared = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
		expect(manifest.n8n.nodes.length).toBeGreaterThan(0);
		expect(manifest.n8n.credentials.length).toBeGreaterThan(0);
		expect(declared.filter((file) => !pack.files.includes(file))).toEqual([]);
	});

	it('holds the icons the node and the credentials show, beside the files that name them', () => {
		for (const loaded of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			const icons = [...text(loaded).matchAll(/file:([\w.-]+\.(?:svg|png))/g)].map((match) => match[1]);
			expect({ loaded, icons: icons.length > 0 }).toEqual({ loaded, icons: true });
			for (const icon of icons) {
				expect(pack.files).toContain(path.posix.join(path.posix.dirname(loaded), icon));
			}
		}
	});

	it('holds no compiled file whose source is gone (a stale dist/)', () => {
		const stale = pack.files
			.filter((file) => file.startsWith('dist/') && file.endsWith('.js'))
			.map((file) => file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))
			.filter((source) => !existsSync(path.join(PACKAGE_ROOT, source)));
		expect(stale).toEqual([]);
	});
});
