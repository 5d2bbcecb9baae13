import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// Bodies are checked as sent: every problem reported, nothing coerced or dropped, so a client learns exactly what is wrong.
const bodyAjv = addFormats(
	new Ajv({
		allErrors: true,
		coerceTypes: false,
		removeAdditional: false,
		useDefaults: false,
		strict: false,
	}),
);

// Query strings, path parameters and headers arrive as text and need coercion (limit=20 is a number).
const partsAjv = addFormats(
	new Ajv({ allErrors: true, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false }),
);

export const validatorCompiler: FastifySchemaCompiler<Record<string, unknown>> = ({ schema, httpPart }) =>
	(httpPart === 'body' ? bodyAjv : partsAjv).compile(schema);
