import type { FieldType, INodePropertyOptions, ResourceMapperField, ResourceMapperValue } from 'n8n-workflow';

/** A column of the node's Custom Fields form, as the editor saves it in the form's schema. */
export function formColumn(
	id: string,
	displayName: string,
	type: FieldType,
	options?: INodePropertyOptions[],
): ResourceMapperField {
	return {
		id,
		displayName,
		type,
		...(options ? { options } : {}),
		required: false,
		defaultMatch: false,
		display: true,
	};
}

/**
 * The node's Custom Fields form (n8n's resource mapper) as the editor saves it in a workflow: the values the
 * user set below the form's columns.
 */
export function customFieldsForm(
	value: ResourceMapperValue['value'],
	schema: ResourceMapperField[],
): ResourceMapperValue {
	return {
		mappingMode: 'defineBelow',
		value,
		matchingColumns: [],
		schema,
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}
