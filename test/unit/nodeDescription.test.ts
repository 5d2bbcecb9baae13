import type { INodeProperties } from 'n8n-workflow';

import { ProjectManagement } from '../../nodes/ProjectManagement/ProjectManagement.node';
import {
	DEFAULT_MAX_IN_FLIGHT,
	DEFAULT_TIMEOUT_SECONDS,
} from '../../nodes/ProjectManagement/actions/settings';
import { knownCurrencies } from '../../nodes/ProjectManagement/fields/projectBody';
import { DEFAULT_RETRY_POLICY } from '../../nodes/ProjectManagement/reliability/retry';

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
		expect(find('maxRateLimitWaitSeconds').default).toBe(DEFAULT_RETRY_POLICY.maxRateLimitWaitMs / 1000);
		expect(find('retryDelayMs').default).toBe(DEFAULT_RETRY_POLICY.baseDelayMs);
		expect(find('timeoutSeconds').default).toBe(DEFAULT_TIMEOUT_SECONDS);
	});

	it('shows the throughput defaults the router uses', () => {
		expect(find('maxInFlight').default).toBe(DEFAULT_MAX_IN_FLIGHT);
		expect(find('maxRequestsPerSecond').default).toBe(0);
	});

	it('explains the idempotency key default in the field hint', () => {
		expect(find('idempotencyKey').hint).toMatch(
			/makes one from the workflow, the node and the item's data, so a retry or a second run never does the change twice/,
		);
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

describe('the Project operations as n8n shows them', () => {
	const node = new ProjectManagement();
	const operation = find('operation');
	const operations = operation.options as Array<{ name: string; value: string; action?: string }>;
	const shownFor = (op: string) =>
		description.properties.filter((property) => property.displayOptions?.show?.operation?.includes(op));

	it('offers Create, Delete, Get, Get Many and Update, sorted, each with an action sentence', () => {
		expect(operations.map((option) => [option.name, option.value])).toEqual([
			['Create', 'create'],
			['Delete', 'deleteProject'],
			['Get', 'get'],
			['Get Many', 'getAll'],
			['Update', 'update'],
		]);
		expect(operations.every((option) => /^[A-Z][a-z]+ (a|many) projects?$/.test(option.action ?? ''))).toBe(
			true,
		);
	});

	it('gives every field an explanation, for people and for AI agents filling it with $fromAI()', () => {
		const undocumented: string[] = [];
		const visit = (properties: INodeProperties[], path: string) => {
			for (const property of properties) {
				const here = `${path}${property.name}`;
				if (
					!['operation', 'resource', 'authentication', 'options'].includes(property.name) &&
					property.type !== 'notice' &&
					!property.description
				) {
					undocumented.push(here);
				}
				for (const option of property.options ?? []) {
					if ('values' in option) visit(option.values, `${here}.`);
					else if ('type' in option) visit([option as INodeProperties], `${here}.`);
				}
			}
		};
		visit(description.properties, '');
		expect(undocumented).toEqual([]);
	});

	it('lists the options of every Options collection in alphabetical order', () => {
		for (const options of description.properties.filter((property) => property.name === 'options')) {
			const labels = (options.options as INodeProperties[]).map((option) => option.displayName);
			expect(labels).toEqual([...labels].sort((a, b) => a.localeCompare(b)));
		}
	});

	it('offers Dry Run and the idempotency key on Create and Update only, and the not-found choice on Delete only', () => {
		const optionNames = (op: string) =>
			shownFor(op)
				.filter((property) => property.name === 'options')
				.flatMap((property) => (property.options as INodeProperties[]).map((option) => option.name));
		for (const op of ['create', 'update']) {
			expect(optionNames(op)).toEqual(expect.arrayContaining(['dryRun', 'idempotencyKey']));
			expect(optionNames(op)).not.toContain('ignoreNotFound');
		}
		for (const op of ['get', 'getAll']) {
			expect(optionNames(op)).not.toEqual(expect.arrayContaining(['dryRun']));
			expect(optionNames(op)).not.toContain('idempotencyKey');
		}
		expect(optionNames('deleteProject')).toContain('ignoreNotFound');
		expect(optionNames('deleteProject')).not.toContain('dryRun');
	});

	it('asks for the project through a locator with list, ID and URL modes on Get, Update and Delete', () => {
		for (const op of ['get', 'update', 'deleteProject']) {
			const locator = shownFor(op).find((property) => property.name === 'project');
			expect(locator?.type).toBe('resourceLocator');
			expect(locator?.modes?.map((mode) => mode.name)).toEqual(['list', 'id', 'url']);
		}
		const url = find('project').modes?.find((mode) => mode.name === 'url');
		const extract = url?.extractValue as { regex: string };
		expect(new RegExp(extract.regex).exec('https://pm.example.com/projects/prj_abc123')?.[1]).toBe(
			'prj_abc123',
		);
	});

	it('loads every dynamic list through a method the node has', () => {
		const wanted: Array<[string, string]> = [];
		const visit = (properties: INodeProperties[]) => {
			for (const property of properties) {
				const options = property.typeOptions ?? {};
				if (options.loadOptionsMethod) wanted.push(['loadOptions', options.loadOptionsMethod as string]);
				if (options.resourceMapper?.resourceMapperMethod) {
					wanted.push(['resourceMapping', options.resourceMapper.resourceMapperMethod]);
				}
				for (const mode of property.modes ?? []) {
					const method = mode.typeOptions?.searchListMethod;
					if (method) wanted.push(['listSearch', method]);
				}
				for (const option of property.options ?? []) {
					if ('values' in option) visit(option.values);
					else if ('type' in option) visit([option as INodeProperties]);
				}
			}
		};
		visit(description.properties);
		expect(new Set(wanted.map(([kind]) => kind))).toEqual(
			new Set(['loadOptions', 'listSearch', 'resourceMapping']),
		);
		for (const [kind, method] of wanted) {
			const methods = node.methods[kind as keyof typeof node.methods] as Record<string, unknown>;
			expect(typeof methods[method]).toBe('function');
		}
	});
});
