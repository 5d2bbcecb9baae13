/** The end-to-end suite: a real n8n per release line (see e2e/README.md). Run with `npm run e2e`. */
module.exports = {
	rootDir: '..',
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e/tests'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }],
	},
	globalSetup: '<rootDir>/e2e/tests/globalSetup.ts',
	testTimeout: 180_000,
	maxWorkers: 1,
	reporters: ['default', '<rootDir>/harness/jest/passFailReporter.js'],
};
