import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { credentialType } from '../transport';
import { dropdownError, fetchPage } from './dropdownRequest';

/** The searchable lists of the resource locators: projects and users. */

/** The address of a project's page, for the editor's "open" link; empty when the credential has no Base URL. */
async function projectPageBase(this: ILoadOptionsFunctions): Promise<string | undefined> {
	try {
		const credentials = await this.getCredentials(credentialType(this));
		const baseUrl = String(credentials.baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '');
		return /^https?:\/\//i.test(baseUrl) ? baseUrl : undefined;
	} catch (error) {
		throw dropdownError(this.getNode(), 'the projects', error);
	}
}

export async function searchProjects(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const search = filter?.trim();
	const page = await fetchPage.call(
		this,
		'the projects',
		'/projects',
		search ? { search, limit: 50 } : { limit: 50 },
		paginationToken,
	);
	const base = await projectPageBase.call(this);
	const results: INodeListSearchItems[] = page.data
		.filter((project) => typeof project.id === 'string')
		.map((project) => ({
			name: typeof project.name === 'string' ? project.name : String(project.id),
			value: project.id as string,
			url: base ? `${base}/projects/${encodeURIComponent(project.id as string)}` : undefined,
		}));
	return { results, paginationToken: page.nextCursor ?? undefined };
}

/**
 * Users shown as "Name (email)". The API has no user search, so the filter is applied to each page here; the
 * editor asks for the next page as the user scrolls.
 */
export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await fetchPage.call(this, 'the users', '/users', {}, paginationToken);
	const wanted = filter?.trim().toLowerCase() ?? '';
	const results: INodeListSearchItems[] = page.data
		.filter((user) => typeof user.id === 'string')
		.map((user) => {
			const name = typeof user.name === 'string' && user.name !== '' ? user.name : (user.id as string);
			const email = typeof user.email === 'string' ? user.email : '';
			return { name: email ? `${name} (${email})` : name, value: user.id as string };
		})
		.filter(
			(user) =>
				wanted === '' || user.name.toLowerCase().includes(wanted) || user.value.toLowerCase() === wanted,
		);
	return { results, paginationToken: page.nextCursor ?? undefined };
}
