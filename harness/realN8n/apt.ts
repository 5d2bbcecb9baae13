import { spawnSync } from 'node:child_process';

/**
 * Debian packages the real-n8n tools need beside n8n (Chromium for the editor tests, PostgreSQL and Redis for
 * queue mode), installed with apt-get when missing, the way browser.ts installs Chromium.
 */
export function ensureDebianPackages(options: {
	/** What the packages are for, in the messages. */
	what: string;
	packages: string[];
	/** Whether what is needed is there already (checked before and after installing). */
	present: () => boolean;
	log?: (line: string) => void;
}): void {
	if (options.present()) return;
	const log = options.log ?? console.log;
	const list = options.packages.join(' ');
	log(`${options.what} is missing: installing ${list} with apt-get (a minute or two, once).`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () =>
		spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...options.packages], {
			env,
			encoding: 'utf8',
		});
	let result = install();
	if (result.status !== 0) {
		// A fresh machine may have no package lists yet.
		spawnSync('apt-get', ['update'], { env, encoding: 'utf8' });
		result = install();
	}
	if (result.status !== 0 || !options.present()) {
		throw new Error(
			`Could not install ${options.what} (apt-get exit ${result.status}); install it by hand ` +
				`(apt-get install ${list}).\n${(result.stderr ?? '').slice(-2000)}`,
		);
	}
}
