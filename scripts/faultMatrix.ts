/**
 * The fault matrix as a table: every scenario of harness/faultMatrix/scenarios.ts (1,000 items each, seeded
 * faults) run through n8n's engine against the reference API, measured from the node's output and from the server.
 * `npm run matrix` (all scenarios), `npm run matrix -- c2 mix` (some, by id), `npm run matrix -- --markdown` (a
 * table to paste). The same runs, with assertions, are the jest suite test/matrix/faultMatrix.test.ts.
 */
import { buildIfNeeded } from '../harness/package/build';
import { MatrixRunner, type ScenarioResult } from '../harness/faultMatrix/runner';
import { SCENARIOS } from '../harness/faultMatrix/scenarios';
import { markdownTable, plainTable } from '../harness/report/tables';

function row(result: ScenarioResult): Array<string | number> {
	const { counts, settle } = result;
	return [
		result.scenario.title,
		result.items,
		result.scenario.faultRate,
		(result.attempts / result.items).toFixed(2),
		(result.serverRequests / result.items).toFixed(2),
		counts.created,
		counts.replayed,
		counts.existing,
		counts.failed,
		settle.unknown === 0 ? 0 : `${counts.unknown} (${settle.wereCreated} created)`,
		result.duplicates,
		result.orphans,
		`${result.earlyRetries} / ${result.retriesAfterRetryAfter}`,
		result.secretHits,
		result.seconds.toFixed(1),
	];
}

const HEAD = [
	'Scenario',
	'Items',
	'Faults',
	'Attempts/item',
	'Requests/item',
	'Created',
	'Replayed',
	'Existing',
	'Failed',
	'Unknown',
	'Duplicates',
	'Orphans',
	'Early retries / checked',
	'Secrets seen',
	'Seconds',
];

async function main() {
	const args = process.argv.slice(2);
	const asMarkdown = args.includes('--markdown');
	const wanted = args.filter((arg) => !arg.startsWith('--'));
	const scenarios =
		wanted.length > 0 ? SCENARIOS.filter((scenario) => wanted.includes(scenario.id)) : SCENARIOS;
	if (scenarios.length === 0) {
		console.error(`No such scenario. Known: ${SCENARIOS.map((scenario) => scenario.id).join(', ')}`);
		process.exitCode = 2;
		return;
	}
	buildIfNeeded();
	const runner = await MatrixRunner.start();
	const table = plainTable(HEAD);
	const rows: Array<Array<string | number>> = [];
	const started = Date.now();
	try {
		for (const scenario of scenarios) {
			process.stderr.write(`${scenario.title} ...\n`);
			rows.push(row(await runner.run(scenario)));
		}
		const logHits = runner.countSecrets(runner.harness.logs.join('\n'));
		table.push(...rows);
		console.log(asMarkdown ? markdownTable(HEAD, rows) : table.toString());
		console.log(
			[
				'Faults: per attempt on POST /projects (seeded); business errors: per item.',
				"Attempts/item: as the node reports them in _result; Requests/item: as the API saw them (n8n's own resend after a 401, and Create's name lookup, included).",
				'Unknown: no clear answer within the retry budget; the settling run (same input, no faults) tells how many had been created.',
				'Duplicates: projects beyond the first for one item. Orphans: projects on the server that no output reported.',
				'Early retries / checked: retries that reached the API before the Retry-After of the answer before them allowed / retries that followed such an answer.',
				`Secrets seen: the API key, client secret and ${runner.tokens.size} OAuth2 tokens, searched in outputs, errors and run data; n8n's log: ${logHits}.`,
				`Total ${((Date.now() - started) / 1000).toFixed(0)} s.`,
			].join('\n'),
		);
	} finally {
		await runner.close();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
