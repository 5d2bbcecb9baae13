import path from 'node:path';

import { PACKAGE_ROOT } from '../package/paths';

/**
 * What a restart of n8n's process takes from the trigger: the record of events taken that it keeps in its
 * module's memory (delivery/processRecord.ts). The module is the one n8n-core's loader required from dist/, so
 * this reaches the very record the loaded trigger uses.
 */
export function restartForgets(): void {
	const file = path.join(
		PACKAGE_ROOT,
		'dist',
		'nodes',
		'ProjectManagementTrigger',
		'delivery',
		'processRecord.js',
	);
	(require(file) as { forgetInProcess: () => void }).forgetInProcess();
}
