import { escapeLike } from './like.ts';

/** A search as users type it: alternatives (`or`), each a set of terms that must all appear and terms that must not. */
export interface SearchQuery {
  alternatives: { include: string[]; exclude: string[] }[];
}

const TOKEN = /(-?)"([^"]*)"?|(-?)(\S+)/g;

/**
 * Reads web-search syntax: words, "quoted phrases" (one term, spaces included), `-term` to exclude,
 * `or` between alternatives. Terms are matched as written, so they may be parts of words: 게시판
 * finds 게시판에, `room` finds `rooms`.
 */
export function parseSearch(q: string): SearchQuery {
  const alternatives: SearchQuery['alternatives'] = [{ include: [], exclude: [] }];
  for (const match of q.matchAll(TOKEN)) {
    const negated = (match[1] ?? match[3]) === '-';
    const quoted = match[2] !== undefined;
    const term = (quoted ? match[2] : match[4]).trim();
    if (!quoted && term.toLowerCase() === 'or') {
      if (alternatives.at(-1)!.include.length || alternatives.at(-1)!.exclude.length)
        alternatives.push({ include: [], exclude: [] });
      continue;
    }
    if (!term) continue;
    alternatives.at(-1)![negated ? 'exclude' : 'include'].push(term);
  }
  return { alternatives: alternatives.filter((a) => a.include.length || a.exclude.length) };
}

/**
 * The SQL condition matching `textSql` (a column or expression) against a search: case-insensitive
 * substring matches (`ILIKE '%term%'`), which a pg_trgm GIN index on the same expression serves for
 * terms of three characters or more. A query without any term matches nothing.
 */
export function substringCondition(textSql: string, q: string): { sql: string; params: string[] } {
  const params: string[] = [];
  const alternatives = parseSearch(q).alternatives.map(({ include, exclude }) => {
    const parts = [
      ...include.map((term) => (params.push(`%${escapeLike(term)}%`), `${textSql} ilike ?`)),
      ...exclude.map((term) => (params.push(`%${escapeLike(term)}%`), `${textSql} not ilike ?`)),
    ];
    return `(${parts.join(' and ')})`;
  });
  return { sql: alternatives.length ? `(${alternatives.join(' or ')})` : 'false', params };
}
