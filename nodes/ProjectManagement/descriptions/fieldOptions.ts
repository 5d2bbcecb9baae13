import type { INodePropertyOptions } from 'n8n-workflow';

import { PROJECT_PRIORITIES, PROJECT_STATUSES, knownCurrencies } from '../fields/projectBody';

export const statusOptions: INodePropertyOptions[] = PROJECT_STATUSES.map((status) => ({
	name: status,
	value: status,
})).sort((a, b) => a.name.localeCompare(b.name));

export const priorityOptions: INodePropertyOptions[] = PROJECT_PRIORITIES.map((priority) => ({
	name: priority,
	value: priority,
})).sort((a, b) => a.name.localeCompare(b.name));

/** Every ISO 4217 code the runtime knows, shown as "Euro (EUR)", sorted by name. */
export function currencyOptions(): INodePropertyOptions[] {
	const names = new Intl.DisplayNames(['en'], { type: 'currency' });
	return [...knownCurrencies()]
		.map((code) => ({ name: `${names.of(code) ?? code} (${code})`, value: code }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
