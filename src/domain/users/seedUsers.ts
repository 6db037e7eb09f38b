import type { EntityManager } from '@mikro-orm/sql';
import { hashPassword } from '../auth/passwords.ts';

export interface SeedUsersInput {
  count: number;
  /** Usernames are `<prefix><n>` for n = 1..count, e-mail addresses `<prefix><n>@seed.test`. */
  prefix: string;
  /** Every seeded user signs in with this password. */
  password: string;
}

export interface SeededUsers {
  created: number;
  /** Users of the range that already existed and were left as they were. */
  existing: number;
}

/**
 * Creates many ordinary users for load tests in one statement. The password is hashed once with the
 * same argon2id as a sign-up and stored for all of them, so each can really sign in with it; hashing
 * per user (about half a second each) is what makes registering thousands over the API impractical.
 */
export async function seedUsers(em: EntityManager, input: SeedUsersInput): Promise<SeededUsers> {
  const hash = await hashPassword(input.password);
  const rows = await em.getConnection().execute<{ id: number }[]>(
    `insert into users (username, email, password_hash, nickname, created_at, updated_at)
     select ? || n, ? || n || '@seed.test', ?, ? || n, now(), now() from generate_series(1, ?) as n
     on conflict do nothing returning id`,
    [input.prefix, input.prefix, hash, input.prefix, input.count],
  );
  return { created: rows.length, existing: input.count - rows.length };
}
