import type { HeaderBag } from './headers';
import { exhaustedQuotaResetMs, headerValue, parseRetryAfter, policyRatePerSecond } from './headers';
import { waitUntil } from './waitUntil';

/**
 * Adaptive pacing: one Pacer is shared by every item of one run of the node and decides when the next request
 * of the batch may start, so that the batch runs at the rate the API grants instead of meeting its limit item
 * by item. Plain code, no n8n types; the clock and the sleep are injected so that tests control time.
 *
 * What it reads from every answer (transport/ hands them over):
 * - `RateLimit-Policy` (IETF draft-ietf-httpapi-ratelimit-headers): `"default";q=50;w=1` grants q requests per
 *   w seconds. The batch is spaced to the most restrictive policy, q / w requests per second, from the answer
 *   that first carries it until one carries another (or a success carries no rate-limit field at all).
 * - `RateLimit` of the same draft: `"default";r=0;t=2`. A quota used up (r = 0) holds the whole batch for t
 *   seconds. Other values of r are not used: the policy already sets the pace.
 * - `Retry-After` on 429, or on 503: holds the whole batch until then (at most `maxPauseMs`), not only the
 *   item that got it; the item's own retry waits for it anyway (helpers/retry.ts).
 * - A 429 (unless its Retry-After is 0) also halves the pace (multiplicative decrease), at most once per
 *   change of pace: 429s of requests started before the last change say nothing about the new pace. The pace
 *   then grows again by RECOVERY_PER_SECOND each second without a 429, and the limit is lifted once it has grown
 *   fourfold or passed the policy or the ceiling. This is what protects an API that sends no rate-limit fields.
 *
 * The user's ceiling (`maxPerSecond`) caps all of it; 0 is none.
 *
 * The first request of a batch goes alone: the others start when its answer is in, or after FIRST_ANSWER_GRACE_MS.
 * That answer brings the API's rate-limit fields (so that a small quota is not overrun by the opening burst), and
 * with OAuth2 it is the request for which n8n fetches the token, which the others then use instead of each
 * fetching one.
 */

export interface PacerOptions {
	/** The user's ceiling in requests per second; 0 (or less) sets none. */
	maxPerSecond: number;
	/** The longest pause one answer may impose on the whole batch (the node's Max Wait). */
	maxPauseMs: number;
	now: () => number;
	sleep: (ms: number) => Promise<void>;
}

/** Given for each request start; handed back with its answer. */
export interface PaceTicket {
	startedAt: number;
	/** The pace the request started under (see `observe`). */
	epoch: number;
	/** How long the request waited for its turn. */
	waitedMs: number;
}

/**
 * How long the others wait for the first request's answer at most. Long enough for an ordinary answer (with its
 * rate-limit fields, or the OAuth2 token n8n fetched for it) to arrive; short enough that a first request that
 * hangs until its timeout does not hold the rest of the batch behind it.
 */
export const FIRST_ANSWER_GRACE_MS = 1_000;

/** The slowest pace the decrease goes down to, in requests per second; a Retry-After pause still applies. */
export const MIN_RATE_PER_SECOND = 1;
/** Growth of a decreased pace per second without a 429. */
export const RECOVERY_PER_SECOND = 1.2;
/** A decreased pace is lifted once it has grown this much. */
const LIFT_FACTOR = 4;
/** Request starts kept to measure the pace the batch had when a 429 came without any known limit. */
const RECENT_STARTS = 128;

export class Pacer {
	private readonly ceiling: number;
	/** Requests per second from RateLimit-Policy, when the API published one. */
	private policyRate: number | undefined;
	/** The decreased pace after a 429, and when it was set; undefined while no decrease holds. */
	private decreased: { rate: number; at: number } | undefined;
	private pausedUntil = 0;
	/** The earliest moment the next request may start (waiting requests reserve their turn here). */
	private nextSlot = 0;
	private epoch = 0;
	private readonly recentStarts: number[] = [];
	/** Set once the first request has started; resolved when any answer (or failure) has come back. */
	private firstAnswer: Promise<void> | undefined;
	private answered = false;
	private markAnswered: () => void = () => {};

	constructor(private readonly options: PacerOptions) {
		this.ceiling = options.maxPerSecond > 0 ? options.maxPerSecond : Infinity;
	}

	/** The pace in requests per second right now; Infinity when nothing limits it. */
	ratePerSecond(now = this.options.now()): number {
		return Math.min(this.ceiling, this.policyRate ?? Infinity, this.decreasedRate(now));
	}

	/** Until when the whole batch is held (ms since the epoch), 0 if it never was. */
	get holdUntil(): number {
		return this.pausedUntil;
	}

	/**
	 * Waits for the next request's turn. Turns are spaced by the current pace and never begin before a hold
	 * ends; a hold that begins while a request waits sends it back into the queue.
	 */
	async acquire(): Promise<PaceTicket> {
		const { now, sleep } = this.options;
		const requested = now();
		if (!this.answered) {
			if (this.firstAnswer === undefined) {
				this.firstAnswer = new Promise<void>((resolve) => (this.markAnswered = resolve));
			} else {
				// Not longer than the grace: one slow first request must not hold every other.
				await Promise.race([this.firstAnswer, sleep(FIRST_ANSWER_GRACE_MS)]);
			}
		}
		let current = now();
		for (;;) {
			const slot = Math.max(current, this.pausedUntil, this.nextSlot);
			this.nextSlot = slot + this.intervalMs(slot);
			if (slot > current) await waitUntil(slot, now, sleep);
			current = now();
			if (current >= this.pausedUntil) break;
		}
		this.recentStarts.push(current);
		if (this.recentStarts.length > RECENT_STARTS) this.recentStarts.shift();
		return { startedAt: current, epoch: this.epoch, waitedMs: current - requested };
	}

	/**
	 * What an answer says about the pace. `statusCode` is undefined for a network failure, which says nothing.
	 * Without a ticket (a request that did not wait for its turn) a 429 still holds the batch but does not
	 * decrease the pace.
	 */
	observe(ticket: PaceTicket | undefined, statusCode: number | undefined, headers: HeaderBag): void {
		if (!this.answered) {
			this.answered = true;
			this.markAnswered();
		}
		if (statusCode === undefined) return;
		const now = this.options.now();
		const policyHeader = headerValue(headers, 'ratelimit-policy');
		const quotaHeader = headerValue(headers, 'ratelimit');
		const policy = policyRatePerSecond(policyHeader);
		if (policy !== undefined && policy !== this.policyRate) {
			this.policyRate = policy;
			this.epoch++;
		} else if (
			policy === undefined &&
			statusCode < 300 &&
			policyHeader === undefined &&
			quotaHeader === undefined &&
			this.policyRate !== undefined
		) {
			// The API no longer announces a limit.
			this.policyRate = undefined;
			this.epoch++;
		}

		const retryAfterMs =
			statusCode === 429 || statusCode === 503
				? parseRetryAfter(headerValue(headers, 'retry-after'), now)
				: undefined;
		const holdMs = retryAfterMs ?? exhaustedQuotaResetMs(quotaHeader);
		if (holdMs !== undefined && holdMs > 0) {
			this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(holdMs, this.options.maxPauseMs));
		}

		// "Retry-After: 0" is the API saying that no one needs to slow down.
		if (statusCode === 429 && retryAfterMs !== 0 && ticket !== undefined && ticket.epoch === this.epoch) {
			this.slowDown(now);
		}
	}

	private slowDown(now: number): void {
		const current = this.ratePerSecond(now);
		const from = Number.isFinite(current) ? current : this.observedRate(now);
		this.decreased = { rate: Math.max(MIN_RATE_PER_SECOND, from / 2), at: now };
		this.epoch++;
	}

	private decreasedRate(now: number): number {
		if (this.decreased === undefined) return Infinity;
		const { rate, at } = this.decreased;
		const grown = rate * RECOVERY_PER_SECOND ** (Math.max(0, now - at) / 1000);
		if (grown >= rate * LIFT_FACTOR || grown >= Math.min(this.ceiling, this.policyRate ?? Infinity)) {
			this.decreased = undefined;
			this.epoch++;
			return Infinity;
		}
		return grown;
	}

	private intervalMs(now: number): number {
		const rate = this.ratePerSecond(now);
		return Number.isFinite(rate) ? 1000 / rate : 0;
	}

	/** Requests started in the last second (or, when more were kept than that, their rate). */
	private observedRate(now: number): number {
		const starts = this.recentStarts;
		const recent = starts.filter((startedAt) => startedAt > now - 1000);
		if (recent.length === RECENT_STARTS && starts.length > 1) {
			return (recent.length * 1000) / Math.max(1, now - recent[0]);
		}
		return Math.max(MIN_RATE_PER_SECOND, recent.length);
	}
}
