import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidProjectNameError, InvalidTaskLimitError, InvalidTaskNameError } from './errors.ts';
import { IncompleteTaskLimit } from './incomplete-task-limit.ts';
import { ProjectName } from './project-name.ts';
import { TaskName } from './task-name.ts';

/** Printable text without surrounding spaces, `min`–`max` code points long. */
const text = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'abcXYZ019 -_!?éß漢字🙂'), { minLength: min, maxLength: max })
    .map((chars) => chars.join(''))
    .filter((s) => s === s.trim() && [...s].length >= min);

const names = [
  ['ProjectName', ProjectName, InvalidProjectNameError],
  ['TaskName', TaskName, InvalidTaskNameError],
] as const;

for (const [label, Name, Invalid] of names) {
  describe(label, () => {
    it('accepts 4-32 characters, keeping them without the surrounding spaces', () => {
      fc.assert(
        fc.property(text(4, 32), fc.stringMatching(/^ {0,3}$/), (value, pad) => {
          expect(Name.parse(`${pad}${value}${pad}`).value).toBe(value);
        }),
      );
    });

    it('refuses fewer than 4 or more than 32 characters once trimmed', () => {
      fc.assert(
        fc.property(fc.oneof(text(0, 3), text(33, 60)), (value) => {
          expect(() => Name.parse(`  ${value}  `)).toThrow(Invalid);
        }),
      );
    });

    it('counts characters, not UTF-16 units', () => {
      expect(Name.parse('🙂'.repeat(32)).value).toHaveLength(64);
      expect(() => Name.parse('🙂🙂')).toThrow(Invalid);
    });

    it.each(['tab\there', 'new\nline', 'nul\u0000byte', 'del\u007fchar'])(
      'refuses control characters: %j',
      (raw) => {
        expect(() => Name.parse(raw)).toThrow(Invalid);
      },
    );

    it('is equal to another with the same text', () => {
      expect(Name.parse(' Abcd ').equals(Name.parse('Abcd'))).toBe(true);
      expect(Name.parse('Abcd').equals(Name.parse('abcd'))).toBe(false);
    });
  });
}

describe('IncompleteTaskLimit', () => {
  it('is a whole number from 1 to 1000', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        expect(IncompleteTaskLimit.of(n).value).toBe(n);
      }),
    );
    for (const bad of [0, -1, 1001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => IncompleteTaskLimit.of(bad)).toThrow(InvalidTaskLimitError);
    }
  });

  it('allows up to its value of incomplete tasks', () => {
    const limit = IncompleteTaskLimit.of(3);
    expect([2, 3, 4].map((n) => limit.allows(n))).toEqual([true, true, false]);
  });
});
