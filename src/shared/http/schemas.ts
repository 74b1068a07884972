import { type Static, type TSchema, Type } from 'typebox';
import { Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageRequest } from '../application/pagination.ts';
import { DomainError } from '../domain/domain-error.ts';
import { Id } from '../domain/id.ts';

/** A Snowflake id as the API shows it: a decimal string (JSON numbers lose precision above 2^53). */
export const IdString = Type.String({
  pattern: '^[1-9][0-9]{0,18}$',
  description: 'A Snowflake id, as a decimal string',
  examples: ['7265011392712704001'],
});

export const IdParams = Type.Object({ id: IdString });
export type IdParams = Static<typeof IdParams>;

export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-11-25T09:30:00.000Z'] });

export const ListQuery = Type.Object({
  limit: Type.Integer({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: `Page size, 1-${MAX_PAGE_SIZE}`,
  }),
  cursor: Type.Optional(
    Type.String({
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'The `next_cursor` of the previous page',
    }),
  ),
});
export type ListQuery = Static<typeof ListQuery>;

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
  });
}

const FieldError = Type.Object({ path: Type.String(), message: Type.String() });

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ examples: ['urn:bounded:problem:member.not_found'] }),
    title: Type.String({ examples: ['Not Found'] }),
    status: Type.Integer({ examples: [404] }),
    detail: Type.String({ examples: ['No member with id 7265011392712704001'] }),
    code: Type.String({
      description: 'A stable, machine-readable error code',
      examples: ['member.not_found'],
    }),
    errors: Type.Optional(Type.Array(FieldError)),
  },
  { description: 'RFC 9457 problem details (application/problem+json)' },
);

/** Response schemas for the problems every route can answer with. */
export function problems(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));
}

export class InvalidCursorError extends DomainError<'request.invalid_cursor'> {
  readonly code = 'request.invalid_cursor' as const;

  constructor() {
    super('The cursor is not one this API issued');
  }
}

/** Turns the validated list parameters into a page request; a forged cursor is a 422. */
export function pageRequest(query: ListQuery): PageRequest {
  if (query.cursor === undefined) return { limit: query.limit };
  const after = Cursor.decode(query.cursor);
  if (after === undefined) throw new InvalidCursorError();
  return { limit: query.limit, after };
}

/** A path id that cannot exist (e.g. above 2^63-1) is simply not found. */
export function pathId(raw: string): Id | undefined {
  return Id.tryParse(raw);
}
