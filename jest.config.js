/** Tests are TypeScript, transpiled per file; `npm run lint` type-checks them. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }],
		// n8n-workflow's start of the vm expression engine (see harness/jest/dynamicImportAsRequire.js).
		'n8n-workflow/dist/cjs/expression\\.js$': '<rootDir>/harness/jest/dynamicImportAsRequire.js',
	},
	transformIgnorePatterns: ['/node_modules/(?!n8n-workflow/dist/cjs/expression\\.js$)'],
	testTimeout: 60_000,
	reporters: ['default', '<rootDir>/harness/jest/passFailReporter.js'],
};
