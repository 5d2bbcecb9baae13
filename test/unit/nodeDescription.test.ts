import type { INodeProperties } from 'n8n-workflow';

import { ProjectManagement } from '../../nodes/ProjectManagement/ProjectManagement.node';
import { DEFAULT_TIMEOUT_SECONDS } from '../../nodes/ProjectManagement/descriptions/requestOptions';
import { DEFAULT_RETRY_POLICY } from '../../nodes/ProjectManagement/helpers/retry';
import { knownCurrencies } from '../../nodes/ProjectManagement/helpers/projectFields';

const { description } = new ProjectManagement();

function find(name: string, properties: INodeProperties[] = description.properties): INodeProperties {
	for (const property of properties) {
		if (property.name === name) return property;
		const nested = (property.options ?? []).flatMap((option) =>
			'values' in option ? option.values : 'type' in option ? [option as INodeProperties] : [],
		);
		const hit = nested.length ? findOrUndefined(name, nested) : undefined;
		if (hit) return hit;
	}
	throw new Error(`no property ${name}`);
}

function findOrUndefined(name: string, properties: INodeProperties[]) {
	try {
		return find(name, properties);
	} catch {
		return undefined;
	}
}

describe('the node as n8n shows it', () => {
	it('can be used as an AI tool', () => {
		expect(description.usableAsTool).toBe(true);
	});

	it('offers each credential only under its own Authentication choice', () => {
		const authentication = find('authentication');
		const choices = (authentication.options as Array<{ value: string }>).map((option) => option.value);
		expect(choices).toEqual(['projectManagementApi', 'projectManagementOAuth2Api']);
		for (const credential of description.credentials ?? []) {
			expect(credential.displayOptions?.show?.authentication).toEqual([credential.name]);
		}
	});

	it('shows the retry defaults the transport uses', () => {
		expect(find('maxAttempts').default).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
		expect(find('maxWaitSeconds').default).toBe(DEFAULT_RETRY_POLICY.maxWaitMs / 1000);
		expect(find('retryDelayMs').default).toBe(DEFAULT_RETRY_POLICY.baseDelayMs);
		expect(find('timeoutSeconds').default).toBe(DEFAULT_TIMEOUT_SECONDS);
	});

	it('explains the idempotency key default in the field hint', () => {
		expect(find('idempotencyKey').hint).toMatch(/same item then gets the same key/);
	});

	it('lists every known currency once, by name', () => {
		const currency = find('currency');
		const codes = (currency.options as Array<{ value: string; name: string }>).map((option) => option.value);
		expect(new Set(codes)).toEqual(knownCurrencies());
		expect(codes).toContain('EUR');
		const names = (currency.options as Array<{ name: string }>).map((option) => option.name);
		expect([...names].sort((a, b) => a.localeCompare(b))).toEqual(names);
	});

	it('requires a name and keeps every other project field optional', () => {
		expect(find('name').required).toBe(true);
		const optional = find('additionalFields').options as INodeProperties[];
		expect(optional.map((field) => field.name).sort()).toEqual(
			[
				'budget',
				'customFieldsJson',
				'customFieldsUi',
				'description',
				'endDate',
				'ownerId',
				'priority',
				'startDate',
				'status',
				'teamIds',
			].sort(),
		);
	});
});
