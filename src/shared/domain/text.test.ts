import { describe, expect, it } from 'vitest';
import { isOneLine, isProse } from './text.ts';

const codePoints = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

describe('text in the domain', () => {
  it('refuses every control character (C0, DEL, C1) in a line and in prose, but tabs and line breaks in prose', () => {
    for (const c of [...codePoints(0x00, 0x1f), ...codePoints(0x7f, 0x9f)]) {
      const hex = c.codePointAt(0)!.toString(16);
      expect(isOneLine(`a${c}b`), hex).toBe(false);
      expect(isProse(`a${c}b`), hex).toBe(['\t', '\n', '\r'].includes(c));
    }
  });

  it('refuses the line and paragraph separators in a line only', () => {
    for (const c of ['\u2028', '\u2029']) {
      expect(isOneLine(`a${c}b`)).toBe(false);
      expect(isProse(`a${c}b`)).toBe(true);
    }
  });

  it('accepts the text people write: accents, other scripts, emoji, no-break spaces', () => {
    for (const text of [
      'Émile Zola',
      '한국어 제목',
      'Ἀριστοτέλης',
      'Tea \u{1f375} time',
      'a\u00a0b',
      'x\u00ady',
      '',
    ]) {
      expect(isOneLine(text), text).toBe(true);
      expect(isProse(text), text).toBe(true);
    }
  });
});
