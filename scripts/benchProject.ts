import type { INodeParameters } from 'n8n-workflow';

/**
 * What every benchmark sends, defined once: a CRM deal as it reaches the workflow, and the six fields a user maps
 * from it onto a project with expressions (name, description, start date, end date, owner, budget), in this
 * node and in n8n's HTTP Request node alike.
 */

const OWNERS = ['usr_1001', 'usr_1002', 'usr_1003', 'usr_1004', 'usr_1005'];

/** A CRM deal, its name unique per prefix and index; a few fields that are not mapped, as a CRM sends them. */
export function dealFor(prefix: string, index: number) {
	return {
		dealId: `deal-${index}`,
		dealName: `${prefix} ${index}`,
		description: 'Onboarding for a new customer, from the CRM deal',
		stage: 'Closed Won',
		company: { name: 'Acme Corp', domain: 'acme.example' },
		closeDate: '2027-01-04T09:00:00Z',
		deliveryDate: '2027-03-31T17:00:00Z',
		ownerId: OWNERS[index % OWNERS.length],
		amount: 1000 + index,
	};
}

/** The six mapped fields, each an expression on the deal; the currency is picked in the node, not mapped. */
export const MAPPED_FIELDS = [
	'name',
	'description',
	'start date',
	'end date',
	'owner',
	'budget amount',
] as const;

/** This node's parameters: the six fields mapped by expressions, as a user fills the node from a CRM deal. */
export const PROJECT_MAPPING: INodeParameters = {
	name: '={{ $json.dealName }}',
	additionalFields: {
		description: '={{ $json.description }}',
		startDate: '={{ $json.closeDate }}',
		endDate: '={{ $json.deliveryDate }}',
		ownerId: { __rl: true, mode: 'id', value: '={{ $json.ownerId }}' },
		budget: { budgetValues: { currency: 'EUR', amount: '={{ $json.amount }}' } },
	},
};

/**
 * The same six fields as n8n's HTTP Request node takes them: a JSON body with an expression for each field, as a
 * user writes it in "Specify Body: Using JSON".
 */
export const HTTP_REQUEST_JSON_BODY = `={
  "name": "{{ $json.dealName }}",
  "description": "{{ $json.description }}",
  "startDate": "{{ $json.closeDate }}",
  "endDate": "{{ $json.deliveryDate }}",
  "ownerId": "{{ $json.ownerId }}",
  "budget": { "currency": "EUR", "amount": {{ $json.amount }} }
}`;

/** What the node sends for a deal with that mapping: the body a raw client sends for the same item. */
export function projectBodyFor(prefix: string, index: number) {
	const deal = dealFor(prefix, index);
	return {
		name: deal.dealName,
		description: deal.description,
		startDate: deal.closeDate,
		endDate: deal.deliveryDate,
		ownerId: deal.ownerId,
		budget: { currency: 'EUR', amount: deal.amount },
	};
}

/**
 * This node's parameters with Map Automatically: no expression per field; the item, shaped in an earlier node,
 * carries the project's own fields (shapedDealFor).
 */
export const PROJECT_AUTO_MAPPING: INodeParameters = { mappingMode: 'autoMapInputData' };

/** The deal as an earlier node (Edit Fields, Code) shapes it for Map Automatically: the project's fields by name. */
export function shapedDealFor(prefix: string, index: number) {
	return projectBodyFor(prefix, index);
}
