import type { EntityManager } from '@mikro-orm/sql';

/**
 * Lets the live SSH session lease run out now, judged by the database clock the leases use: its expiry
 * moves into the database's past, as if its time had passed with nobody renewing it. Tests use this
 * instead of sleeping against a short TTL.
 */
export async function expireSshLease(em: EntityManager): Promise<void> {
  await em.getConnection().execute(`update ssh_session_lease set expires_at = now() - interval '1 second'`);
}
