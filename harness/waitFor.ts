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
