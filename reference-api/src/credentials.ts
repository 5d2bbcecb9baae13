import { randomBytes, timingSafeEqual } from 'node:crypto';

import type { ApiKeyCredential, OAuthClient, Scope } from './config';

export type AuthMethod = 'api_key' | 'oauth2';

export interface Principal {
	clientId: string;
	name: string;
	authMethod: AuthMethod;
	scopes: Scope[];
}

interface IssuedToken {
	principal: Principal;
	expiresAt: number;
}

export type TokenLookup = { kind: 'valid'; principal: Principal } | { kind: 'expired' } | { kind: 'unknown' };

/** API keys, OAuth2 clients and the opaque access tokens issued to them. */
export class Credentials {
	private readonly tokens = new Map<string, IssuedToken>();

	constructor(
		private readonly apiKeys: () => ApiKeyCredential[],
		private readonly oauthClients: () => OAuthClient[],
	) {}

	apiKey(key: string): Principal | undefined {
		const match = this.apiKeys().find((candidate) => safeEqual(candidate.key, key));
		return (
			match && {
				clientId: match.clientId,
				name: match.name,
				authMethod: 'api_key',
				scopes: [...match.scopes],
			}
		);
	}

	oauthClient(clientId: string, clientSecret: string): OAuthClient | undefined {
		const client = this.oauthClients().find((candidate) => candidate.clientId === clientId);
		return client && safeEqual(client.clientSecret, clientSecret) ? client : undefined;
	}

	issueToken(client: OAuthClient, scopes: Scope[], ttlSeconds: number): string {
		this.purgeExpired();
		const token = randomBytes(32).toString('base64url');
		this.tokens.set(token, {
			principal: { clientId: client.clientId, name: client.name, authMethod: 'oauth2', scopes },
			expiresAt: Date.now() + ttlSeconds * 1000,
		});
		return token;
	}

	token(token: string): TokenLookup {
		const issued = this.tokens.get(token);
		if (!issued) return { kind: 'unknown' };
		if (issued.expiresAt <= Date.now()) return { kind: 'expired' };
		return { kind: 'valid', principal: issued.principal };
	}

	/** Whether `token` is an access token this server issued and that has not expired. */
	isValidToken(token: string): boolean {
		return this.token(token).kind === 'valid';
	}

	expireAllTokens(): number {
		const now = Date.now();
		for (const issued of this.tokens.values()) issued.expiresAt = Math.min(issued.expiresAt, now);
		return this.tokens.size;
	}

	forgetTokens(): void {
		this.tokens.clear();
	}

	/** Expired tokens are kept for a day so that their holders hear "expired" rather than "not recognised". */
	private purgeExpired(): void {
		const cutoff = Date.now() - 86_400_000;
		for (const [token, issued] of this.tokens) if (issued.expiresAt < cutoff) this.tokens.delete(token);
	}
}

function safeEqual(expected: string, given: string): boolean {
	const a = Buffer.from(expected);
	const b = Buffer.from(given);
	return a.length === b.length && timingSafeEqual(a, b);
}
