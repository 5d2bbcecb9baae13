import type { IExecuteFunctions } from 'n8n-workflow';

import type { ApiCall, CallSettings } from '../../transport/request';
import { apiRequest, settle } from '../../transport/request';
import type { ApiSuccess } from '../../transport/response';
import { isNotFound } from '../../transport/response';
import { ProjectNotFound } from '../failures';

export const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;

/**
 * A call on one project given by the user (Get, Update, Delete): a 404 becomes
 * ProjectNotFound, which names the project in the message; every other failure goes on as it is.
 */
export async function callProject(
	this: IExecuteFunctions,
	id: string,
	call: Omit<ApiCall, 'path'>,
	settings: CallSettings,
): Promise<ApiSuccess> {
	const result = await settle(apiRequest.call(this, { ...call, path: projectPath(id) }, settings));
	if ('value' in result) return result.value;
	throw isNotFound(result.failure) ? new ProjectNotFound(id, result.failure) : result.failure;
}
