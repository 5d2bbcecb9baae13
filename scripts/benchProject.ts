import type { INodeParameters } from 'n8n-workflow';

/** The item every benchmark sends: a project with a few fields, its name unique per prefix and index. */
export function projectFor(prefix: string, index: number) {
	return {
		name: `${prefix} ${index}`,
		description: 'Benchmark project',
		status: 'Planned',
		startDate: '2027-01-04T09:00:00Z',
		budget: { currency: 'EUR', amount: 1000 + index },
	};
}

/** The node's fields mapped from that item by expressions, as a user maps a CRM deal. */
export const PROJECT_MAPPING: INodeParameters = {
	name: '={{ $json.name }}',
	additionalFields: {
		description: '={{ $json.description }}',
		status: '={{ $json.status }}',
		startDate: '={{ $json.startDate }}',
		budget: {
			budgetValues: { currency: '={{ $json.budget.currency }}', amount: '={{ $json.budget.amount }}' },
		},
	},
};
