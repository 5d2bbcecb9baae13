/**
 * `npm run dev`: the package in a real n8n editor, ready to use. Builds and packs the package, starts the
 * reference API on loopback, and starts n8n 2.x (installed under e2e/n8n/2.x) with the package loaded as a
 * custom extension, demo credentials of both kinds and a sample workflow, signed up with a fixed owner.
 * The n8n home lives in .dev/n8n, so workflows built there survive restarts; Ctrl-C stops everything.
 *
 *   npm run dev                     # editor on http://127.0.0.1:5678, API on http://127.0.0.1:5680
 *   npm run dev -- --port 5700      # another editor port
 *   PM_DEV_DIR=/tmp/pm-dev npm run dev   # another folder for the n8n home and the packed package
 */

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { packForN8n } from '../harness/package/pack';
import { PACKAGE_ROOT } from '../harness/package/paths';
import { portIsFree } from '../harness/ports';
import {
	DEV_API_KEY_CREDENTIAL,
	DEV_OAUTH2_CREDENTIAL,
	DEV_SAMPLE_WORKFLOW,
	READY_LINE,
	devCredentials,
	sampleWorkflow,
} from '../harness/realN8n/devEnvironment';
import { N8nHome } from '../harness/realN8n/home';
import { ensureN8nInstalled } from '../harness/realN8n/install';
import { OWNER } from '../harness/realN8n/restClient';
import { N8nServer } from '../harness/realN8n/server';
import { DEMO_CREDENTIALS, startReferenceApi, type RunningReferenceApi } from '../reference-api/src';

const DEFAULT_PORT = 5678;
const DEFAULT_API_PORT = 5680;

const USAGE = `Usage: npm run dev -- [options]

  --port <n>      the n8n editor's port (default ${DEFAULT_PORT})
  --api-port <n>  the reference API's port (default ${DEFAULT_API_PORT}, or a free one if that is taken)
  --quiet         do not show n8n's own log
  --help          show this help

Environment: PM_DEV_DIR, the folder for the n8n home and the packed package (default .dev).`;

function port(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined) return fallback;
	const parsed = Number(value);
	if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
		throw new Error(`--${name} needs a port number, got '${value}'`);
	return parsed;
}

async function startApi(preferred: number): Promise<RunningReferenceApi> {
	try {
		return await startReferenceApi({ port: preferred });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || preferred === 0) throw error;
		console.log(`  port ${preferred} is taken; the reference API takes a free one`);
		return startReferenceApi({ port: 0 });
	}
}

function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

async function main() {
	const { values } = parseArgs({
		args: process.argv.slice(2),
		strict: true,
		allowPositionals: false,
		options: {
			port: { type: 'string' },
			'api-port': { type: 'string' },
			quiet: { type: 'boolean' },
			help: { type: 'boolean' },
		},
	});
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const editorPort = port('port', values.port, DEFAULT_PORT);
	const apiPort = port('api-port', values['api-port'], DEFAULT_API_PORT);
	const devDir = path.resolve(PACKAGE_ROOT, process.env.PM_DEV_DIR ?? '.dev');
	const started = Date.now();

	// Checked first: n8n's readiness probe would otherwise greet whatever already listens there.
	if (!(await portIsFree(editorPort))) {
		throw new Error(
			`Port ${editorPort} is in use (another n8n, or npm run dev still running?); choose another with --port`,
		);
	}

	// A signal during start-up is acted on once the step under way has ended, so nothing is left running.
	// Ctrl-C reaches this process more than once (from the terminal, and relayed by npm and tsx); stopping
	// is bounded anyway (n8n gets SIGKILL if it has not ended 15 s after SIGTERM).
	let signalled: string | undefined;
	const signal = new Promise<string>((resolve) => {
		for (const name of ['SIGINT', 'SIGTERM'] as const) {
			process.on(name, () => {
				signalled ??= name === 'SIGINT' ? 'Ctrl-C' : name;
				resolve(signalled);
			});
		}
	});

	let api: RunningReferenceApi | undefined;
	let server: N8nServer | undefined;
	try {
		console.log('Installing n8n 2.x if needed...');
		await ensureN8nInstalled('2.x', (line) => console.log(line));

		console.log('Building and packing the package...');
		const packDir = path.join(devDir, 'package');
		rmSync(packDir, { recursive: true, force: true });
		const extensions = await packForN8n(packDir);
		if (signalled) return;

		api = await startApi(apiPort);
		console.log(`Reference API on ${api.url}`);

		const homeDir = path.join(devDir, 'n8n');
		const fresh = !existsSync(homeDir);
		mkdirSync(homeDir, { recursive: true });
		const home = new N8nHome('2.x', { root: homeDir, extensions });
		console.log(
			`${fresh ? 'Creating' : 'Reusing'} the n8n home ${homeDir}; importing the demo credentials...`,
		);
		await home.importCredentials(devCredentials(api.url));
		// Imported once: a user's changes to the sample (or its deletion) survive restarts.
		const sampleMarker = path.join(homeDir, '.sample-workflow-imported');
		if (!existsSync(sampleMarker)) {
			await home.importWorkflow(sampleWorkflow());
			writeFileSync(sampleMarker, `${DEV_SAMPLE_WORKFLOW.id}\n`);
		}
		if (signalled) return;

		console.log('Starting n8n...');
		server = await N8nServer.start(home, {
			port: editorPort,
			lifetimeSeconds: 0,
			inheritOutput: !values.quiet,
		});
		if (signalled) return;

		const banner = [
			'',
			`${READY_LINE} (${seconds(started)}).`,
			'',
			`  n8n editor:      ${server.url}/`,
			`  sign in as:      ${OWNER.email}`,
			`  password:        ${OWNER.password}`,
			`  sample workflow: ${server.url}/workflow/${DEV_SAMPLE_WORKFLOW.id}`,
			`  credentials:     "${DEV_API_KEY_CREDENTIAL.name}", "${DEV_OAUTH2_CREDENTIAL.name}"`,
			`  reference API:   ${api.url} (in memory: projects are gone after a restart)`,
			'  to make a credential of your own (the demo API accepts these; they are not secrets):',
			`    Base URL:      ${api.url}`,
			`    API key:       ${DEMO_CREDENTIALS.apiKey}`,
			`    OAuth2 client: ${DEMO_CREDENTIALS.oauthClientId} / ${DEMO_CREDENTIALS.oauthClientSecret}`,
			`  n8n home:        ${homeDir} (delete it to start from scratch)`,
			'',
			'Open a workflow, add a node and search for "Project Management". Ctrl-C stops everything.',
			'',
		];
		console.log(banner.join('\n'));

		const ended = await Promise.race([server.waitForExit(), signal]);
		if (typeof ended !== 'string') {
			console.error(`n8n ended on its own (exit code ${ended.code}, signal ${ended.signal}).`);
			process.exitCode = 1;
		}
	} finally {
		if (server || api)
			console.log(`\n${signalled ? `${signalled}: s` : 'S'}topping n8n and the reference API...`);
		await server?.stop();
		await api?.close();
		if (server || api) console.log('Stopped.');
	}
}

main().then(
	() => process.exit(process.exitCode ?? 0),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
