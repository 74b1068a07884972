import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Id } from '../../../shared/domain/id.ts';
import { bearerSecurity } from '../../../shared/http/auth-guard.ts';
import { IdParams, PageOf, pageRequest, pathId, problems } from '../../../shared/http/schemas.ts';
import type { AuthorView } from '../application/author-view.ts';
import type { Revisioned } from '../application/revisioned.ts';
import { AuthorNotFoundError, AuthorPreconditionFailedError } from '../domain/errors.ts';
import { etagOf, ifMatch, noneMatch } from './etag.ts';
import type { CatalogRouteDependencies } from './route-dependencies.ts';
import {
  AddAuthorBody,
  AuthorListQuery,
  AuthorSchema,
  AuthorSummarySchema,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  UpdateAuthorBody,
} from './schemas.ts';

const tags = ['authors'];
const NotModified = Type.Null({ description: 'Not modified: the ETag in If-None-Match is still current' });

/** A path id that is not a possible id names no author. */
function authorId(raw: string): Id {
  const id = pathId(raw);
  if (id === undefined) throw new AuthorNotFoundError(raw);
  return id;
}

function sendAuthor(reply: FastifyReply, found: Revisioned<AuthorView>, status = 200): FastifyReply {
  return reply.status(status).header('etag', etagOf(found.revision)).send(found.view);
}

export async function authorRoutes(
  app: FastifyInstance,
  { bus, queries, freshQueries, auth }: CatalogRouteDependencies,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // Writes check the token on onRequest, before the body is read or validated: an anonymous
  // caller gets 401 whatever it sends, and costs no parsing.

  /** The author as it is now on the primary, after a write. */
  async function current(id: Id): Promise<Revisioned<AuthorView>> {
    const found = await freshQueries.author(id);
    if (found === undefined) throw new AuthorNotFoundError(id.toString());
    return found;
  }

  api.post(
    '/authors',
    {
      onRequest: auth.member,
      schema: {
        tags,
        summary: 'Add an author',
        description:
          'A new author lists no book; books name their authors (PUT /books/{id}/authors/{author_id}).',
        security: bearerSecurity,
        body: AddAuthorBody,
        response: { 201: AuthorSchema, ...problems(400, 401, 415, 422) },
      },
    },
    async (request, reply) => {
      const { first_name, last_name, age, biography } = request.body;
      const added = await bus.execute({
        type: 'catalog.add_author',
        firstName: first_name,
        lastName: last_name,
        age,
        ...(biography === undefined ? {} : { biography }),
      });
      return sendAuthor(reply.header('location', `/api/v1/authors/${added.id}`), added, 201);
    },
  );

  api.get(
    '/authors',
    {
      schema: {
        tags,
        summary: 'List authors',
        description:
          'Authors in id order, keyset-paginated, without their books. `name` keeps authors whose ' +
          '"first last" name contains the text, ignoring case.',
        querystring: AuthorListQuery,
        response: { 200: PageOf(AuthorSummarySchema), ...problems(422) },
      },
    },
    async (request) => {
      const { name } = request.query;
      return queries.authors(name === undefined ? {} : { name }, pageRequest(request.query));
    },
  );

  api.get(
    '/authors/:id',
    {
      schema: {
        tags,
        summary: 'Get an author',
        description:
          'The author with the books the author lists. A book shows up here once the author has handled ' +
          "the book's `catalog.author_added_to_book` event. Answers with an `ETag` (see GET /books/{id}).",
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: AuthorSchema, 304: NotModified, ...problems(404, 422) },
      },
    },
    async (request, reply) => {
      const found = await queries.author(authorId(request.params.id));
      if (found === undefined) throw new AuthorNotFoundError(request.params.id);
      const etag = etagOf(found.revision);
      if (noneMatch(request.headers['if-none-match'], etag))
        return reply.status(304).header('etag', etag).send(null);
      return sendAuthor(reply, found);
    },
  );

  api.patch(
    '/authors/:id',
    {
      onRequest: auth.member,
      schema: {
        tags,
        summary: 'Update an author',
        description:
          'Changes any of the fields of POST /authors; `biography: null` removes it. With `If-Match: <ETag>`, ' +
          'the update applies only if the author is still as that ETag describes, else 412.',
        security: bearerSecurity,
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateAuthorBody,
        response: { 200: AuthorSchema, ...problems(400, 401, 404, 409, 412, 415, 422) },
      },
    },
    async (request, reply) => {
      const id = authorId(request.params.id);
      let expectedVersion: number | undefined;
      const header = request.headers['if-match'];
      if (header !== undefined) {
        const found = await current(id);
        if (!ifMatch(header, etagOf(found.revision))) throw new AuthorPreconditionFailedError(id.toString());
        expectedVersion = found.version;
      }
      const { first_name, last_name, age, biography } = request.body;
      await bus.execute({
        type: 'catalog.update_author',
        authorId: id,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
        ...(first_name === undefined ? {} : { firstName: first_name }),
        ...(last_name === undefined ? {} : { lastName: last_name }),
        ...(age === undefined ? {} : { age }),
        ...(biography === undefined ? {} : { biography }),
      });
      return sendAuthor(reply, await current(id));
    },
  );
}
