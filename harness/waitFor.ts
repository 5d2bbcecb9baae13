/**
 * Polls until `check` answers true, every `everyMs`, for at most `timeoutMs`; a check that throws counts as not
 * yet. Throws an error with `describe()` when the time is up. For waiting on a condition instead of a fixed sleep.
 */
export async function waitFor(
	check: () => Promise<boolean>,
	options: { timeoutMs: number; everyMs?: number; describe: () => string },
): Promise<void> {
	const deadline = Date.now() + options.timeoutMs;
	for (;;) {
		if (await check().catch(() => false)) return;
		if (Date.now() > deadline) throw new Error(options.describe());
		await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 500));
	}
}
