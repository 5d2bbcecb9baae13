import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { projectLocator } from '../../descriptions/projectLocator';
import { requestOptions } from '../../descriptions/requestOptions';
import { projectIdFrom } from '../../fields/projectLocator';
import type { ItemDone } from '../outcome';
import { done } from '../outcome';
import type { ItemSettings } from '../settings';
import { projectIn } from './projectAnswer';
import { callProject } from './projectCall';

const properties: INodeProperties[] = [projectLocator, requestOptions()];

const displayOptions = { show: { resource: ['project'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: ItemSettings,
): Promise<ItemDone> {
	const id = projectIdFrom(this.getNodeParameter('project', itemIndex));
	const response = await callProject.call(this, id, { method: 'GET' }, settings.call);
	const { project, cost } = await projectIn.call(this, response, settings.call, response);
	return done('found', cost, project);
}

export { projectLabel as label } from './projectInput';
