import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../../harness/package/paths';
import type { Pack } from '../../harness/package/pack';
import { packInto } from '../../harness/package/pack';

/**
 * index.js, the package's "main": `require('n8n-nodes-project-management')` in a project where the package is
 * installed from its npm pack gives the node and credential classes, the very ones of the files package.json's
 * "n8n" block names. Run in a separate Node process, as a user's code would (jest's module registry plays no
 * part), with NODE_PATH pointing at the modules n8n provides (n8n-workflow, luxon), as n8n sets it for the
 * community packages it loads. Like the other package tests it uses the dist/ that `npm test` built (a build here
 * would replace dist/ under the suites running beside it).
 */

const NAME = 'n8n-nodes-project-management';

interface Report {
	resolved: string;
	exported: Record<string, string>;
	/** Class name → the file of the "n8n" block that exports it. */
	declared: Record<string, string>;
	sameClass: Record<string, boolean>;
	names: Record<string, string | undefined>;
}

/** Loads the package by name from `project` in a fresh Node process and describes what it got. */
function requireByName(project: string): Report {
	const script = `
		const path = require('node:path');
		const resolved = require.resolve(${JSON.stringify(NAME)});
		const root = path.dirname(require.resolve(${JSON.stringify(`${NAME}/package.json`)}));
		const entry = require(${JSON.stringify(NAME)});
		const { n8n } = require(path.join(root, 'package.json'));
		const declared = {};
		for (const file of [...n8n.nodes, ...n8n.credentials]) {
			for (const [name, value] of Object.entries(require(path.join(root, file)))) {
				if (typeof value === 'function') declared[name] = file;
			}
		}
		const exported = {}, sameClass = {}, names = {};
		for (const [name, value] of Object.entries(entry)) {
			exported[name] = typeof value;
			if (!(name in declared)) continue;
			sameClass[name] = value === require(path.join(root, declared[name]))[name];
			const instance = new value();
			names[name] = instance.description ? instance.description.name : instance.name;
		}
		console.log(JSON.stringify({ resolved: path.relative(root, resolved), exported, declared, sameClass, names }));
	`;
	const run = spawnSync(process.execPath, ['-e', script], {
		cwd: project,
		encoding: 'utf8',
		timeout: 60_000,
		env: { PATH: process.env.PATH, NODE_PATH: path.join(PACKAGE_ROOT, 'node_modules') },
	});
	if (run.status !== 0) throw new Error(`require('${NAME}') failed:\n${run.stderr}`);
	return JSON.parse(run.stdout) as Report;
}

/** What is wrong with the entry point, in sentences; empty when nothing is. */
function entryPointProblems(report: Report): string[] {
	const problems: string[] = [];
	if (report.resolved !== 'index.js')
		problems.push(`The package resolves to ${report.resolved}, not index.js`);
	for (const name of Object.keys(report.declared)) {
		if (!(name in report.exported))
			problems.push(`index.js does not export ${name} (${report.declared[name]})`);
		else if (!report.sameClass[name])
			problems.push(`index.js exports another ${name} than ${report.declared[name]}`);
	}
	for (const name of Object.keys(report.exported)) {
		if (!(name in report.declared))
			problems.push(`index.js exports ${name}, which the "n8n" block does not load`);
	}
	return problems;
}

describe("index.js, the package's entry point", () => {
	let workDir: string;
	let pack: Pack;

	/** A project with the package installed from the pack (optionally with another index.js). */
	function project(name: string, indexJs?: string): string {
		const dir = path.join(workDir, name);
		const installed = path.join(dir, 'node_modules', NAME);
		mkdirSync(path.dirname(installed), { recursive: true });
		cpSync(pack.dir, installed, { recursive: true });
		if (indexJs !== undefined) writeFileSync(path.join(installed, 'index.js'), indexJs);
		writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: `consumer-${name}`, private: true }),
		);
		return dir;
	}

	beforeAll(() => {
		if (!existsSync(path.join(PACKAGE_ROOT, 'dist'))) throw new Error('No dist/: run npm run build first');
		workDir = mkdtempSync(path.join(os.tmpdir(), 'pm-entry-'));
		pack = packInto(PACKAGE_ROOT, workDir);
	}, 120_000);

	afterAll(() => {
		if (workDir) rmSync(workDir, { recursive: true, force: true });
	});

	it('is "main" in package.json and in the npm pack', () => {
		expect(JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).main).toBe('index.js');
		expect(pack.files).toContain('index.js');
	});

	it('gives require() both nodes and both credential classes, the same ones n8n loads', () => {
		const report = requireByName(project('installed'));
		expect(entryPointProblems(report)).toEqual([]);
		expect(report.exported).toEqual({
			ProjectManagement: 'function',
			ProjectManagementTrigger: 'function',
			ProjectManagementApi: 'function',
			ProjectManagementOAuth2Api: 'function',
		});
		expect(report.names).toEqual({
			ProjectManagement: 'projectManagement',
			ProjectManagementTrigger: 'projectManagementTrigger',
			ProjectManagementApi: 'projectManagementApi',
			ProjectManagementOAuth2Api: 'projectManagementOAuth2Api',
		});
	});

	it('uses nothing of the machine it runs on: no process, __dirname or file system', () => {
		const source = readFileSync(path.join(pack.dir, 'index.js'), 'utf8');
		const code = source.replace(/^\s*\/\/.*$/gm, '');
		expect(code).not.toMatch(/\b(process|__dirname|__filename|global|globalThis)\b/);
		expect([...code.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1])).toEqual([
			'./dist/nodes/ProjectManagement/ProjectManagement.node',
			'./dist/nodes/ProjectManagementTrigger/ProjectManagementTrigger.node',
			'./dist/credentials/ProjectManagementApi.credentials',
			'./dist/credentials/ProjectManagementOAuth2Api.credentials',
		]);
	});

	it('is caught when it leaves a credential out or exports something n8n does not load', () => {
		const partial = requireByName(
			project(
				'partial',
				"const { ProjectManagement } = require('./dist/nodes/ProjectManagement/ProjectManagement.node');\n" +
					'module.exports = { ProjectManagement, Extra: class Extra {} };\n',
			),
		);
		expect(entryPointProblems(partial)).toEqual([
			'index.js does not export ProjectManagementTrigger (dist/nodes/ProjectManagementTrigger/ProjectManagementTrigger.node.js)',
			'index.js does not export ProjectManagementApi (dist/credentials/ProjectManagementApi.credentials.js)',
			'index.js does not export ProjectManagementOAuth2Api (dist/credentials/ProjectManagementOAuth2Api.credentials.js)',
			'index.js exports Extra, which the "n8n" block does not load',
		]);
	});
});
