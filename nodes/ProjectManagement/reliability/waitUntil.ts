/**
 * Waits until the clock reaches `deadlineMs`. Timers may fire a little early (they count from the event loop's
 * cached time), so the clock is read again after each sleep: a retry is never sent before the moment the API
 * named. Bounded: after `maxRounds` sleeps it returns whatever the clock says.
 */
export async function waitUntil(
	deadlineMs: number,
	now: () => number,
	sleep: (ms: number) => Promise<void>,
	maxRounds = 10,
): Promise<void> {
	for (let round = 0; round < maxRounds; round++) {
		const remaining = deadlineMs - now();
		if (remaining <= 0) return;
		// A margin of 0, 1, 3, 7 … ms on later rounds outgrows any steady early wake-up.
		await sleep(remaining + 2 ** round - 1);
	}
}
