import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { inputTypeFor } from '../fields/customFields';
import { fetchAllPages } from './dropdownRequest';

/**
 * The custom-field form: every field `GET /custom-fields` defines, shown by its label with an input that suits
 * its type. The field's key is what the form stores and what the request sends.
 */
export async function getCustomFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const definitions = await fetchAllPages.call(this, 'the custom fields', '/custom-fields');
	const fields: ResourceMapperField[] = definitions
		.filter((definition) => typeof definition.key === 'string' && definition.key !== '')
		.map((definition) => {
			const key = definition.key as string;
			const type = inputTypeFor(String(definition.type ?? 'text'));
			const field: ResourceMapperField = {
				id: key,
				displayName: typeof definition.label === 'string' && definition.label !== '' ? definition.label : key,
				required: false,
				defaultMatch: false,
				canBeUsedToMatch: false,
				display: true,
				type,
			};
			if (type === 'options') {
				const choices = Array.isArray(definition.options) ? definition.options : [];
				field.options = choices
					.filter((choice): choice is string => typeof choice === 'string')
					.map((choice) => ({ name: choice, value: choice }));
			}
			return field;
		});
	return { fields };
}
