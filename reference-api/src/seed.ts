export interface User {
	id: string;
	name: string;
	email: string;
}

export interface Team {
	id: string;
	name: string;
}

export type CustomFieldType = 'text' | 'number' | 'date' | 'option' | 'boolean';

export interface CustomFieldDefinition {
	key: string;
	label: string;
	type: CustomFieldType;
	options?: string[];
}

export const SEED_USERS: readonly User[] = [
	{ id: 'usr_1001', name: 'Ada Lovelace', email: 'ada@example.com' },
	{ id: 'usr_1002', name: 'Grace Hopper', email: 'grace@example.com' },
	{ id: 'usr_1003', name: 'Alan Turing', email: 'alan@example.com' },
	{ id: 'usr_1004', name: 'Katherine Johnson', email: 'katherine@example.com' },
	{ id: 'usr_1005', name: 'Linus Torvalds', email: 'linus@example.com' },
];

export const SEED_TEAMS: readonly Team[] = [
	{ id: 'team_design', name: 'Design' },
	{ id: 'team_engineering', name: 'Engineering' },
	{ id: 'team_marketing', name: 'Marketing' },
	{ id: 'team_sales', name: 'Sales' },
];

export const SEED_CUSTOM_FIELDS: readonly CustomFieldDefinition[] = [
	{
		key: 'department',
		label: 'Department',
		type: 'option',
		options: ['Engineering', 'Marketing', 'Sales', 'Operations'],
	},
	{ key: 'costCenter', label: 'Cost Center', type: 'text' },
	{ key: 'riskScore', label: 'Risk Score', type: 'number' },
	{ key: 'kickoffDate', label: 'Kickoff Date', type: 'date' },
	{ key: 'billable', label: 'Billable', type: 'boolean' },
	{ key: 'crmDealId', label: 'CRM Deal ID', type: 'text' },
];
