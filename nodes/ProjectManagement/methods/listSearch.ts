import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { connectionOf } from '../transport/connection';
import { dropdownError, fetchPage } from './dropdownRequest';

/** The searchable lists of the resource locators: projects and users. */

/** The address of a project's page, for the editor's "open" link; empty when the credential has no Base URL. */
async function projectPageBase(this: ILoadOptionsFunctions): Promise<string | undefined> {
	try {
		const { baseUrl } = await connectionOf(this);
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

/** Pages read for one answer while filtering users, so that a filter matching only later users still shows some. */
const MAX_USER_PAGES = 10;

/**
 * Users shown as "Name (email)". The API has no user search, so the filter is applied here, reading on until
 * something matches; the editor asks for the next page as the user scrolls.
 */
export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const wanted = filter?.trim().toLowerCase() ?? '';
	const results: INodeListSearchItems[] = [];
	let cursor = paginationToken;
	for (let page = 0; page < MAX_USER_PAGES; page++) {
		const users = await fetchPage.call(this, 'the users', '/users', {}, cursor);
		for (const user of users.data) {
			if (typeof user.id !== 'string') continue;
			const name = typeof user.name === 'string' && user.name !== '' ? user.name : user.id;
			const email = typeof user.email === 'string' ? user.email : '';
			const shown = email ? `${name} (${email})` : name;
			if (wanted === '' || shown.toLowerCase().includes(wanted) || user.id.toLowerCase() === wanted) {
				results.push({ name: shown, value: user.id });
			}
		}
		cursor = users.nextCursor ?? undefined;
		if (cursor === undefined || results.length > 0) break;
	}
	return { results, paginationToken: cursor };
}
