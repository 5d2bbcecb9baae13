import { ApiError } from './errors';

const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

function invalidKey(reason: string): ApiError {
	return new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', `The Idempotency-Key header is invalid: ${reason}.`);
}

/**
 * Accepts a bare token or a structured-field string ("…", with \" and \\ escapes); both name the same key.
 * The key must be 1–255 visible ASCII characters.
 */
export function parseIdempotencyKey(header: string): string {
	const value = header.trim();
	let key = value;
	if (value.startsWith('"')) {
		if (value.length < 2 || !value.endsWith('"'))
			throw invalidKey('a quoted key must end with a double quote');
		key = '';
		const inner = value.slice(1, -1);
		for (let i = 0; i < inner.length; i++) {
			const char = inner[i];
			if (char === '\\') {
				const next = inner[++i];
				if (next !== '"' && next !== '\\')
					throw invalidKey('inside quotes only \\" and \\\\ escapes are allowed');
				key += next;
			} else if (char === '"') {
				throw invalidKey('a double quote inside a quoted key must be escaped as \\"');
			} else {
				key += char;
			}
		}
	} else if (value.includes('"')) {
		throw invalidKey('an unquoted key must not contain double quotes');
	}
	if (!VISIBLE_ASCII.test(key))
		throw invalidKey('it must be 1 to 255 visible ASCII characters (no spaces or control characters)');
	return key;
}
