/**
 * An ILIKE pattern for "contains this text", every character of it literal: `%`, `_` and the
 * escape character `\` in the text are escaped, so a search for "100%" finds "100%", not "100".
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * Whether a trigram index surely narrows a "contains this text" search, however the rest of the
 * table looks: three ASCII letters or digits in a row always give pg_trgm a trigram to look up.
 * Shorter words may give none (a word is padded only where the text, not a wildcard, ends it), and
 * other letters count as word characters only under some server locales (not under C). Without a
 * trigram, a scan of the index reads every entry.
 */
export function narrowsByTrigram(text: string): boolean {
  return /[A-Za-z0-9]{3}/.test(text);
}
