import swagger from '@fastify/swagger';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';

import { newRequestContext, type RequestContext } from './context';
import { errorBody } from './errors';
import { handleError } from './errorHandler';
import { registerAuth } from './layers/auth';
import { registerFaults } from './layers/faults';
import { registerIdempotency } from './layers/idempotency';
import { registerLatency } from './layers/latency';
import { registerRateLimit } from './layers/rateLimit';
import { registerInFlightCount, registerRequestLog } from './layers/requestLog';
import { registerValidation } from './layers/validation';
import { registerAdminRoutes } from './routes/admin';
import { directorySchemas, registerDirectoryRoutes } from './routes/directory';
import { meSchema, registerMeRoute } from './routes/me';
import { registerOAuthRoutes, tokenResponseSchema } from './routes/oauth';
import { openApiInfo, registerOpenApiRoute } from './routes/openapi';
import { registerProjectRoutes } from './routes/projects';
import { registerWebhookRoutes } from './routes/webhooks';
import { securitySchemes, sharedSchemas } from './schemas/common';
import { projectSchema } from './schemas/project';
import {
	openApiWebhooks,
	webhookEventSchema,
	webhookSubscriptionCreatedSchema,
	webhookSubscriptionSchema,
} from './schemas/webhook';
import type { ServerState } from './state';
import { validatorCompiler } from './validation/ajv';

/**
 * Layers, in the order a request meets them: request context → in-flight count → faults decided "before" →
 * latency → (under /api/v1) authentication with scope check → rate limit → body parsing → schema + semantic
 * validation → idempotency → handler (slowBeforeCommit, commit, after-commit faults) → request log.
 */
export async function buildServer(state: ServerState): Promise<FastifyInstance> {
	const app = Fastify({ logger: state.options.logger, forceCloseConnections: true });

	app.decorateRequest('ctx', null as unknown as RequestContext);
	app.setValidatorCompiler(validatorCompiler);
	// Response schemas document the API; bodies are sent as built, so the conformance test checks real output.
	app.setSerializerCompiler(() => (data) => JSON.stringify(data));
	app.setErrorHandler(handleError);
	app.setNotFoundHandler((request, reply) => {
		reply.code(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`));
	});
	acceptJsonOnly(app);

	await app.register(swagger, {
		openapi: {
			openapi: '3.1.0',
			info: openApiInfo,
			components: { securitySchemes: securitySchemes as never },
			tags: [
				{ name: 'projects', description: 'Projects' },
				{
					name: 'directory',
					description: 'Users, teams and custom field definitions that projects refer to',
				},
				{ name: 'auth', description: 'Tokens and the current credential' },
				{ name: 'webhooks', description: 'Subscriptions to project events, delivered signed' },
			],
			webhooks: openApiWebhooks as never,
		},
		refResolver: {
			buildLocalReference: (json, _baseUri, _fragment, i) =>
				typeof json.$id === 'string' ? json.$id : `def-${i}`,
		},
	});
	for (const schema of [
		...sharedSchemas,
		projectSchema,
		...directorySchemas,
		meSchema,
		tokenResponseSchema,
		webhookSubscriptionSchema,
		webhookSubscriptionCreatedSchema,
		webhookEventSchema,
	])
		app.addSchema(schema);

	app.addHook('onRequest', async (request) => {
		request.ctx = newRequestContext();
	});
	registerInFlightCount(app, state);
	registerFaults(app, state);
	registerLatency(app, state);
	registerRequestLog(app, state);

	await app.register(async (oauth) => {
		await oauth.register(formbody);
		registerOAuthRoutes(oauth, state);
	});

	await app.register(
		async (api) => {
			registerAuth(api, state);
			registerRateLimit(api, state);
			registerValidation(api, state);
			registerIdempotency(api, state);
			registerProjectRoutes(api, state);
			registerDirectoryRoutes(api, state);
			registerMeRoute(api, state);
			registerWebhookRoutes(api, state);
			registerOpenApiRoute(api);
		},
		{ prefix: '/api/v1' },
	);

	await app.register(async (admin) => registerAdminRoutes(admin, state), { prefix: '/_admin' });
	return app;
}

/**
 * JSON only (fastify's text/plain parser would let a wrong content type through to validation instead of 415).
 * A JSON content type with an empty body reads as "no body", which admin calls rely on.
 */
function acceptJsonOnly(app: FastifyInstance): void {
	const parseJson = app.getDefaultJsonParser('error', 'error');
	app.removeAllContentTypeParsers();
	app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
		const text = body.toString();
		if (text.trim() === '') return done(null, undefined);
		parseJson(request, text, done);
	});
}
