/**
 * Polls until `probe` answers something truthy, and answers that. The bound only stops a broken run: a verdict
 * never depends on how fast the machine is, only on the condition becoming true.
 */
export async function waitFor<T>(
	what: string,
	probe: () => T | Promise<T>,
	options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
	const timeoutMs = options.timeoutMs ?? 30_000;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value as NonNullable<T>;
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
	}
}

/**
 * Polls until `check` answers true, every `everyMs`, for at most `timeoutMs`; a check that throws counts as not
 * yet (a server still starting refuses connections). Throws an error with `describe()` when the time is up.
 */
export async function pollUntil(
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
