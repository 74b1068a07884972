import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../shared/domain/clock.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import { Id, SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { Age } from './age.ts';
import { Author } from './author.ts';
import { Biography } from './biography.ts';
import { PersonName } from './person-name.ts';

function tools(): DomainTools & { clock: FixedClock } {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  return { clock, ids: new SnowflakeIdGenerator(2, clock) };
}

function anAuthor(t = tools()): Author {
  const author = Author.add(
    {
      name: PersonName.of('Eric', 'Evans'),
      age: Age.of(62),
      biography: Biography.parse('Designs software.'),
    },
    t,
  );
  author.pullEvents();
  return author;
}

const ddd = Id.of('2001');
const ieee = Id.of('2002');

describe('Author', () => {
  it('records catalog.author_added with the profile, and lists no book', () => {
    const t = tools();
    const author = Author.add({ name: PersonName.of('Eric', 'Evans'), age: Age.of(62), biography: null }, t);
    expect(author.pullEvents()).toEqual([
      expect.objectContaining({
        name: 'catalog.author_added',
        aggregate_type: 'author',
        aggregate_id: author.id,
        payload: { first_name: 'Eric', last_name: 'Evans', age: 62, biography: null },
      }),
    ]);
    expect(author.bookIds).toEqual([]);
  });

  it('records the changed fields of an update, and nothing for an update to the same values', () => {
    const t = tools();
    const author = anAuthor(t);
    author.update({ name: PersonName.of('Eric', 'Evans'), age: Age.of(62) }, t);
    expect(author.pullEvents()).toEqual([]);
    author.update({ name: PersonName.of('Eric J.', 'Evans'), biography: null }, t);
    expect(author.pullEvents().map((e) => e.payload)).toEqual([
      {
        first_name: 'Eric J.',
        last_name: 'Evans',
        age: 62,
        biography: null,
        changed: ['first_name', 'biography'],
      },
    ]);
  });

  it('lists a book once, however often the same news arrives', () => {
    const author = anAuthor();
    expect(author.listBook(ddd, 2)).toBe(true);
    expect(author.listBook(ddd, 2)).toBe(false);
    expect(author.bookIds).toEqual([ddd]);
  });

  it('unlists a book on newer news, and ignores older news that arrives late', () => {
    const author = anAuthor();
    author.listBook(ddd, 2);
    author.listBook(ieee, 2);
    expect(author.unlistBook(ddd, 3)).toBe(true);
    // The "added" of version 2, redelivered after the removal of version 3, is old news.
    expect(author.listBook(ddd, 2)).toBe(false);
    expect(author.bookIds).toEqual([ieee]);
    expect(author.listBook(ddd, 4)).toBe(true);
    expect(author.bookIds).toEqual([ddd, ieee]);
  });

  it('remembers a removal that arrives before the addition it undoes', () => {
    const author = anAuthor();
    author.unlistBook(ddd, 3);
    author.listBook(ddd, 2);
    expect(author.bookIds).toEqual([]);
  });

  it('records no event and keeps updated_at when its list of books changes', () => {
    const t = tools();
    const author = anAuthor(t);
    t.clock.advance(60_000);
    author.listBook(ddd, 2);
    expect(author.recordedEvents).toEqual([]);
    expect(author.updatedAt).toEqual(author.createdAt);
  });

  it('rehydrates from primitives, remembered versions included, without recording events', () => {
    const author = anAuthor();
    author.listBook(ddd, 2);
    author.unlistBook(ieee, 5);
    const again = Author.fromPrimitives({ ...author.toPrimitives(), version: 3 });
    expect(again.recordedEvents).toEqual([]);
    expect(again.toPrimitives()).toEqual({ ...author.toPrimitives(), version: 3 });
    expect(again.listBook(ieee, 4)).toBe(false);
  });
});
