/**
 * Entity tags for single-resource GETs (RFC 9110 §8.8.3). They are strong: the JSON of a view is
 * a deterministic function of its revision (the aggregate's version and the versions of the other
 * aggregates it shows, as of what it shows of them), so one revision is one byte sequence, and
 * strong tags are what If-Match requires.
 */
export function etagOf(revision: string): string {
  return `"${revision}"`;
}

/** The entity tags of an If-None-Match or If-Match header: `*`, or the quoted tags it lists. */
function listedTags(header: string): '*' | { tag: string; weak: boolean }[] {
  if (header.trim() === '*') return '*';
  return [...header.matchAll(/(W\/)?("[\x21\x23-\x7e\x80-\xff]*")/g)].map((match) => ({
    tag: match[2]!,
    weak: match[1] !== undefined,
  }));
}

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`. True means "answer 304". */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = listedTags(header);
  return tags === '*' || tags.some(({ tag }) => tag === etag);
}

/** If-Match uses the strong comparison: a weak tag never matches. False means "answer 412". */
export function ifMatch(header: string, etag: string): boolean {
  const tags = listedTags(header);
  return tags === '*' || tags.some(({ tag, weak }) => !weak && tag === etag);
}
