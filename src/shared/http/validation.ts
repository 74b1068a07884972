import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import fastJsonStringify from 'fast-json-stringify';
import type { FastifyInstance } from 'fastify';

export interface SchemaCompilerOptions {
  /**
   * Check every schema against the JSON Schema meta-schema when it is compiled: worth it while
   * schemas are being written (development, tests); production runs the schemas checked there.
   */
  readonly checkSchemas: boolean;
}

/**
 * Two validators: bodies are strict (no coercion of "5" to 5, no silent stripping of unknown
 * fields: `additionalProperties: false` refuses them), while the query string, path parameters
 * and headers are text by nature and are coerced to the schema's types.
 *
 * Response serializers are fast-json-stringify, as Fastify's own, but made once per schema
 * object: every route answers its problems with the same ProblemSchema, and without the cache
 * that one schema was compiled again for every route and status at start-up.
 */
export function registerSchemaCompilers(app: FastifyInstance, options: SchemaCompilerOptions): void {
  const common: Options = {
    allErrors: true,
    useDefaults: true,
    strict: false,
    removeAdditional: false,
    validateSchema: options.checkSchemas,
  };
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [body, text]) {
    // biome-ignore lint/suspicious/noExplicitAny: ajv-formats' CJS default export is typed for a different Ajv import
    (addFormats as any)(ajv, ['email', 'date-time', 'uri']);
  }
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? body : text).compile(schema as object),
  );

  const serializers = new WeakMap<object, (data: unknown) => string>();
  app.setSerializerCompiler(({ schema }) => {
    let serialize = serializers.get(schema as object);
    if (serialize === undefined) {
      serialize = fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]);
      serializers.set(schema as object, serialize);
    }
    return serialize;
  });
}
