/**
 * `npm run migration:create -- [name]`: applies the committed migrations to a scratch in-memory
 * PGlite, diffs the entities against that schema and writes the difference as a new migration.
 * No snapshot file: the committed migrations are the single source of the schema.
 */
import { openDatabase } from './openDatabase.ts';

const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
try {
  const result = await database.orm.migrator.create(undefined, false, false, process.argv[2]);
  console.log(result.diff.up.length === 0 ? 'Schema is up to date: no migration written.' : `Wrote ${result.fileName}`);
} finally {
  await database.close();
}
