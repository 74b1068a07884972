import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidIsbnError } from './errors.ts';
import { Isbn } from './isbn.ts';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n });

/** An independent spelling of the two check-digit rules, to compare against. */
function isbn10(nine: number[]): string {
  const sum = nine.reduce((acc, d, i) => acc + d * (10 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  return nine.join('') + (check === 10 ? 'X' : String(check));
}
function isbn13(twelve: number[]): string {
  const sum = twelve.reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 1 : 3), 0);
  return twelve.join('') + String((10 - (sum % 10)) % 10);
}

const anIsbn10 = digits(9).map(isbn10);
const anIsbn13 = fc
  .tuple(fc.constantFrom([9, 7, 8], [9, 7, 9]), digits(9))
  .map(([p, rest]) => isbn13([...p, ...rest]));

/** Puts a hyphen or a space between some of the characters, as people write ISBNs. */
const grouped = (isbn: string) =>
  fc
    .array(fc.constantFrom('', '', '-', ' '), { minLength: isbn.length - 1, maxLength: isbn.length - 1 })
    .map((separators) => [...isbn].map((char, i) => char + (separators[i] ?? '')).join(''));

describe('Isbn', () => {
  it('turns every ISBN-10 into its 978 ISBN-13 and back (round trip)', () => {
    fc.assert(
      fc.property(digits(9), (nine) => {
        const ten = isbn10(nine);
        const isbn = Isbn.parse(ten);
        expect(isbn.value).toBe(isbn13([9, 7, 8, ...nine]));
        expect(isbn.isbn10).toBe(ten);
        expect(Isbn.parse(isbn.value).equals(isbn)).toBe(true);
      }),
    );
  });

  it('keeps a valid ISBN-13 as its 13 digits, whatever hyphens or spaces group it', () => {
    fc.assert(
      fc.property(
        anIsbn13.chain((isbn) => fc.tuple(fc.constant(isbn), grouped(isbn))),
        ([isbn, written]) => {
          expect(Isbn.parse(written).value).toBe(isbn);
        },
      ),
    );
  });

  it('reads a grouped ISBN-10 like the bare one, and a lower-case x like X', () => {
    fc.assert(
      fc.property(
        anIsbn10.chain((isbn) => fc.tuple(fc.constant(isbn), grouped(isbn.toLowerCase()))),
        ([isbn, written]) => {
          expect(Isbn.parse(written).equals(Isbn.parse(isbn))).toBe(true);
        },
      ),
    );
  });

  it('refuses any ISBN with one digit changed (the check digit catches every single error)', () => {
    fc.assert(
      fc.property(
        fc.oneof(anIsbn10, anIsbn13),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (isbn, at, delta) => {
          const position = at % isbn.length;
          const char = isbn[position]!;
          fc.pre(char !== 'X');
          const changed =
            isbn.slice(0, position) + String((Number(char) + delta) % 10) + isbn.slice(position + 1);
          // Changing the first digits of an ISBN-13 can leave the 978/979 prefix: refused too.
          expect(() => Isbn.parse(changed)).toThrow(InvalidIsbnError);
        },
      ),
    );
  });

  it.each([
    ['0-321-12521-5', '9780321125217', '0321125215'],
    ['978-0-321-12521-7', '9780321125217', '0321125215'],
    ['0 8044 2957 X', '9780804429573', '080442957X'],
    ['979-10-90636-07-1', '9791090636071', undefined],
  ])('reads %s as %s (ISBN-10 %s)', (written, value, ten) => {
    const isbn = Isbn.parse(written);
    expect(isbn.value).toBe(value);
    expect(isbn.isbn10).toBe(ten);
  });

  it.each([
    ['', /not an ISBN/],
    ['abc', /not an ISBN/],
    ['978-0-321-12521-', /not an ISBN/],
    ['-9780321125217', /not an ISBN/],
    ['978--0321125217', /not an ISBN/],
    ['97803211252170', /neither 10 nor 13 digits/],
    ['978032112521X', /neither 10 nor 13 digits/],
    ['1234567890128', /starts with 978 or 979/],
    ['978-0-321-12521-8', /wrong check digit.*ending in 7/],
    ['0-321-12521-4', /wrong check digit.*ending in 5/],
  ])('refuses %j, naming the isbn field', (written, reason) => {
    expect(() => Isbn.parse(written)).toThrow(InvalidIsbnError);
    expect(() => Isbn.parse(written)).toThrow(reason);
    expect(() => Isbn.parse(written)).toThrow(/^The isbn /);
  });
});
