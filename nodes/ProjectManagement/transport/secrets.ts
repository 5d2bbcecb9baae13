import type { IDataObject } from 'n8n-workflow';

import type { Context } from './connection';
import { credentialType } from './connection';

/** Credential values that must never appear in a message: keys, secrets, tokens. */
export function secretsOf(credentials: IDataObject): string[] {
	const secrets: string[] = [];
	for (const name of ['apiKey', 'clientSecret']) {
		const value = credentials[name];
		if (typeof value === 'string' && value.length >= 4) secrets.push(value);
	}
	const token = (credentials.oauthTokenData as IDataObject | undefined)?.access_token;
	if (typeof token === 'string' && token.length >= 4) secrets.push(token);
	return secrets;
}

/** The credential's secrets as they are now (a token may have been renewed during the run). */
export async function currentSecrets(context: Context): Promise<string[]> {
	return secretsOf(await context.getCredentials(credentialType(context)));
}

export function redact(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) result = result.split(secret).join('[redacted]');
	return result;
}
