import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { projectLocator } from '../../descriptions/projectLocator';
import type { BatchSettings } from '../../descriptions/requestOptions';
import { readRequestOptions, requestOptions } from '../../descriptions/requestOptions';
import type { KeyedTask } from '../../helpers/concurrency';
import { outcomeOf } from '../../helpers/outcome';
import { projectIdFrom } from '../../helpers/projectLocator';
import { apiRequest } from '../../transport';
import { ProjectNotFound } from '../itemErrors';
import { isNotFound, projectConflictKey, projectPath, settle } from './projectRequest';

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

/**
 * Reads the item without a request; two items that delete the same project run in input order, so that the
 * second finds it gone, as when items ran one at a time.
 */
export function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: BatchSettings = {},
): KeyedTask<INodeExecutionData[]> {
	const settings = readRequestOptions.call(this, itemIndex, batch);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const id = projectIdFrom(this.getNodeParameter('project', itemIndex));
	return {
		keys: [projectConflictKey(id)],
		run: async () => {
			const result = await settle(
				apiRequest.call(this, { method: 'DELETE', path: projectPath(id) }, settings.call),
			);
			if ('value' in result) return [{ json: { id, deleted: true, ...outcomeOf('deleted', result.value) } }];
			if (!isNotFound(result.failure)) throw result.failure;
			if (options.ignoreNotFound === true) {
				return [{ json: { id, deleted: false, ...outcomeOf('notFound', result.failure.details) } }];
			}
			throw new ProjectNotFound(id, result.failure);
		},
	};
}
