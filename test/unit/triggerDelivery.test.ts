import { newSecret, signatureOf } from '../../reference-api/src/webhooks/signature';
import { eventItem, readEvent } from '../../nodes/ProjectManagementTrigger/delivery/eventOutput';
import {
	MAX_SUBSCRIPTIONS,
	forgetInProcess,
	takeInProcess,
} from '../../nodes/ProjectManagementTrigger/delivery/processRecord';
import {
	DEDUPE_MAX_EVENTS,
	DEDUPE_WINDOW_MS,
	readSeenEvents,
	wasSeen,
	withSeen,
	type SeenEvents,
} from '../../nodes/ProjectManagementTrigger/delivery/seenEvents';
import {
	TIMESTAMP_TOLERANCE_SECONDS,
	isSigningSecret,
	verifyDelivery,
} from '../../nodes/ProjectManagementTrigger/delivery/signature';

/**
 * The trigger's plain functions: the Standard Webhooks check of a delivery (signed here by the reference API's own
 * signer, and by the specification's published example), the record of event ids taken, and the item an event
 * becomes.
 */

const NOW = 1_800_000_000;

function signed(secret: string, body: string, id = 'evt_0123456789abcdef01234567', timestamp = NOW) {
	return {
		headers: { id, timestamp: String(timestamp), signature: signatureOf(secret, id, timestamp, body) },
		raw: Buffer.from(body, 'utf8'),
	};
}

describe('a delivery signed the Standard Webhooks way', () => {
	const secret = newSecret();
	const body = JSON.stringify({
		id: 'evt_0123456789abcdef01234567',
		type: 'project.created',
		note: 'ünïcødé ✓',
	});

	it('is accepted with its event id when the signature and the time are right', () => {
		const { headers, raw } = signed(secret, body);
		expect(verifyDelivery(secret, headers, raw, NOW)).toEqual({
			ok: true,
			eventId: 'evt_0123456789abcdef01234567',
		});
	});

	it("matches the specification's published example (key = the base64 after whsec_)", () => {
		const verdict = verifyDelivery(
			'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
			{
				id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
				timestamp: '1614265330',
				signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
			},
			Buffer.from('{"test": 2432232314}'),
			1614265330,
		);
		expect(verdict).toEqual({ ok: true, eventId: 'msg_p5jXN8AQM9LWM0D4loKWxJek' });
	});

	it('is accepted when one of several space-separated signatures matches', () => {
		const { headers, raw } = signed(secret, body);
		const other = signed(newSecret(), body).headers.signature;
		const verdict = verifyDelivery(
			secret,
			{ ...headers, signature: `v0,abc ${other} ${headers.signature}` },
			raw,
			NOW,
		);
		expect(verdict.ok).toBe(true);
	});

	it('is refused when signed with another secret, or when the body, id or timestamp was changed', () => {
		const { headers, raw } = signed(secret, body);
		const forged = signed(newSecret(), body);
		expect(verifyDelivery(secret, forged.headers, forged.raw, NOW)).toEqual({
			ok: false,
			reason: 'badSignature',
		});
		expect(verifyDelivery(secret, headers, Buffer.from(body.replace('created', 'deleted')), NOW)).toEqual({
			ok: false,
			reason: 'badSignature',
		});
		expect(verifyDelivery(secret, { ...headers, id: 'evt_other' }, raw, NOW)).toEqual({
			ok: false,
			reason: 'badSignature',
		});
		expect(verifyDelivery(secret, { ...headers, timestamp: String(NOW - 1) }, raw, NOW)).toEqual({
			ok: false,
			reason: 'badSignature',
		});
		// Only v1 counts; a signature of the right bytes under another version label does not.
		const relabelled = headers.signature.replace(/^v1,/, 'v2,');
		expect(verifyDelivery(secret, { ...headers, signature: relabelled }, raw, NOW).ok).toBe(false);
	});

	it(`is refused when its timestamp is more than ${TIMESTAMP_TOLERANCE_SECONDS} s from now, either way`, () => {
		for (const offset of [TIMESTAMP_TOLERANCE_SECONDS, -TIMESTAMP_TOLERANCE_SECONDS]) {
			const { headers, raw } = signed(secret, body, undefined, NOW + offset);
			expect(verifyDelivery(secret, headers, raw, NOW).ok).toBe(true);
		}
		for (const offset of [TIMESTAMP_TOLERANCE_SECONDS + 1, -TIMESTAMP_TOLERANCE_SECONDS - 1, -3600]) {
			const { headers, raw } = signed(secret, body, undefined, NOW + offset);
			expect(verifyDelivery(secret, headers, raw, NOW)).toEqual({ ok: false, reason: 'stale' });
		}
	});

	it('is refused when a header is missing or malformed, or when no secret is held', () => {
		const { headers, raw } = signed(secret, body);
		for (const broken of [
			{ ...headers, id: undefined },
			{ ...headers, timestamp: undefined },
			{ ...headers, signature: undefined },
			{ ...headers, timestamp: '17e8' },
			{ ...headers, timestamp: '-5' },
			{ ...headers, id: 'evt with spaces' },
			{ ...headers, id: 'x'.repeat(201) },
		]) {
			expect(verifyDelivery(secret, broken, raw, NOW)).toEqual({ ok: false, reason: 'badHeaders' });
		}
		expect(verifyDelivery(undefined, headers, raw, NOW)).toEqual({ ok: false, reason: 'notSubscribed' });
		expect(verifyDelivery('not-a-secret', headers, raw, NOW)).toEqual({ ok: false, reason: 'notSubscribed' });
	});

	it('takes secrets of the form whsec_<base64 key of 16 bytes or more>', () => {
		expect(isSigningSecret(newSecret())).toBe(true);
		expect(isSigningSecret('whsec_')).toBe(false);
		expect(isSigningSecret('whsec_c2hvcnQ=')).toBe(false);
		expect(isSigningSecret(undefined)).toBe(false);
	});
});

describe('the record of event ids taken', () => {
	const T = 1_800_000_000_000;

	it('recognises an id taken within the window, and forgets it after', () => {
		const seen = withSeen([], 'evt_a', T);
		expect(wasSeen(seen, 'evt_a', T + 1)).toBe(true);
		expect(wasSeen(seen, 'evt_a', T + DEDUPE_WINDOW_MS - 1)).toBe(true);
		expect(wasSeen(seen, 'evt_a', T + DEDUPE_WINDOW_MS)).toBe(false);
		expect(wasSeen(seen, 'evt_b', T)).toBe(false);
	});

	it(`holds at most ${DEDUPE_MAX_EVENTS} ids, dropping the oldest, and none past the window`, () => {
		let seen: SeenEvents = [];
		for (let index = 0; index < DEDUPE_MAX_EVENTS + 5; index++)
			seen = withSeen(seen, `evt_${index}`, T + index);
		expect(seen).toHaveLength(DEDUPE_MAX_EVENTS);
		expect(wasSeen(seen, 'evt_4', T + 2000)).toBe(false);
		expect(wasSeen(seen, 'evt_5', T + 2000)).toBe(true);

		const later = withSeen(seen, 'evt_new', T + DEDUPE_WINDOW_MS + 2000);
		expect(later.map(([id]) => id)).toEqual(['evt_new']);
	});

	it('keeps each id once, and leaves the given record unchanged', () => {
		const first = withSeen([], 'evt_a', T);
		const second = withSeen(first, 'evt_a', T + 5);
		expect(first).toEqual([['evt_a', T]]);
		expect(second).toEqual([['evt_a', T + 5]]);
	});

	it('survives a JSON round trip, and reads anything else as empty', () => {
		const seen = withSeen(withSeen([], 'evt_a', T), 'evt_b', T + 1);
		expect(readSeenEvents(JSON.parse(JSON.stringify(seen)))).toEqual(seen);
		expect(readSeenEvents(undefined)).toEqual([]);
		expect(readSeenEvents({ evt_a: T })).toEqual([]);
		expect(readSeenEvents([['evt_a', 'yesterday'], ['evt_b', T], 'evt_c'])).toEqual([['evt_b', T]]);
	});
});

describe("the process's own record of event ids", () => {
	const T = 1_800_000_000_000;
	afterEach(() => forgetInProcess());

	it('takes an id once per subscription, and again after the window', () => {
		expect(takeInProcess('wf/node/whk_a', 'evt_1', T)).toBe('new');
		expect(takeInProcess('wf/node/whk_a', 'evt_1', T + 1)).toBe('seen');
		// The same event delivered to another subscription (a test run's, say) is that one's own.
		expect(takeInProcess('wf/node/whk_b', 'evt_1', T + 1)).toBe('new');
		expect(takeInProcess('wf/node/whk_a', 'evt_1', T + DEDUPE_WINDOW_MS + 1)).toBe('new');
	});

	it(`keeps at most ${MAX_SUBSCRIPTIONS} subscriptions, forgetting the least recently used`, () => {
		takeInProcess('first', 'evt_1', T);
		takeInProcess('second', 'evt_1', T);
		for (let index = 0; index < MAX_SUBSCRIPTIONS - 2; index++) takeInProcess(`other-${index}`, 'evt_1', T);
		expect(takeInProcess('first', 'evt_1', T)).toBe('seen');
		// One more than the bound: "second", used least recently, is forgotten; "first", used just now, is kept.
		takeInProcess('one-more', 'evt_1', T);
		expect(takeInProcess('first', 'evt_1', T)).toBe('seen');
		expect(takeInProcess('second', 'evt_1', T)).toBe('new');
	});
});

describe('the item an event becomes', () => {
	const project = {
		id: 'prj_0123456789ab',
		name: 'Launch',
		status: 'Active',
		priority: 'High',
		customFields: { riskScore: 3 },
	};

	it('puts the event, the project and what changed where a person maps them', () => {
		const event = readEvent({
			id: 'evt_1',
			type: 'project.updated',
			occurredAt: '2027-01-31T09:05:00.000Z',
			data: { project },
			changes: { status: { from: 'Draft', to: 'Active' }, name: { from: 'Lanch', to: 'Launch' } },
		});
		expect('problem' in event).toBe(false);
		expect(eventItem(event as Exclude<typeof event, { problem: string }>)).toEqual({
			event: 'project.updated',
			eventId: 'evt_1',
			occurredAt: '2027-01-31T09:05:00.000Z',
			projectId: 'prj_0123456789ab',
			projectName: 'Launch',
			status: 'Active',
			previousStatus: 'Draft',
			changedFields: ['status', 'name'],
			changes: { status: { from: 'Draft', to: 'Active' }, name: { from: 'Lanch', to: 'Launch' } },
			project,
		});
	});

	it('has the same fields for an event that changed nothing it lists (created, deleted)', () => {
		const event = readEvent({ id: 'evt_2', type: 'project.deleted', occurredAt: 'x', data: { project } });
		const item = eventItem(event as Exclude<typeof event, { problem: string }>);
		expect(item).toEqual(
			expect.objectContaining({ previousStatus: null, changedFields: [], changes: {}, status: 'Active' }),
		);
	});

	it('says what is wrong with a body that is not a project event', () => {
		expect(readEvent(undefined)).toEqual({ problem: 'the body is not a JSON object' });
		expect(readEvent({ type: 'project.created', data: { project } })).toEqual({
			problem: 'the event has no id',
		});
		expect(readEvent({ id: 'evt_3', type: 'user.created', data: { project } })).toEqual({
			problem: 'the event type "user.created" is not a project event',
		});
		expect(readEvent({ id: 'evt_3', type: 'project.created', data: {} })).toEqual({
			problem: 'the event holds no project',
		});
	});
});
