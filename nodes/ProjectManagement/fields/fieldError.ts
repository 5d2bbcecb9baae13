/** A value the user gave that cannot be sent: which field, what is wrong with it, and what to do. */
export class FieldError extends Error {
	constructor(
		/** The field's label as the user sees it in the node. */
		readonly field: string,
		message: string,
		/** What to do about it. */
		readonly hint: string,
	) {
		super(message);
		this.name = 'FieldError';
	}
}
