import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../../harness/package/paths';
import type { Step } from './workflowChecks';
import { ciProblems, commonProblems, filterMatches, parseWorkflow, publishProblems } from './workflowChecks';

/**
 * The release path: .github/workflows/ci.yml and publish.yml, checked as far as this machine can (GitHub Actions
 * does not run here). Each check is also shown to fail on a copy of the workflow with one thing broken.
 */

const WORKFLOWS = path.join(PACKAGE_ROOT, '.github', 'workflows');
const ciText = readFileSync(path.join(WORKFLOWS, 'ci.yml'), 'utf8');
const publishText = readFileSync(path.join(WORKFLOWS, 'publish.yml'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
	version: string;
	scripts: Record<string, string>;
};
const { scripts } = manifest;

const ci = (text: string) => ciProblems(parseWorkflow(text), text, scripts);
const publish = (text: string) => publishProblems(parseWorkflow(text), text, scripts);

/** The text with `from` replaced by `to`, failing when `from` is not there (so no broken copy is a no-op). */
function broken(text: string, from: string | RegExp, to: string): string {
	const changed = text.replace(from, to);
	if (changed === text) throw new Error(`${String(from)} is not in the workflow`);
	return changed;
}

describe('the workflow files', () => {
	it('are exactly ci.yml and publish.yml, both YAML with jobs', () => {
		expect(readdirSync(WORKFLOWS).sort()).toEqual(['ci.yml', 'publish.yml']);
		expect(() => parseWorkflow(ciText)).not.toThrow();
		expect(() => parseWorkflow(publishText)).not.toThrow();
	});

	it('reject text that is not YAML, or YAML without jobs', () => {
		expect(() => parseWorkflow('name: CI\non:\n\tpush:\n')).toThrow();
		expect(() => parseWorkflow('name: CI\nname: again\njobs: {}\n')).toThrow();
		expect(() => parseWorkflow('- just\n- a list\n')).toThrow();
		expect(() => parseWorkflow('name: CI\non: push\n')).toThrow(/no jobs/);
	});
});

describe('the CI workflow', () => {
	it('passes every check: pull requests and main, Node 24, npm ci, lint, scan, fast tests, pinned actions', () => {
		expect(ci(ciText)).toEqual([]);
	});

	it('runs only scripts that package.json has', () => {
		const workflow = parseWorkflow(ciText);
		const steps = Object.values(workflow.jobs!).flatMap((job) => job.steps ?? []);
		const run = steps.flatMap((step: Step) => [...(step.run ?? '').matchAll(/npm run ([\w:.-]+)/g)]);
		expect(run.map((match) => match[1])).toEqual(['lint', 'scan', 'test:fast']);
	});

	it.each([
		['an action pinned to a tag', /actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v6', /not pinned/],
		['an action without its version comment', / # v6\.2\.0/, '', /no "# v<version>" comment/],
		['Node 20', /node-version: 24/, 'node-version: 20', /node-version 20, not 24/],
		['npm install instead of npm ci', /npm ci --no-audit --no-fund/, 'npm install', /npm ci/],
		['no scan', /\n {6}- name: n8n community-package scan[^\n]*\n[^\n]*\n/, '\n', /npm run scan/],
		['a script package.json lacks', 'npm run test:fast', 'npm run test:quick', /test:quick, which package/],
		['no pull_request trigger', /\n {2}pull_request:\n/, '\n', /pull requests/],
		['write permissions for every job', 'contents: read', 'contents: write', /contents: write to every job/],
		['an OIDC token it does not need', 'contents: read', 'contents: read\n  id-token: write', /id-token/],
	])('rejects a copy with %s', (_what, from, to, expected) => {
		const problems = ci(broken(ciText, from, to));
		expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
	});
});

describe('the publish workflow', () => {
	it('passes every check: version tags only, tests and scan first, Node 24, provenance, id-token: write', () => {
		expect(publish(publishText)).toEqual([]);
	});

	it('publishes with npm publish --provenance --access public from the job that holds id-token: write', () => {
		const workflow = parseWorkflow(publishText);
		const [job] = Object.values(workflow.jobs!);
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
		expect(job.steps!.map((step) => step.run ?? '').join('\n')).toMatch(
			/^\s*npm publish --provenance --access public$/m,
		);
	});

	it('starts on v-tags of versions only', () => {
		const workflow = parseWorkflow(publishText);
		expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } });
		expect(['v0.2.0', 'v1.0.0-rc.1', 'v10.20.30'].every((tag) => filterMatches('v*.*.*', tag))).toBe(true);
		expect(['0.2.0', 'v1', 'main', 'release/v1.0.0'].some((tag) => filterMatches('v*.*.*', tag))).toBe(false);
	});

	it.each([
		['no id-token: write', /^ +id-token: write\n/m, '', /id-token: write/],
		['id-token: read', /^(\s+)id-token: write$/m, '$1id-token: read', /id-token: write/],
		['no --provenance', /^(\s+)npm publish --provenance/m, '$1npm publish', /no --provenance/],
		['no --access public', /(npm publish --provenance) --access public$/m, '$1', /no --access public/],
		[
			'--ignore-scripts',
			/(npm publish --provenance --access public)$/m,
			'$1 --ignore-scripts',
			/prepublishOnly/,
		],
		['a branch trigger', "tags:\n      - 'v*.*.*'", 'branches:\n      - main', /branches|tag v0\.2\.0/],
		['a pull_request trigger', /^on:\n/m, 'on:\n  pull_request:\n', /not only on pushed tags/],
		['no fast tests before publishing', 'run: npm run test:fast', 'run: npm run build', /test:fast first/],
		['Node 22', /node-version: 24/, 'node-version: 22', /node-version 22, not 24/],
		['an action pinned to a branch', /setup-node@[0-9a-f]{40}/, 'setup-node@main', /not pinned/],
		['repository write access', /(id-token: write\n\s+)contents: read/, '$1contents: write', /may write/],
	])('rejects a copy with %s', (_what, from, to, expected) => {
		const problems = publish(broken(publishText, from, to));
		expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
	});

	it('rejects a workflow with two publish steps or none', () => {
		const twice = broken(
			publishText,
			/^(\s+npm publish --provenance --access public\n)/m,
			'$1      - run: npm publish --provenance --access public\n',
		);
		expect(publish(twice)).toContain('2 steps run npm publish; one should');
		const none = broken(publishText, /^(\s+)npm publish --provenance --access public$/m, '$1echo no');
		expect(publish(none)).toContain('0 steps run npm publish; one should');
	});

	it('is checked with the common checks too (the CI checks are not enough for it)', () => {
		const workflow = parseWorkflow(publishText);
		expect(commonProblems(workflow, publishText, scripts)).toEqual([]);
		expect(ciProblems(workflow, publishText, scripts)).toEqual(
			expect.arrayContaining(['CI does not run on pull requests', 'CI job publish publishes']),
		);
	});
});

/** The shell steps of the publish workflow that can run here, run as GitHub Actions runs them (bash -eo pipefail). */
describe("the publish workflow's guard steps, run", () => {
	const steps = parseWorkflow(publishText).jobs!.publish.steps!;
	const step = (prefix: string) => {
		const found = steps.find((candidate) => candidate.name?.startsWith(prefix));
		if (!found?.run) throw new Error(`No run step named ${prefix}…`);
		return found.run;
	};
	let dir: string;

	beforeEach(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'pm-publish-steps-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	function run(script: string, env: Record<string, string>, packageJson: Record<string, unknown> = {}) {
		writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: 'x', version: '0.2.0', ...packageJson }),
		);
		return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
			cwd: dir,
			encoding: 'utf8',
			env: { PATH: process.env.PATH, ...env },
		});
	}

	it('accepts tag v0.2.0 for version 0.2.0 and refuses v0.2.1 and 0.2.0', () => {
		const script = step('The tag is v');
		expect(run(script, { GITHUB_REF_NAME: 'v0.2.0' }).status).toBe(0);
		for (const tag of ['v0.2.1', '0.2.0']) {
			const refused = run(script, { GITHUB_REF_NAME: tag });
			expect(refused.status).toBe(1);
			expect(refused.stdout).toContain(`::error::The tag ${tag} does not match package.json's version 0.2.0`);
		}
	});

	it("refuses to publish while package.json's repository is missing or names another repository", () => {
		const script = step('package.json names this repository');
		const env = {
			GITHUB_SERVER_URL: 'https://github.com',
			GITHUB_REPOSITORY: 'acme/n8n-nodes-project-management',
		};
		const url = 'git+https://github.com/acme/n8n-nodes-project-management.git';
		expect(run(script, env, { repository: { type: 'git', url } }).status).toBe(0);
		expect(
			run(script, env, { repository: 'https://github.com/acme/n8n-nodes-project-management' }).status,
		).toBe(0);

		const missing = run(script, env);
		expect(missing.status).toBe(1);
		expect(missing.stdout).toContain(`npm pkg set repository.type=git repository.url=${url}`);
		const elsewhere = run(script, env, { repository: { type: 'git', url: url.replace('acme', 'someone') } });
		expect(elsewhere.status).toBe(1);
	});

	it('passes this package.json once it names the repository, and says how in the README until then', () => {
		const script = step('package.json names this repository');
		const { repository } = manifest as { repository?: { url?: string } | string };
		const url = typeof repository === 'string' ? repository : repository?.url;
		const match = /github\.com[/:]([^/]+\/[^/]+?)(?:\.git)?$/.exec(url ?? '');
		const env = {
			GITHUB_SERVER_URL: 'https://github.com',
			GITHUB_REPOSITORY: match?.[1] ?? 'owner/repository',
		};
		const guarded = run(script, env, { repository });
		if (url === undefined) {
			// No public repository yet: a release would stop here, with the command that fixes it.
			expect(guarded.status).toBe(1);
			const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
			expect(readme).toContain('npm pkg set repository.type=git repository.url=git+https://github.com/');
		} else {
			expect(guarded.status).toBe(0);
		}
	});

	it('upgrades npm only when it is older than 11.5.1 (trusted publishing)', () => {
		const script = step('npm 11.5.1 or newer');
		// A stand-in npm that reports a given version and records every other call.
		const bin = path.join(dir, 'bin');
		mkdirSync(bin);
		const log = path.join(dir, 'npm.log');
		writeFileSync(
			path.join(bin, 'npm'),
			`#!/bin/sh\nif [ "$1" = "--version" ]; then echo "$FAKE_NPM_VERSION"; else echo "$*" >> "${log}"; fi\n`,
		);
		chmodSync(path.join(bin, 'npm'), 0o755);
		const calls = (version: string) => {
			rmSync(log, { force: true });
			const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
				cwd: dir,
				encoding: 'utf8',
				env: { PATH: `${bin}:${process.env.PATH}`, FAKE_NPM_VERSION: version },
			});
			expect(result.status).toBe(0);
			return readFileSync(log, { encoding: 'utf8', flag: 'a+' }).trim();
		};
		for (const old of ['10.9.2', '11.4.2', '11.5.0']) expect(calls(old)).toBe('install --global npm@11');
		for (const recent of ['11.5.1', '11.6.2', '12.0.0']) expect(calls(recent)).toBe('');
	});
});
