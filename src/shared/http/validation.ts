import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * Two validators: bodies are strict (no coercion of "5" to 5, no silent stripping of unknown
 * fields: `additionalProperties: false` refuses them), while the query string, path parameters
 * and headers are text by nature and are coerced to the schema's types.
 */
export function registerValidators(app: FastifyInstance): void {
  const common: Options = { allErrors: true, useDefaults: true, strict: false, removeAdditional: false };
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [body, text]) {
    // biome-ignore lint/suspicious/noExplicitAny: ajv-formats' CJS default export is typed for a different Ajv import
    (addFormats as any)(ajv, ['email', 'date-time', 'uri']);
  }
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? body : text).compile(schema as object),
  );
}
