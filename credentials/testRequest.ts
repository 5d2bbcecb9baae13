import type { ICredentialTestRequest } from 'n8n-workflow';

/**
 * What n8n's Test (and Save) asks of both credentials: who the caller is (`GET /api/v1/me` at the Base URL, read
 * as the node reads it), with a plain message for each answer that is not a success instead of n8n's bare
 * "Unauthorized" or "Not Found". `who` names what is being checked ("key", "client"); `unauthorized` is what to do
 * about a 401, which differs between the two.
 */
export function meTestRequest(who: 'key' | 'client', unauthorized: string): ICredentialTestRequest {
	return {
		request: {
			baseURL:
				'={{(/^[a-z][a-z0-9+.-]*:\\/\\//i.test($credentials.baseUrl.trim()) ? "" : "https://") + $credentials.baseUrl.trim().replace(/\\/+$/, "").replace(/\\/api\\/v1$/i, "")}}',
			url: '/api/v1/me',
			method: 'GET',
		},
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: unauthorized } },
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: `The API knows this ${who} but does not let it in. Ask the administrator of your project-management system to allow it (projects:read, projects:write, directory:read).`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Nothing answers at this Base URL. Use the address of your project-management system as the browser shows it, such as https://pm.example.com (without /api/v1 or a page after it).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 429,
					message: `The API is busy and asked to wait. The ${who} was not checked: save again in a minute.`,
				},
			},
			...[500, 502, 503, 504].map((value) => ({
				type: 'responseCode' as const,
				properties: {
					value,
					message: `The project-management system answered with an error (HTTP ${value}); it may be down. Try again later, and check that the Base URL is its address.`,
				},
			})),
		],
	};
}
