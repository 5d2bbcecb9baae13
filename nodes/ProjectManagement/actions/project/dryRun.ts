import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import { connectionOf, shownUrl } from '../../transport/connection';

/** A request as a Dry Run shows it: what would be sent, where, with which key. Never headers or secrets. */
export interface ShownRequest extends IDataObject {
	method: IHttpRequestMethods;
	url: string;
}

export async function showRequest(
	this: IExecuteFunctions,
	method: IHttpRequestMethods,
	path: string,
	body?: IDataObject,
	idempotencyKey?: string,
	qs?: IDataObject,
): Promise<ShownRequest> {
	const shown: ShownRequest = { method, url: shownUrl(await connectionOf(this), path, qs) };
	if (body !== undefined) shown.body = body;
	if (idempotencyKey !== undefined) shown.idempotencyKey = idempotencyKey;
	return shown;
}
