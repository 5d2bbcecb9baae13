import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ensureChromium } from '../lib/browser';
import { E2E_ROOT, N8N_LINES, ensureN8nInstalled, packForN8n } from '../lib/n8n';

/** Where globalSetup leaves the path of the unpacked package for the test files (they run in other workers). */
export const EXTENSIONS_FILE = path.join(E2E_ROOT, '.state', 'extensions-path');

/**
 * Before the suite: every n8n line installed from its lockfile (minutes the first time, nothing after), and the
 * package built and packed the way `npm publish` would pack it.
 */
export default async function globalSetup() {
	await ensureN8nInstalled(N8N_LINES, (text) => console.log(text));
	const work = mkdtempSync(path.join(tmpdir(), 'pm-e2e-pack-'));
	const extensions = await packForN8n(work);
	mkdirSync(path.dirname(EXTENSIONS_FILE), { recursive: true });
	writeFileSync(EXTENSIONS_FILE, extensions);
	// The editor tests drive Debian's Chromium.
	ensureChromium((text) => console.log(text));
}
