import { CLI_USAGE, parseCliArgs, type CliResult } from './src/cli';
import { DEMO_CREDENTIALS, startReferenceApi } from './src/index';

async function main(): Promise<void> {
	let parsed: CliResult;
	try {
		parsed = parseCliArgs(process.argv.slice(2));
	} catch (error) {
		console.error(`${(error as Error).message}\n\n${CLI_USAGE}`);
		process.exit(2);
	}
	if (parsed.help) {
		console.log(CLI_USAGE);
		return;
	}
	const api = await startReferenceApi(parsed.options);
	console.log(`Reference project-management API listening on ${api.url}`);
	console.log(`  API base:      ${api.url}/api/v1   (OpenAPI: ${api.url}/api/v1/openapi.json)`);
	console.log(`  OAuth2 tokens: ${api.url}/oauth/token   admin: ${api.url}/_admin/config`);
	console.log('Demo credentials:');
	console.log(`  API key (read/write):      ${DEMO_CREDENTIALS.apiKey}`);
	console.log(`  API key (read-only):       ${DEMO_CREDENTIALS.readOnlyApiKey}`);
	console.log(
		`  OAuth2 client (read/write): ${DEMO_CREDENTIALS.oauthClientId} / ${DEMO_CREDENTIALS.oauthClientSecret}`,
	);
	console.log(
		`  OAuth2 client (read-only):  ${DEMO_CREDENTIALS.readOnlyOauthClientId} / ${DEMO_CREDENTIALS.readOnlyOauthClientSecret}`,
	);

	const stop = (signal: string) => {
		console.log(`${signal}: stopping`);
		api.close().then(
			() => process.exit(0),
			(error: unknown) => {
				console.error(error);
				process.exit(1);
			},
		);
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error((error as Error).message ?? error);
	process.exit(1);
});
