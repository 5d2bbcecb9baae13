import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Scenario } from './scenarios';

/** The input items of a fault-matrix scenario: deals, a share of them with data the API rejects for good. */

export type ItemKind = 'ok' | 'badOwner' | 'duplicateName' | 'reusedKey';

export interface MatrixItem {
	kind: ItemKind;
	/** The name the project gets (or, for duplicateName, the name that is taken). */
	name: string;
	json: IDataObject;
}

function itemKinds(scenario: Scenario): ItemKind[] {
	const { badOwner = 0, duplicateName = 0, reusedKey = 0 } = scenario.business;
	return Array.from({ length: scenario.items }, (_, index) => {
		// A fixed stride spreads each kind evenly over the items.
		const bucket = ((index * 37) % 100) / 100;
		if (bucket < badOwner) return 'badOwner';
		if (bucket < badOwner + duplicateName) return 'duplicateName';
		if (bucket < badOwner + duplicateName + reusedKey) return 'reusedKey';
		return 'ok';
	});
}

/** The scenario's input items, the kinds spread evenly. */
export function buildItems(scenario: Scenario): MatrixItem[] {
	return itemKinds(scenario).map((kind, index) => {
		const name = kind === 'duplicateName' ? existingName(scenario, index) : `${scenario.id} deal ${index}`;
		const json: IDataObject = {
			dealId: kind === 'reusedKey' ? reusedKey(scenario, index) : `${scenario.id}-deal-${index}`,
			// The taken name arrives in another case: names are unique case-insensitively.
			name: kind === 'duplicateName' ? name.toUpperCase() : name,
			description: `Deal ${index} of scenario ${scenario.id}`,
			ownerId: kind === 'badOwner' ? 'usr_nobody' : 'usr_1001',
		};
		return { kind, name, json };
	});
}

const existingName = (scenario: Scenario, index: number) => `${scenario.id} existing ${index}`;

/** The custom Idempotency Key of a reusedKey item, which a request before the run used for other data. */
export const reusedKey = (scenario: Scenario, index: number) => `${scenario.id}-reused-${index}`;

/** The node's parameters for a scenario: the item's fields mapped by expressions, the scenario's options. */
export function nodeParameters(scenario: Scenario): INodeParameters {
	return {
		name: '={{ $json.name }}',
		ifExists: scenario.ifExists,
		additionalFields: {
			description: '={{ $json.description }}',
			ownerId: { __rl: true, mode: 'id', value: '={{ $json.ownerId }}' },
		},
		options: {
			...scenario.node,
			...(scenario.customKeys ? { idempotencyKey: '={{ $json.dealId }}' } : {}),
		},
	};
}
