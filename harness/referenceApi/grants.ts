import { ALL_SCOPES, type ApiKeyCredential, type OAuthClient } from '../../reference-api/src';

/** An API key that the reference API accepts for everything (every scope), for its `apiKeys` option. */
export function apiKeyWithAllScopes(key: string, clientId: string, name: string): ApiKeyCredential {
	return { key, clientId, name, scopes: [...ALL_SCOPES] };
}

/** An OAuth2 client that may ask for every scope, for the reference API's `oauthClients` option. */
export function oauthClientWithAllScopes(clientId: string, clientSecret: string, name: string): OAuthClient {
	return { clientId, clientSecret, name, scopes: [...ALL_SCOPES] };
}
