import { z } from 'zod';
import { seedUsers } from './domain/users/seedUsers.ts';
import type { Services } from './services.ts';

/** `seed-users`: many sign-in-able users for load tests (loadtest/README.md). */
export const SEED_USERS_USAGE = `  npm run cli -- seed-users --count <n> [--prefix <name>] [--password <password>]
                                             create users <prefix>1..<prefix>n (default prefix "load"),
                                             all with one password (default "<prefix>-load-password")`;

const seedArgs = z.object({
  count: z.coerce.number().int().min(1).max(100_000),
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,23}$/, 'a lower-case letter, then up to 23 lower-case letters, digits or _')
    .default('load'),
  password: z.string().min(8).max(256).optional(),
});

export async function seedUsersCommand(services: Services, args: Record<string, unknown>): Promise<string> {
  const parsed = seedArgs.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SeedUsageError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  const { count, prefix } = parsed.data;
  const password = parsed.data.password ?? `${prefix}-load-password`;
  const result = await seedUsers(services.orm.em.fork(), { count, prefix, password });
  const kept = result.existing ? ` (${result.existing} already existed and were left unchanged)` : '';
  return `Seeded ${result.created} users ${prefix}1..${prefix}${count}${kept}; each signs in with password: ${password}`;
}

export class SeedUsageError extends Error {}
