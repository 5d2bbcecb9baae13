import { DEMO_CREDENTIALS } from '../../reference-api/src';
import { projectManagementCredentials } from './credentials';
import { N8nHome, type CredentialImport, type WorkflowImport } from './home';
import { manualTrigger } from './workflows';

/**
 * What `npm run dev` (scripts/dev.ts) puts into its n8n: demo credentials of both kinds pointing at the
 * reference API, and a sample workflow; and the line it prints once everything is up. The end-to-end test of
 * `npm run dev` checks for them.
 */

export const DEV_API_KEY_CREDENTIAL = { id: 'pmDevApiKey00001', name: 'Project Management demo (API key)' };
export const DEV_OAUTH2_CREDENTIAL = { id: 'pmDevOAuth200001', name: 'Project Management demo (OAuth2)' };
export const DEV_SAMPLE_WORKFLOW = { id: 'pmDevSampleFlow1', name: 'Project Management sample' };
/** The line dev.ts prints once everything is up; the editor's address follows it. */
export const READY_LINE = 'Project Management dev environment is ready';

/** Both demo credentials, pointing at the reference API at `apiUrl`. */
export function devCredentials(apiUrl: string): CredentialImport[] {
	return projectManagementCredentials(
		apiUrl,
		{
			apiKey: DEMO_CREDENTIALS.apiKey,
			clientId: DEMO_CREDENTIALS.oauthClientId,
			clientSecret: DEMO_CREDENTIALS.oauthClientSecret,
		},
		{ apiKey: DEV_API_KEY_CREDENTIAL, oauth2: DEV_OAUTH2_CREDENTIAL },
	);
}

/** A Manual Trigger and the node creating a project with a few fields set, through the API-key credential. */
export function sampleWorkflow(): WorkflowImport {
	return {
		...DEV_SAMPLE_WORKFLOW,
		nodes: [
			manualTrigger('dev-trigger', 'When clicking Execute workflow'),
			{
				id: 'dev-create',
				name: 'Create a project',
				type: N8nHome.NODE_TYPE,
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					authentication: 'projectManagementApi',
					resource: 'project',
					operation: 'create',
					name: 'Website relaunch',
					ifExists: 'returnExisting',
					additionalFields: {
						status: 'Planned',
						ownerId: {
							__rl: true,
							mode: 'list',
							value: 'usr_1002',
							cachedResultName: 'Grace Hopper (grace@example.com)',
						},
					},
					options: {},
				},
				credentials: { projectManagementApi: DEV_API_KEY_CREDENTIAL },
			},
		],
		connections: {
			'When clicking Execute workflow': { main: [[{ node: 'Create a project', type: 'main', index: 0 }]] },
		},
	};
}
