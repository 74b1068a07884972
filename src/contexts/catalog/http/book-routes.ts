import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Id } from '../../../shared/domain/id.ts';
import { bearerSecurity } from '../../../shared/http/auth-guard.ts';
import { IdParams, PageOf, pageRequest, pathId, problems } from '../../../shared/http/schemas.ts';
import type { BookView } from '../application/book-view.ts';
import type { Revisioned } from '../application/revisioned.ts';
import { AuthorNotFoundError, BookNotFoundError, BookPreconditionFailedError } from '../domain/errors.ts';
import { etagOf, ifMatch, noneMatch } from './etag.ts';
import type { CatalogRouteDependencies } from './route-dependencies.ts';
import {
  AddBookBody,
  BookAuthorParams,
  BookListQuery,
  BookSchema,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  UpdateBookBody,
} from './schemas.ts';

const tags = ['books'];
const NoContent = Type.Null({ description: 'Done' });
const NotModified = Type.Null({ description: 'Not modified: the ETag in If-None-Match is still current' });

/** A path id that is not a possible id names no book. */
function bookId(raw: string): Id {
  const id = pathId(raw);
  if (id === undefined) throw new BookNotFoundError(raw);
  return id;
}

function authorId(raw: string): Id {
  const id = pathId(raw);
  if (id === undefined) throw new AuthorNotFoundError(raw);
  return id;
}

function sendBook(reply: FastifyReply, found: Revisioned<BookView>, status = 200): FastifyReply {
  return reply.status(status).header('etag', etagOf(found.revision)).send(found.view);
}

export async function bookRoutes(
  app: FastifyInstance,
  { bus, queries, freshQueries, auth }: CatalogRouteDependencies,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // Writes check the token on onRequest, before the body is read or validated: an anonymous
  // caller gets 401 whatever it sends, and costs no parsing.

  /** The book as it is now on the primary, after a write. */
  async function current(id: Id): Promise<Revisioned<BookView>> {
    const found = await freshQueries.book(id);
    if (found === undefined) throw new BookNotFoundError(id.toString());
    return found;
  }

  api.post(
    '/books',
    {
      onRequest: auth.member,
      schema: {
        tags,
        summary: 'Add a book',
        description:
          'Adds a book without authors (add them with PUT /books/{id}/authors/{author_id}). The ISBN may be ' +
          'given as ISBN-10 or ISBN-13, with or without hyphens; it is stored as the 13 digits of ISBN-13 ' +
          'and must be unique. A wrong check digit is 400 `book.invalid_isbn`.',
        security: bearerSecurity,
        body: AddBookBody,
        response: { 201: BookSchema, ...problems(400, 401, 409, 415, 422) },
      },
    },
    async (request, reply) => {
      const { title, isbn, pages, price, publication_year } = request.body;
      const added = await bus.execute({
        type: 'catalog.add_book',
        title,
        isbn,
        pages,
        price,
        publicationYear: publication_year,
      });
      return sendBook(reply.header('location', `/api/v1/books/${added.id}`), added, 201);
    },
  );

  api.get(
    '/books',
    {
      schema: {
        tags,
        summary: 'List books',
        description:
          'Books in id order (the order they were added), keyset-paginated, with their authors. ' +
          '`title` keeps books whose title contains the text, ignoring case; `author_id` keeps books naming that author.',
        querystring: BookListQuery,
        response: { 200: PageOf(BookSchema), ...problems(422) },
      },
    },
    async (request) => {
      const { title, author_id } = request.query;
      const filterAuthor = author_id === undefined ? undefined : pathId(author_id);
      // An id that cannot exist names no author, so no book either.
      if (author_id !== undefined && filterAuthor === undefined) return { items: [], next_cursor: null };
      return queries.books(
        {
          ...(title === undefined ? {} : { title }),
          ...(filterAuthor === undefined ? {} : { authorId: filterAuthor }),
        },
        pageRequest(request.query),
      );
    },
  );

  api.get(
    '/books/:id',
    {
      schema: {
        tags,
        summary: 'Get a book',
        description:
          "The book with its authors' names. Answers with an `ETag`; send it back in `If-None-Match` to get " +
          "304 while neither the book nor its authors' names changed.",
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: BookSchema, 304: NotModified, ...problems(404, 422) },
      },
    },
    async (request, reply) => {
      const found = await queries.book(bookId(request.params.id));
      if (found === undefined) throw new BookNotFoundError(request.params.id);
      const etag = etagOf(found.revision);
      if (noneMatch(request.headers['if-none-match'], etag))
        return reply.status(304).header('etag', etag).send(null);
      return sendBook(reply, found);
    },
  );

  api.patch(
    '/books/:id',
    {
      onRequest: auth.member,
      schema: {
        tags,
        summary: 'Update a book',
        description:
          'Changes any of the fields of POST /books; `price` is merged (send only the amount to keep the currency). ' +
          'With `If-Match: <ETag>`, the update applies only if the book is still as that ETag describes, else 412.',
        security: bearerSecurity,
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateBookBody,
        response: { 200: BookSchema, ...problems(400, 401, 404, 409, 412, 415, 422) },
      },
    },
    async (request, reply) => {
      const id = bookId(request.params.id);
      const expectedVersion = await versionMatching(request.headers['if-match'], id);
      const { title, isbn, pages, price, publication_year } = request.body;
      await bus.execute({
        type: 'catalog.update_book',
        bookId: id,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
        ...(title === undefined ? {} : { title }),
        ...(isbn === undefined ? {} : { isbn }),
        ...(pages === undefined ? {} : { pages }),
        ...(price === undefined ? {} : { price }),
        ...(publication_year === undefined ? {} : { publicationYear: publication_year }),
      });
      return sendBook(reply, await current(id));
    },
  );

  /**
   * Checks If-Match against the book as it is now and answers the version it names, which the
   * command checks again inside its transaction (a change in between is still caught there).
   */
  async function versionMatching(header: string | undefined, id: Id): Promise<number | undefined> {
    if (header === undefined) return undefined;
    const found = await current(id);
    if (!ifMatch(header, etagOf(found.revision))) throw new BookPreconditionFailedError(id.toString());
    return found.version;
  }

  api.delete(
    '/books/:id',
    {
      onRequest: auth.member,
      schema: {
        tags,
        summary: 'Delete a book',
        description: 'Its authors stop listing it once they have handled the events.',
        security: bearerSecurity,
        params: IdParams,
        response: { 204: NoContent, ...problems(401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      await bus.execute({ type: 'catalog.delete_book', bookId: bookId(request.params.id) });
      return reply.status(204).send(null);
    },
  );

  api.put(
    '/books/:id/authors/:author_id',
    {
      onRequest: auth.member,
      schema: {
        tags,
        summary: 'Add an author to a book',
        description:
          'Idempotent: adding an author the book already names changes nothing. The author must exist. ' +
          "The author's `books` shows the book once the author has handled `catalog.author_added_to_book`.",
        security: bearerSecurity,
        params: BookAuthorParams,
        response: { 204: NoContent, ...problems(401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      await bus.execute({
        type: 'catalog.add_author_to_book',
        bookId: bookId(request.params.id),
        authorId: authorId(request.params.author_id),
      });
      return reply.status(204).send(null);
    },
  );

  api.delete(
    '/books/:id/authors/:author_id',
    {
      onRequest: auth.member,
      schema: {
        tags,
        summary: 'Remove an author from a book',
        description: '404 `book.author_not_listed` when the book does not name that author.',
        security: bearerSecurity,
        params: BookAuthorParams,
        response: { 204: NoContent, ...problems(401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      await bus.execute({
        type: 'catalog.remove_author_from_book',
        bookId: bookId(request.params.id),
        authorId: authorId(request.params.author_id),
      });
      return reply.status(204).send(null);
    },
  );
}
