import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium, type BrowserContext } from 'playwright-core';

/**
 * A real browser for the editor tests: Debian's Chromium, driven by playwright-core (which never downloads a
 * browser of its own). Installed with apt when missing.
 */

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags that keep Chromium headless and quiet: without the background-networking ones it keeps reaching for
 * Google's hosts, which a closed network answers with nothing but waits.
 */
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

/** Installs Debian's Chromium (`apt-get install chromium`) unless it is already there. */
export function ensureChromium(log: (line: string) => void = console.log): string {
	if (existsSync(CHROMIUM)) return CHROMIUM;
	log(`Chromium is missing at ${CHROMIUM}: installing it with apt-get (a minute or two, once).`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () =>
		spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, encoding: 'utf8' });
	let result = install();
	if (result.status !== 0) {
		// A fresh machine may have no package lists yet.
		spawnSync('apt-get', ['update'], { env, encoding: 'utf8' });
		result = install();
	}
	if (result.status !== 0 || !existsSync(CHROMIUM)) {
		throw new Error(
			`Could not install Chromium (apt-get exit ${result.status}); install it by hand ` +
				`(apt-get install chromium) or point E2E_CHROMIUM at a Chromium binary.\n${(result.stderr ?? '').slice(-2000)}`,
		);
	}
	return CHROMIUM;
}

export interface RunningBrowser {
	context: BrowserContext;
	/** Closes the browser and removes its profile folder; safe to call twice. */
	close(): Promise<void>;
}

/**
 * Chromium with a fresh profile folder (a persistent context: Playwright's way of passing `--user-data-dir`),
 * its window sized like a laptop screen.
 */
export async function launchBrowser(
	options: { width?: number; height?: number } = {},
): Promise<RunningBrowser> {
	const profile = mkdtempSync(path.join(tmpdir(), 'pm-e2e-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: ensureChromium(),
		headless: true,
		args: CHROMIUM_ARGS,
		timeout: 60_000,
		viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
		locale: 'en-US',
		timezoneId: 'UTC',
	});
	let closed = false;
	return {
		context,
		close: async () => {
			if (closed) return;
			closed = true;
			await context.close().catch(() => undefined);
			rmSync(profile, { recursive: true, force: true });
		},
	};
}
