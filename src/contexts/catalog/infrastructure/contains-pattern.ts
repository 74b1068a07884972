/**
 * An ILIKE pattern for "contains this text", every character of it literal: `%`, `_` and the
 * escape character `\` in the text are escaped, so a search for "100%" finds "100%", not "100".
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
