import type { FastifyRequest } from 'fastify';

/**
 * The Retry-After header of an answer, with the request's log fields that let a test check that no retry came
 * sooner: `retryAfterSeconds` (what was asked) and `retryNotBefore` (the earliest moment a client honouring
 * the header may send again: now plus the whole seconds, or the HTTP-date itself).
 */
export function retryAfterHeader(
	request: FastifyRequest,
	seconds: number,
	format: 'seconds' | 'http-date',
	now = Date.now(),
): string {
	request.ctx.retryAfterSeconds = seconds;
	if (format === 'seconds') {
		const whole = Math.ceil(seconds);
		request.ctx.retryNotBefore = now + whole * 1000;
		return String(whole);
	}
	// Rounded up to the next whole second (the format has no fractions), so honouring it never retries early.
	const date = Math.ceil((now + seconds * 1000) / 1000) * 1000;
	request.ctx.retryNotBefore = date;
	return new Date(date).toUTCString();
}
