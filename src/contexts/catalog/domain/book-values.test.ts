import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPageCountError, InvalidPublicationYearError, InvalidTitleError } from './errors.ts';
import { PageCount } from './page-count.ts';
import { PublicationYear } from './publication-year.ts';
import { Title } from './title.ts';

describe('Title', () => {
  it('keeps 1-100 characters after trimming, counting characters rather than UTF-16 units', () => {
    expect(Title.parse('  Domain-Driven Design ').value).toBe('Domain-Driven Design');
    expect(Title.parse('가'.repeat(100)).value).toHaveLength(100);
    expect(Title.parse('😀'.repeat(100)).value).toHaveLength(200);
    expect(() => Title.parse('😀'.repeat(101))).toThrow(InvalidTitleError);
  });

  it('refuses blank titles and titles over several lines', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ \t]*$/), (blank) => {
        expect(() => Title.parse(blank)).toThrow(InvalidTitleError);
      }),
    );
    expect(() => Title.parse('Line one\nLine two')).toThrow(/one line/);
  });
});

describe('PageCount', () => {
  it('is a whole number from 1 to 100,000', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (pages) => {
        expect(PageCount.of(pages).value).toBe(pages);
      }),
    );
    for (const bad of [0, -1, 100_001, 1.5, Number.NaN])
      expect(() => PageCount.of(bad)).toThrow(InvalidPageCountError);
  });
});

describe('PublicationYear', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  it('runs from 1450 to next year, as the clock tells it', () => {
    expect(PublicationYear.of(1450, now).value).toBe(1450);
    expect(PublicationYear.of(2027, now).value).toBe(2027);
    expect(() => PublicationYear.of(2028, now)).toThrow(/from 1450 to 2027/);
    expect(PublicationYear.of(2028, new Date('2027-01-01T00:00:00Z')).value).toBe(2028);
    for (const bad of [1449, 0, -5, 2003.5]) {
      expect(() => PublicationYear.of(bad, now)).toThrow(InvalidPublicationYearError);
    }
  });
});
