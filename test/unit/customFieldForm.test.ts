import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { getCustomFields } from '../../nodes/ProjectManagement/methods/resourceMapping';

describe('the custom-field form before a credential is chosen', () => {
	it('says in its place what to do instead of showing nothing, and asks the API nothing', async () => {
		const asked: string[] = [];
		const context = {
			getNode: () => ({ name: 'Project Management', credentials: {} }),
			getCredentials: async () => {
				asked.push('credentials');
				throw new Error('no credential');
			},
		} as unknown as ILoadOptionsFunctions;
		const result = await getCustomFields.call(context);
		expect(result.fields).toEqual([]);
		expect(result.emptyFieldsNotice).toMatch(
			/choose a credential above first.*close this node and open it again/,
		);
		expect(asked).toEqual([]);
	});
});
