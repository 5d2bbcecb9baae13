import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { MappedCustomFields } from '../../fields/customFields';
import { FieldError } from '../../fields/fieldError';
import { checkCustomKey } from '../../fields/idempotencyKey';
import type { ProjectInput } from '../../fields/projectBody';
import { locatorValue, projectIdFrom } from '../../fields/projectLocator';
import { deriveIdempotencyKey } from '../../reliability/idempotency';
import { itemParameter } from '../itemParameters';
import type { ItemSettings } from '../settings';

/** What Create and Update share: reading the project's fields and the key the change is sent with. */

/** The node's parameters for one item, as the field checks expect them. */
export function readProjectInput(
	this: IExecuteFunctions,
	itemIndex: number,
	collection: 'additionalFields' | 'updateFields',
	name?: unknown,
): ProjectInput {
	const fields = itemParameter.call(this, collection, itemIndex, {}) as IDataObject;
	const budget = (fields.budget as IDataObject | undefined)?.budgetValues as IDataObject | undefined;
	const pairs = (fields.customFieldsUi as IDataObject | undefined)?.field as ProjectInput['customFieldPairs'];
	const json = fields.customFieldsJson;
	const mapper = this.getNodeParameter('customFields', itemIndex, null) as IDataObject | null;
	return {
		name: name ?? fields.name,
		description: fields.description,
		status: fields.status,
		priority: fields.priority,
		startDate: fields.startDate,
		endDate: fields.endDate,
		ownerId: locatorValue(fields.ownerId),
		teamIds: fields.teamIds,
		budgetCurrency: budget?.currency,
		budgetAmount: budget?.amount,
		customFieldsMapped: mapper
			? {
					values: mapper.value as MappedCustomFields['values'],
					schema: mapper.schema as MappedCustomFields['schema'],
				}
			: undefined,
		customFieldPairs: pairs,
		customFieldsJson: json === '{}' || json === '' ? undefined : json,
	};
}

/**
 * The key a change is sent with: the user's own, or one derived from the workflow, the node, the operation and
 * `payload` (reliability/idempotency.ts), so that the same item gets the same key on every retry and re-run.
 */
export function idempotencyKeyFor(
	this: IExecuteFunctions,
	settings: ItemSettings,
	operation: string,
	payload: unknown,
): string {
	if (settings.customKey !== undefined) {
		const checked = checkCustomKey(settings.customKey);
		if ('problem' in checked) {
			throw new FieldError(
				'Idempotency Key',
				`"Idempotency Key" ${checked.problem}`,
				'Map the key to a stable value of the item, such as a CRM deal ID, or clear the option to let the node make one.',
			);
		}
		return checked.key;
	}
	return deriveIdempotencyKey({
		workflowId: settings.run.workflowId,
		nodeId: settings.run.nodeId,
		operation,
		payload,
	});
}

/** A project's name as messages quote it: trimmed, at most 60 characters; nothing for an empty one. */
export function quotedName(value: unknown): string | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const name = String(value).trim().replace(/\s+/g, ' ');
	if (name === '') return undefined;
	const characters = [...name];
	return `"${characters.length > 60 ? `${characters.slice(0, 59).join('')}…` : name}"`;
}

/** How messages name an item of Get, Update or Delete: by the project it is about. */
export function projectLabel(this: IExecuteFunctions, itemIndex: number): string | undefined {
	return `project ${projectIdFrom(this.getNodeParameter('project', itemIndex))}`;
}
