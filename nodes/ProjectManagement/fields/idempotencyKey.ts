import { keyFormatProblem } from '../reliability/idempotency';
import { describeValue } from './values';

/**
 * The Idempotency Key option, when the user set it (for example to a CRM deal id): text or a number, in the
 * form the API accepts. Returns a message for the user when it is not usable.
 */
export function checkCustomKey(raw: unknown): { key: string } | { problem: string } {
	if (typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
	if (typeof raw !== 'string') {
		return { problem: `must be text or a number, but the expression gave ${describeValue(raw)}` };
	}
	const key = raw.trim();
	const problem = keyFormatProblem(key);
	return problem === undefined ? { key } : { problem };
}
