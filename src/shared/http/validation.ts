import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import fastJsonStringify from 'fast-json-stringify';
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';

export interface SchemaCompilerOptions {
  /**
   * Development and tests (true): every schema is checked against the JSON Schema meta-schema and
   * compiled at start-up, so a broken one stops the app at once. Production (false): the schemas
   * were checked there, so each is compiled, unchecked, on its first use: start-up skips the
   * compilers (about 70 ms of CPU, measured here), and each route's first request pays a few milliseconds.
   */
  readonly checkSchemas: boolean;
}

type Validator = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/** A validator compiled on its first call. Fastify reads a failed call's `errors` off the function. */
function lazyValidator(compile: () => Validator): Validator {
  let compiled: Validator | undefined;
  const validate: Validator = (data) => {
    compiled ??= compile();
    const valid = compiled(data);
    validate.errors = compiled.errors ?? null;
    return valid;
  };
  return validate;
}

/** A serializer compiled on its first call. */
function lazySerializer(compile: () => (data: unknown) => string): (data: unknown) => string {
  let compiled: ((data: unknown) => string) | undefined;
  return (data) => {
    compiled ??= compile();
    return compiled(data);
  };
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
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const compile = () => (httpPart === 'body' ? body : text).compile(schema as object) as Validator;
    const validate = options.checkSchemas ? compile() : lazyValidator(compile);
    if (httpPart === 'body') return checkedFirst(WELL_FORMED, validate);
    return httpPart === 'querystring' ? checkedFirst(WITHOUT_NUL, validate) : validate;
  });

  const serializers = new WeakMap<object, (data: unknown) => string>();
  app.setSerializerCompiler(({ schema }) => {
    let serialize = serializers.get(schema as object);
    if (serialize === undefined) {
      const compile = () => fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]);
      serialize = options.checkSchemas ? compile() : lazySerializer(compile);
      serializers.set(schema as object, serialize);
    }
    return serialize;
  });
}

/** A check made before the schema's: the place it refuses (a JSON pointer), if any. */
interface FirstCheck {
  readonly keyword: string;
  readonly message: string;
  refusedAt(data: unknown): string | undefined;
}

/** `validate`, after `check`: a refusal by the check is reported as a schema error of its own keyword. */
function checkedFirst(check: FirstCheck, validate: Validator): Validator {
  const checked: Validator = (data) => {
    const path = check.refusedAt(data);
    if (path !== undefined) {
      checked.errors = [
        {
          keyword: check.keyword,
          instancePath: path,
          schemaPath: `#/${check.keyword}`,
          params: {},
          message: check.message,
        },
      ];
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors ?? null;
    return valid;
  };
  return checked;
}

/**
 * Bodies: text with an unpaired UTF-16 surrogate is refused. JSON may write one (`"\\ud800"`); it
 * is valid JSON but no character, so it cannot be stored: PostgreSQL refuses it in `jsonb` (an
 * event's payload: the command failed with a 500), and the driver writes it to a `text` column as
 * U+FFFD, so two different passwords could hash alike. Only bodies carry it: the query string and
 * path are percent-decoded bytes, where a broken sequence already reads as U+FFFD.
 */
const WELL_FORMED: FirstCheck = {
  keyword: 'wellFormed',
  message: 'must be well-formed Unicode text (it has an unpaired surrogate)',
  refusedAt: unpairedSurrogateAt,
};

/**
 * Query strings: a parameter holding U+0000 (`?title=%00`) is refused, which PostgreSQL's text
 * cannot hold: the search failed in the database with a 500. Bodies need no such check: their
 * text goes through value objects that refuse control characters, or never reaches a column.
 */
const WITHOUT_NUL: FirstCheck = {
  keyword: 'noNul',
  message: 'must not contain the NUL character (U+0000)',
  refusedAt(data) {
    for (const [name, value] of Object.entries((data ?? {}) as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((text) => typeof text === 'string' && text.includes('\u0000')))
        return `/${pointerEscaped(name)}`;
    }
    return undefined;
  },
};

/**
 * The JSON pointer of the first string (or key) in `data`, in document order, that is not
 * well-formed Unicode. It walks with a stack of its own, not by recursion: a body of arrays nested
 * 20,000 deep is valid JSON well under the size limit, and recursion overflowed the call stack
 * (a 500; on the OAuth2 routes the engine's message reached the client).
 */
export function unpairedSurrogateAt(data: unknown): string | undefined {
  // Each entry: a value, its pointer, and whether the key that leads to it is itself broken.
  const pending: [value: unknown, path: string, badKey: boolean][] = [[data, '', false]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, path, badKey] = next;
    if (badKey) return path;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const entries = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
    // Pushed last first, so that they come off the stack in document order.
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, child] = entries[i]!;
      const name = String(key);
      const wellFormed = name.isWellFormed();
      pending.push([
        child,
        `${path}/${pointerEscaped(wellFormed ? name : name.toWellFormed())}`,
        !wellFormed,
      ]);
    }
  }
  return undefined;
}

function pointerEscaped(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
