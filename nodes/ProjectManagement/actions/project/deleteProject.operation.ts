import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { projectLocator } from '../../descriptions/projectLocator';
import { requestOptions } from '../../descriptions/requestOptions';
import { projectIdFrom } from '../../fields/projectLocator';
import { settle } from '../../transport/request';
import type { KeyedTask } from '../../reliability/concurrency';
import { ProjectNotFound } from '../failures';
import type { ItemDone } from '../outcome';
import { done } from '../outcome';
import type { ItemSettings } from '../settings';
import { projectConflictKey } from './conflictKeys';
import { callProject } from './projectCall';

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
	settings: ItemSettings,
): KeyedTask<ItemDone> {
	const id = projectIdFrom(this.getNodeParameter('project', itemIndex));
	return {
		keys: [projectConflictKey(id)],
		run: async () => {
			const result = await settle(callProject.call(this, id, { method: 'DELETE' }, settings.call));
			if ('value' in result) return done('deleted', result.value, { id, deleted: true });
			if (!(result.failure instanceof ProjectNotFound) || !settings.ignoreNotFound) throw result.failure;
			return done('notFound', result.failure.failure.details, { id, deleted: false });
		},
	};
}

export { projectLabel as label } from './projectInput';
