import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { ProjectManagementApi } from '../../credentials/ProjectManagementApi.credentials';
import { ProjectManagementOAuth2Api } from '../../credentials/ProjectManagementOAuth2Api.credentials';
import { ProjectManagement } from '../../nodes/ProjectManagement/ProjectManagement.node';
import { ProjectManagementTrigger } from '../../nodes/ProjectManagementTrigger/ProjectManagementTrigger.node';
import { PACKAGE_ROOT } from '../../harness/package/paths';

/**
 * The README is the users' manual: every field, option and choice that n8n shows for the node, the trigger and
 * their credentials must appear in it by the name n8n shows, so that a new field cannot ship undocumented.
 */

/** Longer choice lists are generated from data (the currencies) and documented as a whole. */
const LONGEST_LIST_NAMED_ONE_BY_ONE = 20;

function shownNames(properties: INodeProperties[]): string[] {
	return properties.flatMap((property) => {
		// A notice is a sentence the editor shows, not a field to name.
		if (property.type === 'hidden' || property.type === 'notice') return [];
		const names = [property.displayName];
		for (const mode of property.modes ?? []) names.push(mode.displayName);
		const options = property.options ?? [];
		if (property.type === 'collection') names.push(...shownNames(options as INodeProperties[]));
		if (property.type === 'fixedCollection') {
			for (const group of options as INodePropertyCollection[]) {
				names.push(group.displayName, ...shownNames(group.values));
			}
		}
		if (
			(property.type === 'options' || property.type === 'multiOptions') &&
			options.length <= LONGEST_LIST_NAMED_ONE_BY_ONE
		) {
			names.push(...(options as INodePropertyOptions[]).map((option) => option.name));
		}
		return names;
	});
}

const appearsIn = (text: string, name: string) =>
	new RegExp(`(?<![A-Za-z0-9])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`).test(text);

describe('the README', () => {
	const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
	const node = new ProjectManagement().description;
	const credentials = [new ProjectManagementApi(), new ProjectManagementOAuth2Api()];

	it("names every field, option and choice of the node's editor", () => {
		const names = [...new Set([node.displayName, ...shownNames(node.properties)])];
		expect(names.length).toBeGreaterThan(30);
		expect(names.filter((name) => !appearsIn(readme, name))).toEqual([]);
	});

	it("names every field and choice of the trigger's editor, and has the section its documentation link points to", () => {
		const trigger = new ProjectManagementTrigger().description;
		const names = [...new Set([trigger.displayName, ...shownNames(trigger.properties)])];
		expect(names.length).toBeGreaterThan(8);
		expect(names.filter((name) => !appearsIn(readme, name))).toEqual([]);
		expect(readme).toMatch(/^## The trigger$/m);
	});

	it('names both credential types and every field of their dialogs', () => {
		const names = [
			...new Set(
				credentials.flatMap((credential) => [credential.displayName, ...shownNames(credential.properties)]),
			),
		];
		expect(names.filter((name) => !appearsIn(readme, name))).toEqual([]);
	});

	it('tells how to install the package from n8n, by its npm name', () => {
		const { name } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
		expect(readme).toContain('Settings → Community Nodes');
		expect(appearsIn(readme, `\`${name}\``)).toBe(true);
	});

	it('has the troubleshooting section that the credentials link to', () => {
		expect(readme).toMatch(/^## Troubleshooting$/m);
		expect(readme).toContain('(#troubleshooting)');
	});
});
