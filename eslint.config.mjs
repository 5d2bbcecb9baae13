// The rules n8n's community-package scanner (@n8n/scan-community-package) applies to a package: the
// community-nodes plugin's recommended set (cloud rules on) and eslint-plugin-n8n-nodes-base's community,
// credentials and nodes sets, with the scanner's own overrides. `npm run lint` uses them through the default
// export; `npm run scan` (scripts/scanPackage.ts, harness/package/scan.ts) lints with `scanConfig` and the
// scanner's file patterns, with inline eslint comments ignored, as the scanner does.
import { defineConfig } from 'eslint/config';
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

/** What the scanner lints in the package's source checkout. */
export const SCAN_SOURCE_FILES = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}'];

/** What the scanner lints in the unpacked npm tarball. */
export const SCAN_PACKED_FILES = ['**/*.js', 'package.json'];

export const scanConfig = defineConfig(
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
	{
		files: ['**/credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['**/nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{ files: ['**/*.json'], languageOptions: { parser: tsParser } },
	{ files: ['**/*.ts'], languageOptions: { parser: tsParser } },
);

export default defineConfig(
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'harness/**',
			'test/**',
			'reference-api/**',
			'scripts/**',
			'e2e/**',
		],
	},
	scanConfig,
);
