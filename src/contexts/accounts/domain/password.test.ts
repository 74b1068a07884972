import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeakPasswordError } from './errors.ts';
import { Password } from './password.ts';

const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
const special = fc.constantFrom(...'!@#$%^&*()-_=+[]{};:,.<>?/~');
const any = fc.oneof(lower, upper, special, fc.constantFrom(...'0123456789'));

/** Passwords that meet the policy: one of each required class plus filler, 8-128 long, shuffled. */
const strong = fc
  .tuple(lower, upper, special, fc.array(any, { minLength: 5, maxLength: 125 }))
  .chain(([l, u, s, rest]) => fc.shuffledSubarray([l, u, s, ...rest], { minLength: rest.length + 3 }))
  .map((chars) => chars.join(''));

describe('Password policy', () => {
  it('accepts 8-128 characters with a lower-case, an upper-case and a special character', () => {
    fc.assert(
      fc.property(strong, (plain) => {
        expect(Password.create(plain).reveal()).toBe(plain);
      }),
    );
  });

  it('refuses a password missing any required class', () => {
    fc.assert(
      fc.property(strong, fc.constantFrom(/\p{Ll}/gu, /\p{Lu}/gu, /[^\p{L}\p{N}\s]/gu), (plain, drop) => {
        const weakened = plain.replace(drop, '7').padEnd(8, '7');
        expect(() => Password.create(weakened)).toThrow(WeakPasswordError);
      }),
    );
  });

  it('refuses fewer than 8 or more than 128 characters', () => {
    expect(() => Password.create('aB!4567')).toThrow(WeakPasswordError);
    expect(Password.create('aB!45678').reveal()).toBe('aB!45678');
    expect(Password.create(`aB!${'x'.repeat(125)}`).reveal()).toHaveLength(128);
    expect(() => Password.create(`aB!${'x'.repeat(126)}`)).toThrow(WeakPasswordError);
  });

  it('says everything that is wrong at once', () => {
    expect(() => Password.create('short')).toThrow(/8 to 128.*upper-case.*special/);
  });

  it('never prints, serialises or inspects as its value', () => {
    const password = Password.create('Secret-Value-1');
    const shown = [
      String(password),
      `${password}`,
      JSON.stringify({ password }),
      inspect(password),
      inspect({ password }),
    ];
    for (const text of shown) expect(text).not.toContain('Secret-Value-1');
  });
});
