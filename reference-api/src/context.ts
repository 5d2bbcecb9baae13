import type { FaultClass, Scope } from './config';
import type { Principal } from './credentials';
import type { FieldProblem } from './errors';
import type { IdempotencyScope } from './idempotencyStore';
import type { Directory } from './store';

/** What the layers learn about one request, for the later layers and the request log. */
export interface RequestContext {
	/** When the request arrived (ms since the epoch). */
	receivedAt: number;
	principal: Principal | null;
	/** Drawn on arrival; "after" classes act only if the request reaches the handler. */
	plannedFault: FaultClass | null;
	/** The fault that actually shaped the answer. */
	fault: FaultClass | null;
	idempotencyKey: string | null;
	/** Set while this request holds an in-flight idempotency record. */
	idempotencyScope: IdempotencyScope | null;
	retryAfterSeconds: number | null;
	/** The earliest moment (ms since the epoch) a retry honouring the Retry-After of this answer may arrive. */
	retryNotBefore: number | null;
	replayed: boolean;
	/** The body has been read: from here on fastify processes the request even if its client goes away. */
	bodyRead: boolean;
	logged: boolean;
}

export function newRequestContext(): RequestContext {
	return {
		receivedAt: Date.now(),
		principal: null,
		plannedFault: null,
		fault: null,
		idempotencyKey: null,
		idempotencyScope: null,
		retryAfterSeconds: null,
		retryNotBefore: null,
		replayed: false,
		bodyRead: false,
		logged: false,
	};
}

export type SemanticCheck = (body: unknown, directory: Directory) => FieldProblem[];

declare module 'fastify' {
	interface FastifyRequest {
		ctx: RequestContext;
	}
	interface FastifyContextConfig {
		/** No credential needed (the OpenAPI document). */
		public?: boolean;
		/** Scope the credential must hold. */
		scope?: Scope;
		/** Accepts an Idempotency-Key and stores its responses. */
		idempotent?: boolean;
		/** Checks beyond the JSON schema, reported together with the schema's problems. */
		semantic?: SemanticCheck;
	}
}
