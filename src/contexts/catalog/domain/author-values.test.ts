import { describe, expect, it } from 'vitest';
import { Age } from './age.ts';
import { Biography } from './biography.ts';
import { InvalidAgeError, InvalidBiographyError, InvalidPersonNameError } from './errors.ts';
import { PersonName } from './person-name.ts';

describe('PersonName', () => {
  it('keeps a trimmed first and last name and shows them as "First Last"', () => {
    const name = PersonName.of(' Eric ', 'Evans ');
    expect([name.first, name.last, name.full]).toEqual(['Eric', 'Evans', 'Eric Evans']);
    expect(name.equals(PersonName.of('Eric', 'Evans'))).toBe(true);
  });

  it.each([
    ['', 'Evans', /first name/],
    ['Eric', '  ', /last name/],
    ['x'.repeat(101), 'Evans', /first name is 1 to 100/],
    ['Eric', 'Ev\u0000ans', /control characters/],
  ])('refuses first %j, last %j', (first, last, reason) => {
    expect(() => PersonName.of(first, last)).toThrow(InvalidPersonNameError);
    expect(() => PersonName.of(first, last)).toThrow(reason);
  });
});

describe('Age', () => {
  it('is a whole number of years from 1 to 150', () => {
    expect(Age.of(1).value).toBe(1);
    expect(Age.of(150).value).toBe(150);
    for (const bad of [0, 151, -3, 40.5]) expect(() => Age.of(bad)).toThrow(InvalidAgeError);
  });
});

describe('Biography', () => {
  it('keeps up to 3000 characters of prose, paragraphs included', () => {
    expect(Biography.parse('First paragraph.\n\n\tSecond one.')?.value).toBe(
      'First paragraph.\n\n\tSecond one.',
    );
    expect(Biography.parse('x'.repeat(3000))?.value).toHaveLength(3000);
    expect(() => Biography.parse('x'.repeat(3001))).toThrow(InvalidBiographyError);
    expect(() => Biography.parse('bell\u0007')).toThrow(/control characters/);
  });

  it('reads null and blank text as "no biography"', () => {
    expect(Biography.parse(null)).toBeNull();
    expect(Biography.parse('   \n ')).toBeNull();
    expect(Biography.equal(null, Biography.parse(''))).toBe(true);
  });
});
