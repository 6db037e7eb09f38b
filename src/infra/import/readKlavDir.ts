import fs from 'node:fs/promises';
import path from 'node:path';
import type { KlavFiles, Problem } from '../../domain/import/klavRecords.ts';

const FILES = { users: 'users.json', chatState: 'chat_state.json', friendsState: 'friends_state.json' } as const;

/** The directory is missing, or holds none of Klav's files. */
export class KlavDirError extends Error {
  override name = 'KlavDirError';
}

/**
 * Reads Klav's state files from `dir`. An absent file is simply not there (a Klav without friends
 * never wrote friends_state.json); a file that is not JSON is a problem and is left out.
 */
export async function readKlavDir(dir: string): Promise<{ files: KlavFiles; problems: Problem[] }> {
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory()) throw new KlavDirError(`${dir} is not a directory`);
  const files: KlavFiles = {};
  const problems: Problem[] = [];
  let found = 0;
  for (const [field, name] of Object.entries(FILES) as [keyof KlavFiles, string][]) {
    const text = await fs.readFile(path.join(dir, name), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) continue;
    found++;
    try {
      files[field] = JSON.parse(text);
    } catch (err) {
      problems.push({ at: name, message: `not JSON (${(err as Error).message}); file left out` });
    }
  }
  if (found === 0) throw new KlavDirError(`${dir} holds none of ${Object.values(FILES).join(', ')}`);
  return { files, problems };
}
