import { type Static, Type } from 'typebox';
import { IdString, ListQuery, Timestamp } from '../../../shared/http/schemas.ts';

// ---- books ----

const TitleField = Type.String({
  minLength: 1,
  maxLength: 100,
  description: '1-100 characters (after trimming), one line',
  examples: ['Domain-Driven Design'],
});
/** Loose on purpose: the domain checks the form and the check digit and answers 400 naming the isbn. */
const IsbnField = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'ISBN-10 or ISBN-13, with or without hyphens or spaces; the check digit is verified',
  examples: ['978-0-321-12521-7'],
});
const PagesField = Type.Integer({ minimum: 1, maximum: 100_000, examples: [560] });
const AmountField = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000_000_000,
  description: 'Whole minor units of the currency (won for KRW, cents for USD), 0 to 10^15',
  examples: [45_000],
});
const CurrencyField = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 currency code',
  examples: ['KRW'],
});
/** The domain bounds it by next year (a 400); 9999 only keeps absurd values out. */
const PublicationYearField = Type.Integer({
  minimum: 1450,
  maximum: 9999,
  description: 'From 1450 to next year',
  examples: [2003],
});

const AuthorRefSchema = Type.Object({
  id: IdString,
  name: Type.String({ description: '"First Last"', examples: ['Eric Evans'] }),
});

export const BookSchema = Type.Object(
  {
    id: IdString,
    title: Type.String({ examples: ['Domain-Driven Design'] }),
    isbn: Type.String({ description: 'The 13 digits of the ISBN-13 form', examples: ['9780321125217'] }),
    pages: Type.Integer({ examples: [560] }),
    price: Type.Object({
      amount: Type.Integer({ description: 'Whole minor units', examples: [45_000] }),
      currency: Type.String({ examples: ['KRW'] }),
    }),
    publication_year: Type.Integer({ examples: [2003] }),
    authors: Type.Array(AuthorRefSchema, { description: 'In the order they were added' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Book', description: 'A book with the names of its authors' },
);

export const AddBookBody = Type.Object(
  {
    title: TitleField,
    isbn: IsbnField,
    pages: PagesField,
    price: Type.Object(
      { amount: AmountField, currency: Type.Optional(CurrencyField) },
      { additionalProperties: false, description: 'The currency defaults to KRW' },
    ),
    publication_year: PublicationYearField,
  },
  {
    additionalProperties: false,
    examples: [
      {
        title: 'Domain-Driven Design',
        isbn: '0-321-12521-5',
        pages: 560,
        price: { amount: 45_000, currency: 'KRW' },
        publication_year: 2003,
      },
    ],
  },
);
export type AddBookBody = Static<typeof AddBookBody>;

export const UpdateBookBody = Type.Object(
  {
    title: Type.Optional(TitleField),
    isbn: Type.Optional(IsbnField),
    pages: Type.Optional(PagesField),
    price: Type.Optional(
      Type.Object(
        { amount: Type.Optional(AmountField), currency: Type.Optional(CurrencyField) },
        {
          additionalProperties: false,
          minProperties: 1,
          description: 'Merged into the current price: a missing field keeps its value',
        },
      ),
    ),
    publication_year: Type.Optional(PublicationYearField),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ title: 'Domain-Driven Design (Hardcover)', price: { amount: 52_000 } }],
  },
);
export type UpdateBookBody = Static<typeof UpdateBookBody>;

export const BookListQuery = Type.Object({
  ...ListQuery.properties,
  title: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Only books whose title contains this text, ignoring case; % and _ are literal',
    }),
  ),
  author_id: Type.Optional({ ...IdString, description: 'Only books naming this author' }),
});
export type BookListQuery = Static<typeof BookListQuery>;

export const BookAuthorParams = Type.Object({ id: IdString, author_id: IdString });
export type BookAuthorParams = Static<typeof BookAuthorParams>;

// ---- authors ----

const FirstNameField = Type.String({ minLength: 1, maxLength: 100, examples: ['Eric'] });
const LastNameField = Type.String({ minLength: 1, maxLength: 100, examples: ['Evans'] });
const AgeField = Type.Integer({ minimum: 1, maximum: 150, examples: [62] });
const BiographyField = Type.Union([Type.String({ maxLength: 3000 }), Type.Null()], {
  description: 'Up to 3000 characters; null or blank means none',
  examples: ['Eric Evans is the author of "Domain-Driven Design".'],
});

const authorProfile = {
  id: IdString,
  first_name: Type.String({ examples: ['Eric'] }),
  last_name: Type.String({ examples: ['Evans'] }),
  age: Type.Integer({ examples: [62] }),
  biography: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const AuthorSummarySchema = Type.Object(authorProfile, {
  $id: 'AuthorSummary',
  description: 'An author in a list (without the books)',
});

export const AuthorSchema = Type.Object(
  {
    ...authorProfile,
    books: Type.Array(
      Type.Object({ id: IdString, title: Type.String({ examples: ['Domain-Driven Design'] }) }),
      {
        description: 'The books naming this author, once the author has handled their events',
      },
    ),
  },
  { $id: 'Author', description: 'An author with the books the author lists' },
);

export const AddAuthorBody = Type.Object(
  {
    first_name: FirstNameField,
    last_name: LastNameField,
    age: AgeField,
    biography: Type.Optional(BiographyField),
  },
  {
    additionalProperties: false,
    examples: [{ first_name: 'Eric', last_name: 'Evans', age: 62, biography: 'Software designer.' }],
  },
);
export type AddAuthorBody = Static<typeof AddAuthorBody>;

export const UpdateAuthorBody = Type.Object(
  {
    first_name: Type.Optional(FirstNameField),
    last_name: Type.Optional(LastNameField),
    age: Type.Optional(AgeField),
    biography: Type.Optional(BiographyField),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ age: 63, biography: null }] },
);
export type UpdateAuthorBody = Static<typeof UpdateAuthorBody>;

export const AuthorListQuery = Type.Object({
  ...ListQuery.properties,
  name: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 201,
      description:
        'Only authors whose "first last" name contains this text, ignoring case; % and _ are literal',
    }),
  ),
});
export type AuthorListQuery = Static<typeof AuthorListQuery>;

// ---- conditional requests ----

export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ maxLength: 1024, description: 'Answer 304 if the ETag still matches' }),
  ),
});

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 1024, description: 'Apply only if the ETag still matches, else 412' }),
  ),
});
