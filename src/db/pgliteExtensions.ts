import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * Contrib extensions every embedded PGlite instance loads (PGlite ships them but loads none by default).
 * A data directory whose schema uses one cannot be opened without it: pass these to every `PGlite.create`.
 */
export const PGLITE_EXTENSIONS = { pg_trgm };
