import {
	exhaustedQuotaResetMs,
	parseRateLimitMembers,
	policyRatePerSecond,
} from '../../nodes/ProjectManagement/reliability/headers';
import {
	FIRST_ANSWER_GRACE_MS,
	HoldTooLong,
	IDLE_REARM_MS,
	MIN_RATE_PER_SECOND,
	OPENING_MAX_MS,
	OPENING_WINDOW_START,
	Pacer,
	type PaceTicket,
} from '../../nodes/ProjectManagement/reliability/pacing';

/**
 * A clock the test moves by hand: `sleep` resolves when `advance` passes its deadline, so that every wait of the
 * pacer can be checked to the millisecond without real time passing.
 */
class VirtualClock {
	now = 1_000_000;
	private timers: Array<{ at: number; resolve: () => void }> = [];

	readonly read = () => this.now;

	readonly sleep = (ms: number) =>
		new Promise<void>((resolve) => this.timers.push({ at: this.now + Math.max(0, ms), resolve }));

	/** Runs the timers, earliest first, until `promise` has settled; returns its value. */
	async run<T>(promise: Promise<T>): Promise<T> {
		let settled = false;
		void promise.then(
			() => (settled = true),
			() => (settled = true),
		);
		for (let round = 0; round < 100_000; round++) {
			await flush();
			if (settled) return await promise;
			this.timers.sort((a, b) => a.at - b.at);
			const next = this.timers.shift();
			if (next === undefined) throw new Error('nothing left to wait for, and the promise is still pending');
			this.now = Math.max(this.now, next.at);
			next.resolve();
		}
		throw new Error('too many timers');
	}

	async advance(ms: number): Promise<void> {
		const until = this.now + ms;
		for (;;) {
			await flush();
			this.timers.sort((a, b) => a.at - b.at);
			const next = this.timers[0];
			if (next === undefined || next.at > until) break;
			this.timers.shift();
			this.now = Math.max(this.now, next.at);
			next.resolve();
		}
		this.now = until;
		await flush();
	}
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function pacerWith(clock: VirtualClock, maxPerSecond = 0, maxPauseMs = 60_000) {
	return new Pacer({ maxPerSecond, maxPauseMs, now: clock.read, sleep: clock.sleep });
}

const OK = 201;
const policy = (q: number, w: number) => ({ 'ratelimit-policy': `"default";q=${q};w=${w}` });

/** Starts `count` requests at once; records when each got its turn. */
function startMany(pacer: Pacer, count: number) {
	const tickets: Array<PaceTicket | undefined> = Array(count).fill(undefined);
	const all = Promise.all(
		Array.from({ length: count }, async (_, index) => {
			tickets[index] = await pacer.acquire();
		}),
	);
	return { tickets, all, started: () => tickets.filter((ticket) => ticket !== undefined).length };
}

/**
 * A pacer whose first request has been answered with `headers`, and whose opening (the window after a first
 * answer without rate-limit fields) is over: as in the middle of a batch.
 */
async function answeredPacer(clock: VirtualClock, headers: Record<string, string> = {}, maxPerSecond = 0) {
	const pacer = pacerWith(clock, maxPerSecond);
	const first = await clock.run(pacer.acquire());
	pacer.observe(first, OK, headers);
	await clock.advance(OPENING_MAX_MS);
	return pacer;
}

describe('reading the rate-limit fields', () => {
	it('reads the policy of the IETF draft, the most restrictive of several, and the older bare form', () => {
		expect(policyRatePerSecond('"default";q=50;w=1')).toBe(50);
		expect(policyRatePerSecond('"burst";q=100;w=1, "day";q=86400;w=86400')).toBe(1);
		expect(policyRatePerSecond('"a,b";q=10;w=2;pk=:cHJvamVjdA==:')).toBe(5);
		expect(policyRatePerSecond('100;w=60')).toBeCloseTo(100 / 60);
		expect(policyRatePerSecond('"default";q=10')).toBeUndefined();
		expect(policyRatePerSecond('nonsense')).toBeUndefined();
		expect(policyRatePerSecond(undefined)).toBeUndefined();
	});

	it('reads a used-up quota from RateLimit (r=0), and nothing else from it', () => {
		expect(exhaustedQuotaResetMs('"default";r=0;t=3')).toBe(3000);
		expect(exhaustedQuotaResetMs('"default";r=4;t=3')).toBeUndefined();
		expect(exhaustedQuotaResetMs('"default";r=0')).toBeUndefined();
		expect(parseRateLimitMembers('"x";r=1;t=2, "y";r=0;t=9')).toEqual([
			{ params: { r: 1, t: 2 } },
			{ params: { r: 0, t: 9 } },
		]);
	});
});

describe('Pacer: when requests of a batch may start', () => {
	it('sends the first request alone; the others start as soon as its answer is in, a few at first', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		const first = await clock.run(pacer.acquire());
		const rest = startMany(pacer, OPENING_WINDOW_START);
		await clock.advance(500);
		expect(rest.started()).toBe(0);
		pacer.observe(first, OK, {});
		await clock.advance(0);
		expect(rest.started()).toBe(OPENING_WINDOW_START);
		await rest.all;
		expect(rest.tickets.every((ticket) => ticket!.startedAt === clock.now)).toBe(true);
		expect(pacer.ratePerSecond()).toBe(Infinity);
	});

	it('when the first answer announced no limit, the number under way doubles with every round trip', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		const first = await clock.run(pacer.acquire());
		const rest = startMany(pacer, 40);
		pacer.observe(first, OK, {});
		await clock.advance(0);
		expect(rest.started()).toBe(4);
		let answered = 0;
		// Each round trip, every success frees its room and adds one: 4, then 8, then 16 start.
		for (const total of [12, 28]) {
			const started = rest.started();
			for (const ticket of rest.tickets.slice(answered, started)) pacer.observe(ticket, OK, {});
			answered = started;
			await clock.advance(10);
			expect(rest.started()).toBe(total);
		}
	});

	it('a 429 in the opening ends it: the others wait for its Retry-After, then go', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		const first = await clock.run(pacer.acquire());
		const rest = startMany(pacer, 10);
		pacer.observe(first, OK, {});
		await clock.advance(0);
		expect(rest.started()).toBe(4);
		const refusedAt = clock.now;
		pacer.observe(rest.tickets[0], 429, { 'retry-after': '1' });
		// After the hold, at the halved pace of the five that had started.
		await clock.advance(5000);
		expect(rest.started()).toBe(10);
		const later = rest.tickets.slice(4).map((ticket) => ticket!.startedAt);
		expect(Math.min(...later)).toBeGreaterThanOrEqual(refusedAt + 1000);
	});

	it('the opening lasts at most OPENING_MAX_MS, also when no answer comes back', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		const first = await clock.run(pacer.acquire());
		const rest = startMany(pacer, 10);
		pacer.observe(first, OK, {});
		await clock.advance(OPENING_MAX_MS - 1);
		expect(rest.started()).toBe(4);
		await clock.advance(1);
		expect(rest.started()).toBe(10);
	});

	it('no opening window when the first answer announced a policy: the policy paces them', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		const first = await clock.run(pacer.acquire());
		const rest = startMany(pacer, 10);
		pacer.observe(first, OK, policy(100, 1));
		await clock.advance(100);
		expect(rest.started()).toBe(10);
	});

	it('lets the others go after a grace when the first answer is slow to come', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		await clock.run(pacer.acquire());
		const rest = startMany(pacer, 3);
		await clock.advance(FIRST_ANSWER_GRACE_MS - 1);
		expect(rest.started()).toBe(0);
		await clock.advance(1);
		await rest.all;
		expect(rest.started()).toBe(3);
	});

	it('after a quiet spell the next request goes alone again, to learn the current limits', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, {});
		await clock.advance(IDLE_REARM_MS + 1);
		const opener = await clock.run(pacer.acquire());
		const rest = startMany(pacer, 2);
		await clock.advance(10);
		expect(rest.started()).toBe(0);
		pacer.observe(opener, OK, {});
		await rest.all;
		expect(rest.started()).toBe(2);
	});

	it('a hold longer than a request may wait is refused at once, saying how long it is', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, {});
		const ticket = await clock.run(pacer.acquire());
		pacer.observe(ticket, 429, { 'retry-after': '30' });
		await expect(pacer.acquire(10_000)).rejects.toEqual(new HoldTooLong(30_000));
		const waiting = clock.run(pacer.acquire(60_000));
		const started = await waiting;
		expect(started.heldMs).toBeGreaterThanOrEqual(30_000);
	});

	it('the requests one hold kept back go out spread over a short window after it, never before', async () => {
		const clock = new VirtualClock();
		const draws = [0, 0.5, 0.99];
		const pacer = new Pacer({
			maxPerSecond: 0,
			maxPauseMs: 60_000,
			now: clock.read,
			sleep: clock.sleep,
			random: () => draws.shift() ?? 0,
		});
		const first = await clock.run(pacer.acquire());
		// A 429 whose Retry-After is 0 seconds decreases nothing; a 2 s hold that came from elsewhere holds all.
		pacer.observe(first, 503, { 'retry-after': '2' });
		const heldAt = clock.now;
		const rest = startMany(pacer, 3);
		await clock.run(rest.all);
		const starts = rest.tickets.map((ticket) => ticket!.startedAt - heldAt);
		expect(Math.min(...starts)).toBeGreaterThanOrEqual(2000);
		expect(Math.max(...starts)).toBeLessThanOrEqual(2000 + 500);
		expect(new Set(starts).size).toBe(3);
	});

	it('also lets the others go when the first request failed without an answer', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		const first = await clock.run(pacer.acquire());
		const rest = startMany(pacer, 2);
		pacer.observe(first, undefined, {});
		await rest.all;
		expect(rest.started()).toBe(2);
	});

	it("keeps to the user's ceiling: one start every 100 ms at 10 per second", async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, {}, 10);
		const start = clock.now;
		const batch = startMany(pacer, 5);
		await clock.advance(1000);
		await batch.all;
		// The first request was long enough ago: the batch's first goes at once.
		expect(batch.tickets.map((ticket) => ticket!.startedAt - start)).toEqual([0, 100, 200, 300, 400]);
		expect(batch.tickets[4]!.waitedMs).toBe(400);
	});

	it('paces the whole batch to the rate RateLimit-Policy grants, never more in any second', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, policy(50, 1));
		expect(pacer.ratePerSecond()).toBe(50);
		const batch = startMany(pacer, 200);
		await clock.advance(5000);
		await batch.all;
		const starts = batch.tickets.map((ticket) => ticket!.startedAt);
		for (const from of starts) {
			expect(starts.filter((at) => at >= from && at < from + 1000).length).toBeLessThanOrEqual(50);
		}
		expect(Math.max(...starts) - Math.min(...starts)).toBe(199 * 20);
	});

	it('a ceiling below the policy wins; a policy below the ceiling wins', async () => {
		const clock = new VirtualClock();
		expect((await answeredPacer(clock, policy(50, 1), 5)).ratePerSecond()).toBe(5);
		expect((await answeredPacer(clock, policy(10, 2), 100)).ratePerSecond()).toBe(5);
	});

	it('speeds up when the API grants more, and drops the limit when the API stops announcing one', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, policy(10, 1));
		const ticket = await clock.run(pacer.acquire());
		pacer.observe(ticket, OK, policy(100, 1));
		expect(pacer.ratePerSecond()).toBe(100);
		pacer.observe(ticket, OK, {});
		expect(pacer.ratePerSecond()).toBe(Infinity);
	});

	it('holds the whole batch for Retry-After of a 429, and not a millisecond less', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock);
		const throttled = await clock.run(pacer.acquire());
		pacer.observe(throttled, 429, { 'retry-after': '2' });
		const holdEnds = clock.now + 2000;
		const others = startMany(pacer, 3);
		await clock.advance(1999);
		expect(others.started()).toBe(0);
		await clock.advance(1);
		expect(others.started()).toBe(1);
		await clock.run(others.all);
		expect(others.tickets.every((ticket) => ticket!.startedAt >= holdEnds)).toBe(true);
	});

	it('sends a request that was already waiting for its turn back into the queue when a hold begins', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, {}, 10);
		const inFlight = await clock.run(pacer.acquire());
		const waiting = startMany(pacer, 1);
		await clock.advance(50);
		pacer.observe(inFlight, 503, { 'retry-after': '1' });
		await clock.advance(100);
		expect(waiting.started()).toBe(0);
		await clock.advance(1000);
		await waiting.all;
		expect(waiting.tickets[0]!.startedAt).toBeGreaterThanOrEqual(inFlight.startedAt + 50 + 1000);
	});

	it('holds the batch when RateLimit says the quota is used up, also on a success', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock);
		const last = await clock.run(pacer.acquire());
		pacer.observe(last, OK, { ratelimit: '"default";r=0;t=3' });
		expect(pacer.holdUntil).toBe(clock.now + 3000);
	});

	it('holds at most for Max Wait: a longer Retry-After fails the item, not the batch', async () => {
		const clock = new VirtualClock();
		const pacer = new Pacer({ maxPerSecond: 0, maxPauseMs: 5000, now: clock.read, sleep: clock.sleep });
		const first = await clock.run(pacer.acquire());
		pacer.observe(first, 429, { 'retry-after': '3600' });
		expect(pacer.holdUntil).toBe(clock.now + 5000);
	});

	it('halves the pace on a 429, once for all the requests started at the same pace', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, policy(40, 1));
		const sameBurst = [
			await clock.run(pacer.acquire()),
			await clock.run(pacer.acquire()),
			await clock.run(pacer.acquire()),
		];
		for (const ticket of sameBurst) pacer.observe(ticket, 429, { 'retry-after': '1', ...policy(40, 1) });
		expect(pacer.ratePerSecond()).toBe(20);
		await clock.advance(1000);
		// A request started at the new pace that is refused again halves it again.
		const later = await clock.run(pacer.acquire());
		pacer.observe(later, 429, { 'retry-after': '1', ...policy(40, 1) });
		expect(pacer.ratePerSecond()).toBeLessThan(20);
	});

	it('does not count 429s of the opening requests sent before the policy was known', async () => {
		const clock = new VirtualClock();
		const pacer = pacerWith(clock);
		const first = await clock.run(pacer.acquire());
		pacer.observe(first, OK, {});
		const opening = [await clock.run(pacer.acquire()), await clock.run(pacer.acquire())];
		pacer.observe(opening[0], 429, { 'retry-after': '1', ...policy(10, 1) });
		pacer.observe(opening[1], 429, { 'retry-after': '1', ...policy(10, 1) });
		expect(pacer.ratePerSecond()).toBe(10);
	});

	it('without any rate-limit field, a 429 halves the pace the batch had, and it recovers to the ceiling', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, {}, 100);
		const ticket = await clock.run(pacer.acquire());
		pacer.observe(ticket, 429, { 'retry-after': '1' });
		expect(pacer.ratePerSecond()).toBe(50);
		await clock.advance(2000);
		const recovering = pacer.ratePerSecond();
		expect(recovering).toBeGreaterThan(50);
		expect(recovering).toBeLessThan(100);
		await clock.advance(10_000);
		expect(pacer.ratePerSecond()).toBe(100);
	});

	it('without a ceiling either, halves the pace measured from recent starts, and lifts the limit later', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock);
		const burst = startMany(pacer, 30);
		await burst.all;
		// 30 starts within the last second (the first request was two seconds earlier).
		pacer.observe(burst.tickets[0], 429, {});
		expect(pacer.ratePerSecond()).toBe(15);
		await clock.advance(60_000);
		expect(pacer.ratePerSecond()).toBe(Infinity);
	});

	it('never goes below the minimum pace', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, {}, 1);
		const ticket = await clock.run(pacer.acquire());
		pacer.observe(ticket, 429, {});
		expect(pacer.ratePerSecond()).toBe(MIN_RATE_PER_SECOND);
	});

	it('"Retry-After: 0" and a 503 leave the pace as it was', async () => {
		const clock = new VirtualClock();
		const pacer = await answeredPacer(clock, {}, 100);
		const ticket = await clock.run(pacer.acquire());
		pacer.observe(ticket, 429, { 'retry-after': '0' });
		pacer.observe(ticket, 503, { 'retry-after': '1' });
		pacer.observe(ticket, 500, {});
		expect(pacer.ratePerSecond()).toBe(100);
		expect(pacer.holdUntil).toBe(clock.now + 1000);
	});
});
