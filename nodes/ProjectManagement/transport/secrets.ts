import type { IDataObject } from 'n8n-workflow';

import type { Context } from './connection';
import { credentialType } from './connection';

/** Shorter values are not searched for: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** The password in a Base URL such as https://user:pass@pm.example.com, as written and decoded. */
function baseUrlPassword(baseUrl: unknown): string[] {
	const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(String(baseUrl ?? '').trim())?.[1];
	const password = userInfo?.includes(':') ? userInfo.slice(userInfo.indexOf(':') + 1) : undefined;
	if (!password) return [];
	try {
		return [password, decodeURIComponent(password)];
	} catch {
		return [password];
	}
}

/**
 * Credential values that must never appear in a message or an output: the API key, the client secret, the access
 * token, a password written into the Base URL; each also in the forms an API may echo it in (URL-encoded, and the
 * client ID and secret as the Basic header carries them).
 */
export function secretsOf(credentials: IDataObject): string[] {
	const plain: string[] = [];
	for (const name of ['apiKey', 'clientSecret']) {
		const value = credentials[name];
		if (typeof value === 'string') plain.push(value);
	}
	const token = (credentials.oauthTokenData as IDataObject | undefined)?.access_token;
	if (typeof token === 'string') plain.push(token);
	plain.push(...baseUrlPassword(credentials.baseUrl));
	const secrets = new Set<string>();
	for (const secret of plain) {
		if (secret.length < MIN_SECRET_LENGTH) continue;
		secrets.add(secret);
		secrets.add(encodeURIComponent(secret));
	}
	if (typeof credentials.clientId === 'string' && typeof credentials.clientSecret === 'string') {
		secrets.add(Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64'));
	}
	// The longest first, so that a secret inside another one is not left half visible.
	return [...secrets].sort((a, b) => b.length - a.length);
}

/** The credential's secrets as they are now (a token may have been renewed during the run). */
export async function currentSecrets(context: Context): Promise<string[]> {
	return secretsOf(await context.getCredentials(credentialType(context)));
}

/** The text with every secret replaced; always the whole text, before it is cut to any length. */
export function redact(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) result = result.split(secret).join('[redacted]');
	return result;
}
