import { describe, expect, it } from 'vitest';
import { containsPattern, narrowsByTrigram } from './contains-pattern.ts';

describe('containsPattern', () => {
  it('wraps the text in % and escapes %, _ and \\', () => {
    expect(containsPattern('river')).toBe('%river%');
    expect(containsPattern('100%_\\')).toBe('%100\\%\\_\\\\%');
  });
});

describe('narrowsByTrigram', () => {
  it('is true once the text has three ASCII letters or digits in a row', () => {
    expect(narrowsByTrigram('4242')).toBe(true);
    expect(narrowsByTrigram('no. 42')).toBe(false);
    expect(narrowsByTrigram('Ré')).toBe(false);
    expect(narrowsByTrigram('Réu')).toBe(false);
    expect(narrowsByTrigram('Rue')).toBe(true);
    // Word characters to pg_trgm only under some locales: not surely narrowing.
    expect(narrowsByTrigram('서울시')).toBe(false);
    expect(narrowsByTrigram('a_b-c d')).toBe(false);
    expect(narrowsByTrigram('%%%')).toBe(false);
  });
});
