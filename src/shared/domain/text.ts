/**
 * What counts as text in the domain's names and prose. A control character is not text: the C0
 * set and DEL, and the C1 set (U+0080–U+009F, which includes NEL, a line break to some readers).
 * A name or title is one line, so the Unicode line and paragraph separators (U+2028, U+2029) are
 * refused there too; prose keeps its tabs and line breaks.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NOT_PROSE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** One line of text: no control character and no line or paragraph separator. */
export function isOneLine(text: string): boolean {
  return !NOT_ONE_LINE.test(text);
}

/** Prose: no control character but tabs and line breaks (LF, CR). */
export function isProse(text: string): boolean {
  return !NOT_PROSE.test(text);
}
