import { parse } from 'yaml';

/**
 * What the GitHub Actions workflows in .github/workflows/ must do, as plain functions over their text, so that the
 * same checks run on the real files and on broken copies of them (test/package/workflows.test.ts). The workflows
 * cannot run on this machine; these checks are what can be known about them here.
 */

export interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, unknown>;
}

export interface Job {
	name?: string;
	'runs-on'?: unknown;
	permissions?: unknown;
	steps?: Step[];
}

export interface Workflow {
	name?: string;
	on?: unknown;
	permissions?: unknown;
	jobs?: Record<string, Job>;
}

/** The node-version n8n needs: n8n 2.36 and later require Node.js 24. */
export const NODE_MAJOR = 24;

/** Parses a workflow file; throws when it is not YAML or not a mapping with jobs. */
export function parseWorkflow(text: string): Workflow {
	const doc: unknown = parse(text, { strict: true, uniqueKeys: true });
	if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
		throw new Error('The workflow is not a YAML mapping');
	}
	const workflow = doc as Workflow;
	if (typeof workflow.jobs !== 'object' || workflow.jobs === null)
		throw new Error('The workflow has no jobs');
	return workflow;
}

/** The shell commands of a run step, one per line or `&&`-part, with `#` comments and blank lines left out. */
export function commandsOf(step: Step): string[] {
	if (typeof step.run !== 'string') return [];
	return step.run
		.split('\n')
		.flatMap((line) => line.split('&&'))
		.map((command) => command.trim())
		.filter((command) => command !== '' && !command.startsWith('#'));
}

/** The npm commands of a run step, as `npm <verb> …`. */
export function npmCommandsOf(step: Step): string[] {
	return commandsOf(step).filter((command) => /^npm\s/.test(command));
}

/** Scripts named by `npm run <script>` in a command. */
function scriptsRunBy(command: string): string[] {
	return [...command.matchAll(/\bnpm\s+run(?:-script)?\s+([\w:.-]+)/g)].map((match) => match[1]);
}

interface Located {
	job: string;
	index: number;
	step: Step;
}

function stepsOf(workflow: Workflow): Located[] {
	return Object.entries(workflow.jobs ?? {}).flatMap(([job, { steps }]) =>
		(steps ?? []).map((step, index) => ({ job, index, step })),
	);
}

const PINNED_ACTION = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/;

/** The major version a `node-version` value asks for, or undefined when it is not a plain version. */
function nodeMajor(value: unknown): number | undefined {
	const match = /^v?(\d+)(?:\.(?:\d+|x)){0,2}$/.exec(String(value ?? '').trim());
	return match ? Number(match[1]) : undefined;
}

/** The permissions a job runs with: its own, or else the workflow's. */
function permissionsOf(workflow: Workflow, job: Job): Record<string, unknown> | string | undefined {
	const permissions = job.permissions ?? workflow.permissions;
	if (permissions === undefined || typeof permissions === 'string') return permissions;
	return permissions as Record<string, unknown>;
}

/** Problems every workflow of this package must not have, in sentences; empty when there are none. */
export function commonProblems(workflow: Workflow, text: string, scripts: Record<string, string>): string[] {
	const problems: string[] = [];
	if (typeof workflow.name !== 'string' || workflow.name.trim() === '')
		problems.push('The workflow has no name');

	// Least privilege at the top; a job that needs more says so itself.
	const top = workflow.permissions;
	if (typeof top !== 'object' || top === null || !('contents' in top)) {
		problems.push('The workflow does not set permissions: contents: read at the top');
	} else {
		for (const [scope, level] of Object.entries(top as Record<string, unknown>)) {
			if (level === 'write') problems.push(`The workflow grants ${scope}: write to every job`);
		}
	}

	for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
		if (!/^ubuntu-/.test(String(job['runs-on'] ?? ''))) problems.push(`Job ${name} does not run on ubuntu`);
		if (!Array.isArray(job.steps) || job.steps.length === 0) problems.push(`Job ${name} has no steps`);
		const permissions = permissionsOf(workflow, job);
		if (typeof permissions === 'string') problems.push(`Job ${name} runs with permissions: ${permissions}`);
	}

	for (const { job, step } of stepsOf(workflow)) {
		if (step.uses === undefined) continue;
		if (!PINNED_ACTION.test(step.uses)) {
			problems.push(`${step.uses} (job ${job}) is not pinned to a full commit SHA`);
			continue;
		}
		const line = text.split('\n').find((candidate) => candidate.includes(`uses: ${step.uses}`));
		if (!line || !/#\s*v\d+(?:\.\d+){0,2}\s*$/.test(line)) {
			problems.push(`${step.uses} (job ${job}) has no "# v<version>" comment naming the release it pins`);
		}
		if (step.uses.startsWith('actions/setup-node@')) {
			const version = step.with?.['node-version'];
			if (nodeMajor(version) !== NODE_MAJOR) {
				problems.push(
					`actions/setup-node (job ${job}) sets node-version ${String(version)}, not ${NODE_MAJOR}`,
				);
			}
		}
	}

	for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
		const steps = job.steps ?? [];
		const firstNpm = steps.findIndex((step) => npmCommandsOf(step).length > 0);
		if (firstNpm === -1) continue;
		const setupNode = steps.findIndex((step) => step.uses?.startsWith('actions/setup-node@'));
		if (setupNode === -1 || setupNode > firstNpm) {
			problems.push(`Job ${name} runs npm before actions/setup-node has put Node ${NODE_MAJOR} in place`);
		}
		const checkout = steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'));
		if (checkout === -1 || checkout > firstNpm) problems.push(`Job ${name} runs npm before checking out`);
		const commands = steps.flatMap((step) => npmCommandsOf(step));
		const clean = commands.findIndex((command) => /^npm\s+ci\b/.test(command));
		const firstRun = commands.findIndex((command) => scriptsRunBy(command).length > 0);
		if (clean === -1)
			problems.push(`Job ${name} does not install with npm ci (a clean install from the lockfile)`);
		else if (firstRun !== -1 && firstRun < clean) problems.push(`Job ${name} runs a script before npm ci`);
		for (const command of commands) {
			if (/^npm\s+(install|i|add)\b/.test(command) && !/\s(--global|-g)\b/.test(command)) {
				problems.push(`Job ${name} runs "${command}": the project is installed with npm ci only`);
			}
			for (const script of scriptsRunBy(command)) {
				if (!(script in scripts))
					problems.push(`Job ${name} runs npm run ${script}, which package.json lacks`);
			}
		}
	}
	return problems;
}

/** The scripts a job runs with `npm run`, in order. */
function scriptsRunIn(job: Job): string[] {
	return (job.steps ?? []).flatMap((step) => npmCommandsOf(step).flatMap(scriptsRunBy));
}

/** What the CI workflow must do: on pull requests and pushes to main, a clean install, lint, scan, fast tests. */
export function ciProblems(workflow: Workflow, text: string, scripts: Record<string, string>): string[] {
	const problems = commonProblems(workflow, text, scripts);
	const on = (workflow.on ?? {}) as Record<string, unknown>;
	if (typeof on !== 'object' || !('pull_request' in on)) problems.push('CI does not run on pull requests');
	const push = on.push as { branches?: unknown } | null | undefined;
	if (!push || !Array.isArray(push.branches) || !push.branches.includes('main')) {
		problems.push('CI does not run on pushes to main');
	}
	const required = ['lint', 'scan', 'test:fast'];
	const covered = Object.values(workflow.jobs ?? {}).some((job) =>
		required.every((script) => scriptsRunIn(job).includes(script)),
	);
	if (!covered) problems.push(`No CI job runs all of ${required.map((s) => `npm run ${s}`).join(', ')}`);
	for (const { job, step } of stepsOf(workflow)) {
		if (npmCommandsOf(step).some((command) => /^npm\s+publish\b/.test(command))) {
			problems.push(`CI job ${job} publishes`);
		}
	}
	if (/id-token:\s*write/.test(text))
		problems.push('CI asks for id-token: write, which only publishing needs');
	return problems;
}

/** Whether a GitHub Actions tag filter (`*` within a segment, `**` across) matches a tag name. */
export function filterMatches(filter: string, tag: string): boolean {
	const pattern = filter
		.split(/(\*\*|\*)/)
		.map((part) =>
			part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
		)
		.join('');
	return new RegExp(`^${pattern}$`).test(tag);
}

/** What the publish workflow must do: on a version tag only, tested, with provenance and an OIDC token. */
export function publishProblems(workflow: Workflow, text: string, scripts: Record<string, string>): string[] {
	const problems = commonProblems(workflow, text, scripts);
	const on = workflow.on;
	const events = typeof on === 'object' && on !== null ? Object.keys(on) : [String(on)];
	if (events.join() !== 'push')
		problems.push(`Publish runs on ${events.join(', ')}, not only on pushed tags`);
	const push = (on as { push?: { tags?: unknown; branches?: unknown } } | undefined)?.push;
	const tags = Array.isArray(push?.tags) ? (push.tags as string[]) : [];
	if (push?.branches !== undefined) problems.push('Publish runs on pushes to branches');
	if (!tags.some((filter) => filterMatches(filter, 'v0.2.0')))
		problems.push('Publish does not run on tag v0.2.0');
	if (tags.some((filter) => filterMatches(filter, 'main') || filterMatches(filter, 'latest'))) {
		problems.push('Publish runs on tags that are not versions');
	}

	const publishing = stepsOf(workflow).filter(({ step }) =>
		npmCommandsOf(step).some((command) => /^npm\s+publish\b/.test(command)),
	);
	if (publishing.length !== 1) {
		problems.push(`${publishing.length} steps run npm publish; one should`);
		return problems;
	}
	const [{ job: jobName, index }] = publishing;
	const job = workflow.jobs![jobName];
	const command = npmCommandsOf(publishing[0].step).find((c) => /^npm\s+publish\b/.test(c))!;
	if (!/\s--provenance\b/.test(command)) problems.push(`"${command}" has no --provenance`);
	if (!/\s--access[\s=]public\b/.test(command)) problems.push(`"${command}" has no --access public`);
	if (/\s--ignore-scripts\b/.test(command))
		problems.push(`"${command}" skips prepublishOnly (lint and scan)`);

	const permissions = permissionsOf(workflow, job);
	const granted = typeof permissions === 'object' ? permissions : {};
	if (granted['id-token'] !== 'write') {
		problems.push(`Job ${jobName} lacks permissions id-token: write (npm's provenance needs the OIDC token)`);
	}
	if (granted.contents === 'write') problems.push(`Job ${jobName} may write to the repository`);

	const before = (job.steps ?? [])
		.slice(0, index)
		.flatMap((step) => npmCommandsOf(step).flatMap(scriptsRunBy));
	for (const script of ['test:fast', 'scan']) {
		if (!before.includes(script)) problems.push(`Job ${jobName} publishes without npm run ${script} first`);
	}
	if (!String(scripts.prepublishOnly ?? '').includes('npm run scan')) {
		problems.push("package.json's prepublishOnly does not run the scan");
	}
	return problems;
}
