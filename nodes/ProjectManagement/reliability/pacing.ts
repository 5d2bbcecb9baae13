import type { HeaderBag } from './headers';
import { exhaustedQuotaResetMs, headerValue, parseRetryAfter, policyRatePerSecond } from './headers';
import { RELEASE_SPREAD_MAX_MS, RELEASE_SPREAD_SHARE } from './retry';
import { waitUntil } from './waitUntil';

/**
 * Adaptive pacing: one Pacer is shared by every request to one API (one credential and Base URL) in the n8n
 * process, across the items of a run and across executions (see pacerRegistry.ts), and decides when the next
 * request may start, so that they run at the rate the API grants instead of meeting its limit one by one. Plain
 * code, no n8n types; the clock, the sleep and the randomness are injected so that tests control them.
 *
 * What it reads from every answer (transport/ hands them over):
 * - `RateLimit-Policy` (IETF draft-ietf-httpapi-ratelimit-headers): `"default";q=50;w=1` grants q requests per
 *   w seconds. The batch is spaced to the most restrictive policy, q / w requests per second, from the answer
 *   that first carries it until one carries another (or a success carries no rate-limit field at all).
 * - `RateLimit` of the same draft: `"default";r=0;t=2`. A quota used up (r = 0) holds the whole batch for t
 *   seconds. Other values of r are not used: the policy already sets the pace.
 * - `Retry-After` on 429, or on 503: holds every request until then (at most `maxPauseMs`), not only the
 *   one that got it; its own retry waits for it anyway (retry.ts). When the hold ends and nothing else sets the
 *   pace, the requests it held go out spread over a short window (RELEASE_SPREAD_*), not all at one instant.
 *   A request that may wait less than the hold (its item's rate-limit budget) is refused at once (HoldTooLong).
 * - A 429 (unless its Retry-After is 0) also halves the pace (multiplicative decrease), at most once per
 *   change of pace: 429s of requests started before the last change say nothing about the new pace. The pace
 *   then grows again by RECOVERY_PER_SECOND each second without a 429, and the limit is lifted once it has grown
 *   fourfold or passed the policy or the ceiling. This is what protects an API that sends no rate-limit fields.
 *
 * The user's ceiling (`maxPerSecond`) caps all of it; 0 is none.
 *
 * The first request goes alone (the first to this API in the process, and the first after IDLE_REARM_MS without
 * any): the others start when its answer is in, or after FIRST_ANSWER_GRACE_MS.
 * That answer brings the API's rate-limit fields (so that a small quota is not overrun by the opening burst), and
 * with OAuth2 it is the request for which n8n fetches the token, which the others then use instead of each
 * fetching one.
 */

export interface PacerOptions {
	/** A ceiling in requests per second; 0 (or less) sets none. */
	maxPerSecond: number;
	/** The longest pause one answer may impose on every request. */
	maxPauseMs: number;
	now: () => number;
	sleep: (ms: number) => Promise<void>;
	/** Draws for the spread after a hold; Math.random unless a test fixes them. */
	random?: () => number;
}

/** A request may not wait as long as the API holds every request: the hold ends `holdMs` from now. */
export class HoldTooLong extends Error {
	constructor(readonly holdMs: number) {
		super(`The API asked every request to wait ${Math.ceil(holdMs / 1000)} s`);
		this.name = 'HoldTooLong';
	}
}

/** Given for each request start; handed back with its answer. */
export interface PaceTicket {
	startedAt: number;
	/** The pace the request started under (see `observe`). */
	epoch: number;
	/** How long the request waited for its turn. */
	waitedMs: number;
	/** The part of that wait spent in a hold the API asked for (a rate limit), not in spacing. */
	heldMs: number;
}

/**
 * How long the others wait for the first request's answer at most. Long enough for an ordinary answer (with its
 * rate-limit fields, or the OAuth2 token n8n fetched for it) to arrive; short enough that a first request that
 * hangs until its timeout does not hold the rest of the batch behind it.
 */
export const FIRST_ANSWER_GRACE_MS = 1_000;

/**
 * After this long without a request, the next one goes alone again: what the API announced a while ago may have
 * changed, and a burst after a quiet spell is best opened by one request that brings the current limits.
 */
export const IDLE_REARM_MS = 60_000;

/**
 * The opening after the first answer, when that answer announced no limit: the requests that waited for it do not
 * all go at once. At most OPENING_WINDOW_START are under way, one more for every success, so that the number under
 * way doubles with every round trip (as TCP's slow start does). An API that allows fewer at a time than are
 * waiting answers 429 after a few of them, not after the whole herd; an API without a limit is at full speed after
 * a handful of round trips. The opening ends when the window reaches OPENING_WINDOW_END, after OPENING_MAX_MS, at
 * the first 429 or hold, or when an answer announces a policy (which then sets the pace).
 */
export const OPENING_WINDOW_START = 4;
export const OPENING_WINDOW_END = 64;
export const OPENING_MAX_MS = 2_000;

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
	/** How widely the requests held by the current hold are spread after it, when nothing else spaces them. */
	private releaseSpreadMs = 0;
	/** The earliest moment the next request may start (waiting requests reserve their turn here). */
	private nextSlot = 0;
	private epoch = 0;
	private readonly recentStarts: number[] = [];
	/** Set once the first request has started; resolved when any answer (or failure) has come back. */
	private firstAnswer: Promise<void> | undefined;
	private answered = false;
	private lastStartAt = 0;
	private markAnswered: () => void = () => {};
	/** The opening's window (see OPENING_WINDOW_START) while it lasts. */
	private opening: { window: number; until: number } | undefined;
	/** Requests given a turn whose answer has not been observed yet. */
	private underWay = 0;
	/** Requests waiting for room in the opening's window. */
	private windowWaiters: Array<() => void> = [];

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
	 * ends; a hold that begins while a request waits sends it back into the queue. A hold that would last longer
	 * than `holdLimitMs` from now throws HoldTooLong instead of waiting.
	 */
	async acquire(holdLimitMs = Infinity): Promise<PaceTicket> {
		const { now, sleep } = this.options;
		const random = this.options.random ?? Math.random;
		const requested = now();
		if (this.answered && requested - this.lastStartAt > IDLE_REARM_MS) {
			this.answered = false;
			this.firstAnswer = undefined;
		}
		if (!this.answered) {
			if (this.firstAnswer === undefined) {
				this.firstAnswer = new Promise<void>((resolve) => (this.markAnswered = resolve));
			} else {
				// Not longer than the grace: one slow first request must not hold every other.
				await Promise.race([this.firstAnswer, sleep(FIRST_ANSWER_GRACE_MS)]);
			}
		}
		while (this.openingIsFull(now())) {
			const room = new Promise<void>((resolve) => this.windowWaiters.push(resolve));
			await Promise.race([room, sleep(Math.max(0, (this.opening?.until ?? 0) - now()))]);
		}
		// Counted at once, so that waiters let in together do not all take the same room.
		this.underWay++;
		let current = now();
		let heldMs = 0;
		for (;;) {
			const held = this.pausedUntil > current;
			if (held && this.pausedUntil - current > holdLimitMs) {
				this.underWay--;
				this.letWaitersIn();
				throw new HoldTooLong(this.pausedUntil - current);
			}
			let slot = Math.max(current, this.pausedUntil, this.nextSlot);
			const interval = this.intervalMs(slot);
			if (held && interval === 0) {
				// Nothing spaces the requests the hold kept back: each draws its own moment in a short window after it.
				slot = Math.max(slot, this.pausedUntil + random() * this.releaseSpreadMs);
			} else {
				this.nextSlot = slot + interval;
			}
			if (slot > current) await waitUntil(slot, now, sleep);
			const before = current;
			current = now();
			if (held) heldMs += current - before;
			if (current >= this.pausedUntil) break;
		}
		this.lastStartAt = current;
		this.recentStarts.push(current);
		if (this.recentStarts.length > RECENT_STARTS) this.recentStarts.shift();
		return { startedAt: current, epoch: this.epoch, waitedMs: current - requested, heldMs };
	}

	/**
	 * What an answer says about the pace. `statusCode` is undefined for a network failure, which says nothing.
	 * Without a ticket (a request that did not wait for its turn) a 429 still holds the batch but does not
	 * decrease the pace.
	 */
	observe(ticket: PaceTicket | undefined, statusCode: number | undefined, headers: HeaderBag): void {
		const now = this.options.now();
		const firstAnswer = !this.answered;
		if (firstAnswer) {
			this.answered = true;
			this.markAnswered();
		}
		const policyHeader = headerValue(headers, 'ratelimit-policy');
		const quotaHeader = headerValue(headers, 'ratelimit');
		if (ticket !== undefined) this.underWay = Math.max(0, this.underWay - 1);
		this.observeOpening(
			firstAnswer,
			statusCode,
			policyHeader !== undefined || quotaHeader !== undefined,
			now,
		);
		this.letWaitersIn();
		if (statusCode === undefined) return;
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
			const until = now + Math.min(holdMs, this.options.maxPauseMs);
			if (until > this.pausedUntil) {
				this.pausedUntil = until;
				this.releaseSpreadMs = Math.min(RELEASE_SPREAD_MAX_MS, holdMs * RELEASE_SPREAD_SHARE);
			}
		}

		// "Retry-After: 0" is the API saying that no one needs to slow down.
		if (statusCode === 429 && retryAfterMs !== 0 && ticket !== undefined && ticket.epoch === this.epoch) {
			this.slowDown(now);
		}
	}

	/** Opens the window after a first answer that announced no limit; widens it on a success; ends it. */
	private observeOpening(
		firstAnswer: boolean,
		statusCode: number | undefined,
		/** Whether the answer carried a rate-limit field. */
		announced: boolean,
		now: number,
	): void {
		if (firstAnswer && statusCode !== undefined && statusCode < 300 && !announced) {
			this.opening = { window: OPENING_WINDOW_START, until: now + OPENING_MAX_MS };
			return;
		}
		if (this.opening === undefined) return;
		if (statusCode === 429 || statusCode === 503 || announced) this.opening = undefined;
		else if (statusCode !== undefined && statusCode < 300) this.opening.window++;
		if (this.opening !== undefined && this.opening.window >= OPENING_WINDOW_END) this.opening = undefined;
	}

	private openingIsFull(now: number): boolean {
		if (this.opening !== undefined && now >= this.opening.until) this.opening = undefined;
		return this.opening !== undefined && this.underWay >= this.opening.window;
	}

	private letWaitersIn(): void {
		const waiters = this.windowWaiters;
		this.windowWaiters = [];
		for (const resolve of waiters) resolve();
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

/**
 * A fixed ceiling in requests per second, for the requests of one run (the node's Max Requests per Second): it
 * spaces their starts and learns nothing. The API's own pace is the shared Pacer's.
 */
export class RateCeiling {
	private nextSlot = 0;
	private readonly intervalMs: number;

	constructor(
		perSecond: number,
		private readonly now: () => number,
		private readonly sleep: (ms: number) => Promise<void>,
	) {
		this.intervalMs = 1000 / perSecond;
	}

	/** Waits for the next start this ceiling allows; returns how long that was. */
	async take(): Promise<number> {
		const requested = this.now();
		const slot = Math.max(requested, this.nextSlot);
		this.nextSlot = slot + this.intervalMs;
		if (slot > requested) await waitUntil(slot, this.now, this.sleep);
		return this.now() - requested;
	}
}
