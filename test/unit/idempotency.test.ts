import { checkCustomKey } from '../../nodes/ProjectManagement/fields/idempotencyKey';
import { canonicalJson, deriveIdempotencyKey } from '../../nodes/ProjectManagement/reliability/idempotency';

const source = {
	workflowId: 'wf1',
	nodeId: 'node-a',
	operation: 'project:create',
	payload: { name: 'Apollo', budget: { currency: 'EUR', amount: 10 } },
};

describe('derived idempotency keys', () => {
	it('are the same for the same item, whatever the key order of its data', () => {
		const reordered = { ...source, payload: { budget: { amount: 10, currency: 'EUR' }, name: 'Apollo' } };
		expect(deriveIdempotencyKey(reordered)).toBe(deriveIdempotencyKey(source));
	});

	it('differ when the data, the node, the workflow or the operation differ', () => {
		const base = deriveIdempotencyKey(source);
		expect(deriveIdempotencyKey({ ...source, payload: { ...source.payload, name: 'Apollo 2' } })).not.toBe(
			base,
		);
		expect(deriveIdempotencyKey({ ...source, nodeId: 'node-b' })).not.toBe(base);
		expect(deriveIdempotencyKey({ ...source, workflowId: 'wf2' })).not.toBe(base);
		expect(deriveIdempotencyKey({ ...source, operation: 'project:update' })).not.toBe(base);
	});

	it('are visible ASCII of a length the API accepts', () => {
		expect(deriveIdempotencyKey(source)).toMatch(/^n8n-[0-9a-f]{40}$/);
	});

	it('rest on canonical JSON that sorts nested keys but keeps array order', () => {
		expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
	});
});

describe('keys set by the user', () => {
	it('accepts text and numbers, trimmed', () => {
		expect(checkCustomKey(' deal-42 ')).toEqual({ key: 'deal-42' });
		expect(checkCustomKey(42)).toEqual({ key: '42' });
	});

	it.each([
		['', 'is empty'],
		['has space', 'visible ASCII'],
		['quote"d', 'visible ASCII'],
		['x'.repeat(256), 'at most 255'],
		[null, 'null'],
		[{ id: 1 }, 'an object'],
	])('rejects %j', (raw, problem) => {
		const checked = checkCustomKey(raw);
		expect('problem' in checked && checked.problem).toContain(problem);
	});
});
