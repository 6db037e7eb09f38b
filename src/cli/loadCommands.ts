import { z } from 'zod';
import { seedUsers } from '../domain/users/seedUsers.ts';
import { UsageError, type CliCommand } from './command.ts';

const seedOptions = z.object({
  count: z.coerce.number().int().min(1).max(100_000),
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,23}$/, 'a lower-case letter, then up to 23 lower-case letters, digits or _')
    .default('load'),
  password: z.string().min(8).max(256).optional(),
});

/** Many users who can sign in, for load tests (loadtest/README.md): one argon2id hash, one insert. */
export const seedUsersCommand: CliCommand = {
  usage: '--count <n> [--prefix <name>] [--password <password>]',
  description:
    'Create users <prefix>1..<prefix>n (default prefix "load") for load tests, all with one password\n' +
    '(default "<prefix>-load-password"); users that already exist are left unchanged.',
  options: { count: { type: 'string' }, prefix: { type: 'string' }, password: { type: 'string' } },
  async run({ options, services }) {
    const parsed = seedOptions.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`--${issue.path.join('.')}: ${issue.message}`);
    }
    const { count, prefix } = parsed.data;
    const password = parsed.data.password ?? `${prefix}-load-password`;
    const result = await seedUsers((await services()).orm.em.fork(), { count, prefix, password });
    const kept = result.existing ? ` (${result.existing} already existed and were left unchanged)` : '';
    return `Seeded ${result.created} users ${prefix}1..${prefix}${count}${kept}; each signs in with password: ${password}`;
  },
};
