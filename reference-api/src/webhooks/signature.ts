import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of the key bytes; the
 * signature is `v1,` + base64(HMAC-SHA256(key, "<Webhook-Id>.<Webhook-Timestamp>.<raw body>")).
 */
export const SECRET_PREFIX = 'whsec_';

export function newSecret(): string {
	return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

/** The HMAC key: the base64-decoded part after `whsec_`. */
export function secretKey(secret: string): Buffer {
	return Buffer.from(
		secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
		'base64',
	);
}

export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
	const digest = createHmac('sha256', secretKey(secret))
		.update(`${id}.${timestamp}.${body}`)
		.digest('base64');
	return `v1,${digest}`;
}
