import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { plainInsert, plainUpdate } from './write-statements.ts';

describe('plainInsert', () => {
  const at = new Date('2026-11-30T12:00:00.000Z');

  it('names the shape by table, columns and row count, and lists the values row after row', () => {
    expect(
      plainInsert('catalog.books', [
        { id: '1', title: 'A', author_ids: ['7'], at },
        { id: '2', title: 'B', author_ids: [], at: null },
      ]),
    ).toEqual({
      shape: 'catalog.books(id,title,author_ids,at)x2',
      parameters: ['1', 'A', ['7'], at, '2', 'B', [], null],
    });
  });

  it('gives one row and two rows of the same columns different shapes', () => {
    const one = plainInsert('t.x', [{ a: 1 }]);
    const two = plainInsert('t.x', [{ a: 1 }, { a: 2 }]);
    expect(one?.shape).not.toBe(two?.shape);
  });

  it.each([
    ['no rows', []],
    ['a row without columns', [{}]],
    ['an undefined value (Kysely leaves the column out)', [{ a: 1, b: undefined }]],
    ['an SQL expression', [{ a: sql`now()` }]],
    ['a value computed by a callback', [{ a: () => 1 }]],
    [
      'rows naming their columns in other orders',
      [
        { a: 1, b: 2 },
        { b: 3, a: 4 },
      ],
    ],
    [
      'rows naming other columns',
      [
        { a: 1, b: 2 },
        { a: 3, c: 4 },
      ],
    ],
    ['a row with fewer columns', [{ a: 1, b: 2 }, { a: 3 }]],
  ])('is undefined for %s', (_, rows) => {
    expect(plainInsert('t.x', rows as Record<string, unknown>[])).toBeUndefined();
  });
});

describe('plainUpdate', () => {
  it('names the shape by table and columns set, and lists the values, then the id and the version', () => {
    expect(plainUpdate('projects.projects', { name: 'A', status: 'active', version: 3 }, '42', 2)).toEqual({
      shape: 'update projects.projects set name,status,version where id,version',
      parameters: ['A', 'active', 3, '42', 2],
    });
  });

  it('gives the same columns in another order another shape', () => {
    const one = plainUpdate('t.x', { a: 1, b: 2 }, '1', 1);
    const other = plainUpdate('t.x', { b: 2, a: 1 }, '1', 1);
    expect(one?.shape).not.toBe(other?.shape);
  });

  it.each([
    ['no column', {}],
    ['an undefined value (Kysely leaves the column out)', { a: 1, b: undefined }],
    ['an SQL expression', { a: sql`now()` }],
    ['a value computed by a callback', { a: () => 1 }],
  ])('refuses %s', (_, set) => {
    expect(plainUpdate('t.x', set as Record<string, unknown>, '1', 1)).toBeUndefined();
  });
});
