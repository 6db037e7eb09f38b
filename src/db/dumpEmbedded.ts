import type { PgliteConnection } from '@mikro-orm/pglite';
import type { Database } from './openDatabase.ts';
import { embeddedDatabaseOf } from './EmbeddedDatabase.ts';

/**
 * A consistent gzip archive of the embedded database, taken by the process that has it open (PGlite
 * belongs to one process, so this is how a running server backs itself up). PGlite runs one query at a
 * time, so nothing changes while the archive is written.
 */
export async function dumpEmbeddedDatabase(orm: Database): Promise<Blob> {
  const threaded = embeddedDatabaseOf(orm);
  if (threaded) return threaded.dump();
  const pglite = await (orm.em.getConnection() as unknown as PgliteConnection).getNativeClient();
  return pglite.dumpDataDir('gzip');
}

/** Exact row counts of every application table, for a backup's manifest. */
export async function tableRowCounts(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
): Promise<Record<string, number>> {
  const tables = await query("select tablename from pg_tables where schemaname = 'public' order by tablename");
  const counts: Record<string, number> = {};
  for (const { tablename } of tables) {
    const name = String(tablename);
    const [row] = await query(`select count(*) as n from "${name.replace(/"/g, '""')}"`);
    counts[name] = Number(row?.n ?? 0);
  }
  return counts;
}
