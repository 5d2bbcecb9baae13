/** Tests are TypeScript, transpiled per file; `npm run lint` type-checks them. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }],
	},
	testTimeout: 60_000,
	reporters: ['default', '<rootDir>/harness/jest/passFailReporter.js'],
};
