import type { FastifyInstance, FastifyRequest } from 'fastify';

import { invalidInput, type FieldProblem } from '../errors';
import type { ServerState } from '../state';
import { problemsFromAjv } from '../validation/ajvErrors';

/**
 * Routes attach their schema errors instead of failing at once, so that this hook can report them
 * together with the semantic problems in a single 400.
 */
export function registerValidation(api: FastifyInstance, state: ServerState): void {
	api.addHook('preHandler', async (request) => {
		const problems: FieldProblem[] = [];
		const schemaError = request.validationError as
			(Error & { validation?: unknown; validationContext?: string }) | undefined;
		if (schemaError?.validation) {
			problems.push(
				...problemsFromAjv(schemaError.validation as never, partData(request, schemaError.validationContext)),
			);
		}
		const semantic = request.routeOptions.config.semantic;
		if (semantic && schemaError?.validationContext !== 'querystring')
			problems.push(...semantic(request.body, state.directory));
		if (problems.length > 0) throw invalidInput(problems);
	});
}

function partData(request: FastifyRequest, part: string | undefined): unknown {
	if (part === 'querystring') return request.query;
	if (part === 'params') return request.params;
	if (part === 'headers') return request.headers;
	return request.body;
}
