import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { projectLocator } from '../../descriptions/projectLocator';
import { readRequestOptions, requestOptions } from '../../descriptions/requestOptions';
import { outcomeOf } from '../../helpers/outcome';
import { projectIdFrom } from '../../helpers/projectLocator';
import { apiRequest } from '../../transport';
import { ProjectNotFound } from '../itemErrors';
import { isNotFound, projectPath, settle } from './projectRequest';

const properties: INodeProperties[] = [
	projectLocator,
	requestOptions([
		{
			displayName: 'Succeed If Already Deleted',
			name: 'ignoreNotFound',
			type: 'boolean',
			default: false,
			description:
				'Whether a project that does not exist (any more) counts as deleted instead of failing the item. Turn it on for clean-up workflows that may run twice; the item then reports the outcome notFound.',
		},
	]),
];

const displayOptions = { show: { resource: ['project'], operation: ['deleteProject'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = readRequestOptions.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const id = projectIdFrom(this.getNodeParameter('project', itemIndex));
	const result = await settle(
		apiRequest.call(this, { method: 'DELETE', path: projectPath(id) }, settings.call),
	);
	if ('value' in result) return [{ json: { id, deleted: true, ...outcomeOf('deleted', result.value) } }];
	if (!isNotFound(result.failure)) throw result.failure;
	if (options.ignoreNotFound === true) {
		return [{ json: { id, deleted: false, ...outcomeOf('notFound', result.failure.details) } }];
	}
	throw new ProjectNotFound(id, result.failure);
}
