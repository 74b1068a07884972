import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Email } from './email.ts';
import { InvalidEmailError } from './errors.ts';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const local = fc.stringMatching(/^[A-Za-z0-9_+-]{1,20}(\.[A-Za-z0-9_+-]{1,10}){0,2}$/);
const address = fc
  .tuple(local, fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,10}$/))
  .map(([l, labels, tld]) => `${l}@${[...labels, tld].join('.')}`);

describe('Email', () => {
  it('accepts well-formed addresses and keeps them, lower-cased', () => {
    fc.assert(
      fc.property(address, (raw) => {
        expect(Email.parse(raw).value).toBe(raw.toLowerCase());
      }),
    );
  });

  it('treats two spellings of one address as equal', () => {
    fc.assert(
      fc.property(address, (raw) => {
        expect(Email.parse(raw.toUpperCase()).equals(Email.parse(` ${raw} `))).toBe(true);
      }),
    );
  });

  it('refuses text without exactly one usable @', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('@')),
        (raw) => {
          expect(() => Email.parse(raw)).toThrow(InvalidEmailError);
        },
      ),
    );
  });

  it.each([
    'plain',
    '@example.com',
    'a@',
    'a@localhost',
    'a@@example.com',
    'a b@example.com',
    'a..b@example.com',
    '.a@example.com',
    'a@-example.com',
    'a@example.123',
    `${'x'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
    "a@example.com'; drop table members; --",
  ])('refuses %j', (raw) => {
    expect(() => Email.parse(raw)).toThrow(InvalidEmailError);
  });
});
