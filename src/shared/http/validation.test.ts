import { describe, expect, it } from 'vitest';
import { unpairedSurrogateAt } from './validation.ts';

describe('unpairedSurrogateAt', () => {
  it('passes well-formed text, surrogate pairs (emoji) included, and non-text values', () => {
    expect(
      unpairedSurrogateAt({ name: 'Ada 😀 \ud83d\ude00', tags: ['한국어', 'x'], n: 1, ok: true, none: null }),
    ).toBe(undefined);
    expect(unpairedSurrogateAt('plain')).toBe(undefined);
    expect(unpairedSurrogateAt(42)).toBe(undefined);
  });

  it('points at the first string with a lone high or low surrogate, in objects and arrays', () => {
    expect(unpairedSurrogateAt({ title: 'a\ud800b' })).toBe('/title');
    expect(unpairedSurrogateAt({ price: { amount: 1, currency: '\udc00' } })).toBe('/price/currency');
    expect(unpairedSurrogateAt({ tags: ['fine', 'broken \ud83d'] })).toBe('/tags/1');
    expect(unpairedSurrogateAt('\ude00 reversed \ud83d')).toBe('');
  });

  it('points at a key with one, and escapes "~" and "/" in the pointer', () => {
    expect(unpairedSurrogateAt({ 'bad\ud800': 1 })).toBe('/bad\ufffd');
    expect(unpairedSurrogateAt({ 'a/b~c': { d: '\udfff' } })).toBe('/a~1b~0c/d');
  });
});

describe('unpairedSurrogateAt on deep bodies', () => {
  it('walks a body nested 20,000 deep without overflowing, and finds a broken string at its bottom', () => {
    let deep: unknown = 'fine';
    for (let i = 0; i < 20_000; i += 1) deep = [deep];
    expect(unpairedSurrogateAt(deep)).toBeUndefined();
    let broken: unknown = 'bad \ud800';
    for (let i = 0; i < 20_000; i += 1) broken = { k: broken };
    expect(unpairedSurrogateAt(broken)).toBe('/k'.repeat(20_000));
  });

  it('answers the first broken place in document order, keys before what they hold', () => {
    expect(unpairedSurrogateAt({ a: ['ok', { b: '\udc00' }], c: '\ud800' })).toBe('/a/1/b');
    expect(unpairedSurrogateAt({ a: 'ok', '\ud800x': 'ok', z: '\ud800' })).toBe('/\ufffdx');
    expect(unpairedSurrogateAt([{ 'a/b~': ['\ud800'] }])).toBe('/0/a~1b~0/0');
  });
});
