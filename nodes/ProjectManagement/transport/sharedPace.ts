import { sleep } from 'n8n-workflow';

import { Registry } from '../reliability/pacerRegistry';
import { Pacer } from '../reliability/pacing';
import type { Connection } from './connection';

/** The longest one answer may hold every request to an API; an item that may wait less is refused at once. */
const MAX_HOLD_MS = 60 * 60_000;

/** The pace of each API this n8n process calls, shared by all its executions (see reliability/pacerRegistry.ts). */
const pacers = new Registry(
	() => new Pacer({ maxPerSecond: 0, maxPauseMs: MAX_HOLD_MS, now: Date.now, sleep }),
	Date.now,
);

export function sharedPacer(connection: Connection): Pacer {
	return pacers.get(connection.paceKey);
}
