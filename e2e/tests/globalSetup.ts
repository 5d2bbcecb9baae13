import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { packForN8n } from '../../harness/package/pack';
import { ensureChromium } from '../../harness/realN8n/browser';
import { E2E_ROOT, N8N_LINES, ensureN8nInstalled } from '../../harness/realN8n/install';
import { ensurePostgres } from '../../harness/realN8n/postgres';
import { ensureRedis } from '../../harness/realN8n/redis';

/** Where globalSetup leaves the path of the unpacked package for the test files (they run in other workers). */
const EXTENSIONS_FILE = path.join(E2E_ROOT, '.state', 'extensions-path');

/** For the test files: the folder of custom extensions in which globalSetup unpacked the package. */
export function packedExtensions(): string {
	if (!existsSync(EXTENSIONS_FILE)) throw new Error('e2e globalSetup did not run');
	return readFileSync(EXTENSIONS_FILE, 'utf8').trim();
}

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
	// The queue-mode test (burst.e2e.test.ts, n8n 2.x) runs its own PostgreSQL and Redis.
	if (N8N_LINES.includes('2.x')) {
		ensurePostgres((text) => console.log(text));
		ensureRedis((text) => console.log(text));
	}
}
