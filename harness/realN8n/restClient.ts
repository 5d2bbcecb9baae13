/** The instance owner that the tools set up in every n8n they start, and sign in as. */
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'Demo-owner-1234',
} as const;

/** n8n binds a sign-in cookie to this header, which its editor sends from the browser. */
const BROWSER_ID = 'project-management-e2e';

/** n8n's own REST API (the one its editor uses) as a signed-in user: the sign-in cookie is kept between calls. */
/** How long one REST call may take before it is abandoned. */
const REQUEST_TIMEOUT_MS = 10 * 60_000;

export class N8nRestClient {
	private cookie = '';

	constructor(readonly url: string) {}

	/** Sets the instance owner up on a fresh instance, or signs in as that owner on one set up before. */
	async signInAsOwner() {
		const setup = await this.raw('POST', '/rest/owner/setup', OWNER);
		if (setup.ok) return;
		const why = await setup.text();
		if (!/already/i.test(why))
			throw new Error(`Could not set the n8n owner up: HTTP ${setup.status} ${why.slice(0, 500)}`);
		await this.signIn(OWNER.email, OWNER.password);
	}

	async signIn(email: string, password: string) {
		const login = await this.raw('POST', '/rest/login', { email, emailOrLdapLoginId: email, password });
		if (!login.ok) throw new Error(`Could not sign in to n8n: HTTP ${login.status} ${await login.text()}`);
	}

	/** A call as it is, the sign-in cookie sent and, when n8n sets a new one, kept. */
	async raw(method: string, route: string, body?: unknown): Promise<Response> {
		const response = await fetch(`${this.url}${route}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': BROWSER_ID,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			// Generous: on a busy machine n8n's thread, running a node over thousands of items beside other
			// n8n processes, has been seen to leave a request unanswered for over a minute.
			signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
		});
		const setCookie = response.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.split(';')[0];
		return response;
	}

	/** A call that must succeed; returns the `data` n8n wraps answers in. */
	async rest<T>(method: string, route: string, body?: unknown): Promise<T> {
		const response = await this.raw(method, route, body);
		const text = await response.text();
		if (!response.ok)
			throw new Error(`n8n ${method} ${route}: HTTP ${response.status} ${text.slice(0, 1000)}`);
		return (JSON.parse(text) as { data: T }).data;
	}
}
