/**
 * Ends a jest run with one plain line, `jest: N passed, N failed, N skipped`, so that CI logs can be read
 * by a machine as well as by a person.
 */
class PassFailReporter {
	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
	}
}

module.exports = PassFailReporter;
