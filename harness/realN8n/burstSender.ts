import { Agent, request } from 'undici';

/**
 * A burst of webhook deliveries, as a CRM's bulk update fires them: every delivery sent at once, each on its own
 * connection, each bounded by a timeout, and every answer recorded (status, body, when it came).
 */

export interface Delivery {
	/** Which delivery this is, in the order they were fired. */
	index: number;
	body: unknown;
}

export interface DeliveryAnswer {
	index: number;
	body: unknown;
	/** The HTTP status, or 0 when no answer came (connection error, or the timeout). */
	status: number;
	/** The answer's body as text (the first 2,000 characters), or the error when none came. */
	text: string;
	/** When the delivery was sent and when its answer (or failure) came, in ms since the epoch. */
	sentAt: number;
	answeredAt: number;
}

export interface BurstResult {
	answers: DeliveryAnswer[];
	/** When the first delivery was sent. */
	startedAt: number;
	/** When the last answer came. */
	endedAt: number;
}

/** Whether an answer is the "done" of a delivery: a 2xx. */
export function succeeded(answer: DeliveryAnswer): boolean {
	return answer.status >= 200 && answer.status < 300;
}

/**
 * Sends every delivery as a JSON POST to `url` at once (undici, one connection per delivery) and waits for all
 * answers. `timeoutMs` bounds each delivery from its sending to the end of its answer.
 */
export async function sendBurst(
	url: string,
	deliveries: Delivery[],
	timeoutMs: number,
): Promise<BurstResult> {
	const agent = new Agent({
		connections: deliveries.length,
		pipelining: 1,
		headersTimeout: timeoutMs,
		bodyTimeout: timeoutMs,
		connectTimeout: Math.min(timeoutMs, 30_000),
	});
	const startedAt = Date.now();
	try {
		const answers = await Promise.all(
			deliveries.map(async (delivery): Promise<DeliveryAnswer> => {
				const sentAt = Date.now();
				try {
					const response = await request(url, {
						method: 'POST',
						dispatcher: agent,
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(delivery.body),
						signal: AbortSignal.timeout(timeoutMs),
					});
					const text = await response.body.text();
					return {
						index: delivery.index,
						body: delivery.body,
						status: response.statusCode,
						text: text.slice(0, 2000),
						sentAt,
						answeredAt: Date.now(),
					};
				} catch (error) {
					return {
						index: delivery.index,
						body: delivery.body,
						status: 0,
						text: `no answer: ${(error as Error).message}`,
						sentAt,
						answeredAt: Date.now(),
					};
				}
			}),
		);
		return { answers, startedAt, endedAt: Math.max(...answers.map((answer) => answer.answeredAt)) };
	} finally {
		await agent.close().catch(() => undefined);
	}
}
