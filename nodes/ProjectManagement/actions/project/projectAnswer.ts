import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { headerValue } from '../../reliability/headers';
import type { CallSettings } from '../../transport/request';
import type { ApiSuccess } from '../../transport/response';
import { UnexpectedAnswer, describeBody } from '../../transport/response';
import type { CallCost } from '../outcome';
import { addCosts, lookupCost } from '../outcome';
import { callProject } from './projectCall';

/**
 * The project in a successful answer. An API that creates or changes a project answers with it; some answer
 * `201 Created` with only a `Location` header, which is then read (on the Base URL's own API only). Anything else
 * (an empty body, text, a web page, a list, a queue ticket) is an UnexpectedAnswer: complete, so not sent again,
 * and without the project, so the item cannot say which project it is.
 */
export async function projectIn(
	this: IExecuteFunctions,
	response: ApiSuccess,
	settings: CallSettings,
	cost: CallCost,
	idempotencyKey?: string,
): Promise<{ project: IDataObject; cost: CallCost }> {
	const body = response.body;
	if (isProject(body)) return { project: body, cost };
	const id = projectIdInLocation(headerValue(response.headers, 'location'));
	if (id !== undefined) {
		const read = await callProject.call(this, id, { method: 'GET' }, settings);
		// Reading the project the answer points at is on the way: its waits count, not its attempts.
		const total = addCosts(cost, lookupCost(read));
		if (isProject(read.body)) return { project: read.body, cost: total };
		throw new UnexpectedAnswer(
			read.statusCode,
			describeBody(read.statusCode, read.body),
			'the project',
			total,
		);
	}
	throw new UnexpectedAnswer(
		response.statusCode,
		describeBody(response.statusCode, body),
		'the project',
		cost,
		idempotencyKey,
	);
}

function isProject(body: unknown): body is IDataObject {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
	const id = (body as IDataObject).id;
	return (typeof id === 'string' && id !== '') || typeof id === 'number';
}

/**
 * The project ID in a Location header that points at a project of this API: a path such as
 * /api/v1/projects/prj_1, or the same on an absolute address. Other addresses are not followed (the request would
 * carry the credential), whatever host they name: only the path below /api/v1 is taken, and it goes to the Base URL.
 */
function projectIdInLocation(location: string | undefined): string | undefined {
	if (location === undefined) return undefined;
	const match = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]+)?\/api\/v1\/projects\/([A-Za-z0-9][A-Za-z0-9_-]*)\/?$/i.exec(
		location.trim(),
	);
	return match?.[1];
}
