import { createHash } from 'crypto';

/**
 * Idempotency keys that stay the same for the same item: on every retry inside the node, when n8n's own
 * "Retry On Fail" runs the node again with all its items, and when the workflow runs again on the same input.
 * A key made from the execution id or a random number would protect none of the last two.
 */

/** JSON with object keys sorted at every depth, so that equal payloads give equal text. */
export function canonicalJson(value: unknown): string {
	return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value !== null && typeof value === 'object') {
		const sorted: Record<string, unknown> = {};
		for (const key of Object.keys(value).sort()) {
			sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
		}
		return sorted;
	}
	return value;
}

export interface KeySource {
	/** The workflow the node belongs to. */
	workflowId: string;
	/** The node's own id: two nodes of one workflow never share keys. */
	nodeId: string;
	/** The operation, e.g. `project:create`. */
	operation: string;
	/** The request body as it will be sent. */
	payload: unknown;
}

/** `n8n-` and 40 hex characters of a SHA-256 over the workflow, the node, the operation and the payload. */
export function deriveIdempotencyKey(source: KeySource): string {
	const digest = createHash('sha256')
		.update(canonicalJson([source.workflowId, source.nodeId, source.operation, source.payload]), 'utf8')
		.digest('hex');
	return `n8n-${digest.slice(0, 40)}`;
}

/**
 * The key for doing a change once more on purpose, because what the first key stands for is gone (a project an
 * earlier run created and someone deleted since): derived from the old key and the reason, so that it too is the
 * same on every retry and re-run.
 */
export function successorKey(key: string, reason: string): string {
	const digest = createHash('sha256')
		.update(canonicalJson(['successor', key, reason]), 'utf8')
		.digest('hex');
	return `n8n-${digest.slice(0, 40)}`;
}

export const MAX_KEY_LENGTH = 255;

/**
 * What is wrong with a key the user set (for example a CRM deal id), checked the way the API checks it: 1 to 255
 * visible ASCII characters without quotes. Undefined when it is usable.
 */
export function keyFormatProblem(key: string): string | undefined {
	if (key === '') return 'is empty';
	if (key.length > MAX_KEY_LENGTH) {
		return `is ${key.length} characters long; the API accepts at most ${MAX_KEY_LENGTH}`;
	}
	if (!/^[\x21-\x7e]+$/.test(key) || key.includes('"')) {
		return 'may only hold letters, digits and visible ASCII punctuation (no spaces, quotes or accented letters)';
	}
	return undefined;
}
