import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { inputTypeFor } from '../fields/customFields';
import { settle } from '../transport/request';
import { fetchAllPages } from './dropdownRequest';

/** How to get the form back once what kept it from loading is fixed (n8n loads it when the node opens). */
const RELOAD = 'Then close this node and open it again to load the form.';

/**
 * The custom-field form: every field `GET /custom-fields` defines, shown by its label with an input that suits
 * its type. The field's key is what the form stores and what the request sends.
 */
export async function getCustomFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	// Without a word from here, n8n shows nothing at all where the form should be when it cannot load (or when
	// no credential is chosen yet): its notice says what happened and how to get the form back.
	if (Object.keys(this.getNode().credentials ?? {}).length === 0) {
		return {
			fields: [],
			emptyFieldsNotice: `The custom fields are loaded from your project-management system: choose a credential above first. ${RELOAD}`,
		};
	}
	const read = await settle(fetchAllPages.call(this, 'the custom fields', '/custom-fields'));
	if ('failure' in read) {
		const why = read.failure instanceof Error ? read.failure.message : String(read.failure);
		return {
			fields: [],
			emptyFieldsNotice: `${why.replace(/\.?$/, '.')} ${RELOAD} Meanwhile, custom fields can be set under Additional Fields → Custom Fields by Key (Advanced).`,
		};
	}
	const definitions = read.value;
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
	if (fields.length === 0) {
		return {
			fields,
			emptyFieldsNotice:
				'Your project-management system defines no custom fields, so there is nothing to fill in here. Fields defined there later appear when you open this node again.',
		};
	}
	return { fields };
}
