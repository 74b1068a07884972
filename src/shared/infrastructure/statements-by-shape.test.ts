import { Kysely, PostgresDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { StatementsByShape } from './statements-by-shape.ts';

// Only compiles (PostgreSQL's syntax); never connects.
const db = new Kysely<{ t: { id: string; status: string; owner: string } }>({
  dialect: new PostgresDialect({ pool: {} as never }),
});

describe('StatementsByShape', () => {
  it('compiles a shape once and binds each call its own values, leaving out the undefined ones', () => {
    const statements = new StatementsByShape();
    let builds = 0;
    const list = (owner: string, status: string | undefined, limit: number) =>
      statements.bind(
        `list ${status !== undefined}`,
        [
          ['owner', owner],
          ['status', status],
          ['limit', limit],
        ],
        (p) => {
          builds += 1;
          let query = db.selectFrom('t').select('id').where('owner', '=', p('owner'));
          if (status !== undefined) query = query.where('status', '=', p('status'));
          return query.limit(sql<number>`${p('limit')}`).compile();
        },
      );
    const first = list('ada', 'active', 21);
    const second = list('bob', 'archived', 11);
    const unfiltered = list('cy', undefined, 5);
    expect(builds).toBe(2);
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual(['ada', 'active', 21]);
    expect(second.parameters).toEqual(['bob', 'archived', 11]);
    expect(unfiltered.sql).not.toContain('status');
    expect(unfiltered.parameters).toEqual(['cy', 5]);
  });

  it('refuses a statement whose parameters are not the named ones in their order', () => {
    const statements = new StatementsByShape();
    const swapped = () =>
      statements.bind(
        'swapped',
        [
          ['owner', 'ada'],
          ['status', 'active'],
        ],
        (p) =>
          db
            .selectFrom('t')
            .select('id')
            .where('status', '=', p('status'))
            .where('owner', '=', p('owner'))
            .compile(),
      );
    expect(swapped).toThrow('the swapped statement takes (<status>,<owner>), not (<owner>,<status>)');
    const missing = () =>
      statements.bind(
        'missing',
        [
          ['owner', 'ada'],
          ['status', 'active'],
        ],
        (p) => db.selectFrom('t').select('id').where('owner', '=', p('owner')).compile(),
      );
    expect(missing).toThrow('not (<owner>,<status>)');
  });

  it('binds values in order to a text compiled once, kept only when it binds exactly those values', () => {
    const statements = new StatementsByShape();
    let compiles = 0;
    const insert = (row: { id: string; status: string; owner: string }) =>
      statements.bindInOrder('t(id,status,owner)x1', Object.values(row), () => {
        compiles += 1;
        return db.insertInto('t').values(row).compile();
      });
    const first = insert({ id: '1', status: 'active', owner: 'ada' });
    const second = insert({ id: '2', status: 'archived', owner: 'bob' });
    expect(compiles).toBe(1);
    expect(second.sql).toBe(first.sql);
    expect(second.parameters).toEqual(['2', 'archived', 'bob']);
    // The first call's values (a password hash, a token's) are not kept with the text.
    expect(JSON.stringify(second)).not.toContain('ada');

    // A text that does not bind the values given (here an expression in place of one) is not kept.
    const withExpression = () =>
      statements.bindInOrder('t(status)x1', ['active'], () => {
        compiles += 1;
        return db.insertInto('t').values({ id: '3', status: sql`upper('active')`, owner: 'cy' }).compile();
      });
    withExpression();
    withExpression();
    expect(compiles).toBe(3);
  });

  it('keeps at most its limit of shapes, and compiles later ones on every call', () => {
    const statements = new StatementsByShape({ limit: 1 });
    let compiles = 0;
    const select = (shape: string, id: string) =>
      statements.bindInOrder(shape, [id], () => {
        compiles += 1;
        return db.selectFrom('t').select('status').where('id', '=', id).compile();
      });
    select('kept', '1');
    select('kept', '2');
    select('over', '3');
    expect(select('over', '4').parameters).toEqual(['4']);
    expect(compiles).toBe(3);
  });
});
