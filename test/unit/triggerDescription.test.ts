import { ProjectManagement } from '../../nodes/ProjectManagement/ProjectManagement.node';
import { ProjectManagementTrigger } from '../../nodes/ProjectManagementTrigger/ProjectManagementTrigger.node';
import { EVENT_TYPES as NODE_EVENT_TYPES } from '../../nodes/ProjectManagementTrigger/delivery/eventOutput';
import { ProjectManagementOAuth2Api } from '../../credentials/ProjectManagementOAuth2Api.credentials';
import { EVENT_TYPES as API_EVENT_TYPES } from '../../reference-api/src';

/** The trigger as n8n shows and registers it. */

const trigger = new ProjectManagementTrigger();
const { description } = trigger;
const property = (name: string) => description.properties.find((entry) => entry.name === name)!;

describe('the trigger as n8n shows it', () => {
	it('is a trigger: no inputs, one output, one POST webhook answered on receipt, not an AI tool', () => {
		expect(description.group).toEqual(['trigger']);
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual(['main']);
		expect(description.webhooks).toEqual([
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		]);
		expect(description.usableAsTool).toBeUndefined();
		expect(Object.keys(trigger.webhookMethods.default).sort()).toEqual(['checkExists', 'create', 'delete']);
	});

	it('signs in like the action node: the same Authentication choices and credentials', () => {
		const action = new ProjectManagement().description;
		const actionAuthentication = action.properties.find((entry) => entry.name === 'authentication');
		expect(property('authentication')).toEqual(actionAuthentication);
		expect(description.credentials).toEqual(action.credentials);
	});

	it('offers every event the API sends, and no other', () => {
		const offered = (property('events').options as Array<{ value: string }>).map((option) => option.value);
		expect([...offered].sort()).toEqual([...API_EVENT_TYPES].sort());
		expect([...NODE_EVENT_TYPES]).toEqual([...API_EVENT_TYPES]);
	});

	it('loads the statuses to filter on from the API, through the method the action node uses', () => {
		expect(property('statuses').typeOptions?.loadOptionsMethod).toBe('getStatuses');
		expect(trigger.methods.loadOptions.getStatuses).toBeInstanceOf(Function);
		expect(property('statuses').default).toEqual([]);
	});

	it("asks for webhooks:write in the OAuth2 credential's default Scope, and says what it is for", () => {
		const scope = new ProjectManagementOAuth2Api().properties.find(
			(entry) => entry.name === 'requestedScope',
		)!;
		expect(String(scope.default).split(' ')).toContain('webhooks:write');
		expect(scope.description).toMatch(/webhooks:write for the Project Management Trigger/);
	});
});
