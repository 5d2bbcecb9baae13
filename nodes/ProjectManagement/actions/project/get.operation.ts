import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { projectLocator } from '../../descriptions/projectLocator';
import type { BatchSettings } from '../../descriptions/requestOptions';
import { readRequestOptions, requestOptions } from '../../descriptions/requestOptions';
import { outcomeOf } from '../../helpers/outcome';
import { projectIdFrom } from '../../helpers/projectLocator';
import { apiRequest } from '../../transport';
import { ProjectNotFound } from '../itemErrors';
import { isNotFound, projectPath, settle } from './projectRequest';

const properties: INodeProperties[] = [projectLocator, requestOptions()];

const displayOptions = { show: { resource: ['project'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: BatchSettings = {},
): Promise<INodeExecutionData[]> {
	const settings = readRequestOptions.call(this, itemIndex, batch);
	const id = projectIdFrom(this.getNodeParameter('project', itemIndex));
	const result = await settle(apiRequest.call(this, { method: 'GET', path: projectPath(id) }, settings.call));
	if ('failure' in result) {
		throw isNotFound(result.failure) ? new ProjectNotFound(id, result.failure) : result.failure;
	}
	return [{ json: { ...(result.value.body as IDataObject), ...outcomeOf('found', result.value) } }];
}
