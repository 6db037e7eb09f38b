/**
 * The database a benchmark runs Plaza on, prepared before Plaza starts: a fresh PostgreSQL database of its
 * own on DATABASE_URL's server (dropped at the end), or else an embedded PGlite directory on disk — what
 * `npm start` runs, with PGlite in its own thread. Users are created the way the `seed-users` CLI does it
 * (one argon2 hash, one insert), so setting up thousands of users takes seconds, not minutes of sign-ups.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseTarget, type OpenedDatabase } from '../src/db/openDatabase.ts';
import { seedUsers } from '../src/domain/users/seedUsers.ts';
import { TokenService } from '../src/domain/auth/TokenService.ts';
import type { SessionRevoker } from '../src/domain/auth/SessionRevoker.ts';

export interface BenchDatabase {
  /** Environment for the Plaza process: DATABASE_URL or PGLITE_DIR. */
  env: Record<string, string>;
  label: string;
  /** Opens the database in this process (before Plaza starts: PGlite belongs to one process). */
  open(): Promise<OpenedDatabase>;
  /** Drops the database or removes the directory. */
  dispose(): Promise<void>;
}

async function adminQuery(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database for one bench run: PostgreSQL when DATABASE_URL is set, PGlite on disk otherwise. */
export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const dbName = `plaza_bench_${name}_${process.pid}`;
    await adminQuery(baseUrl, `create database "${dbName}"`);
    const url = new URL(baseUrl);
    url.pathname = `/${dbName}`;
    const target: DatabaseTarget = { kind: 'postgresql', url: url.toString() };
    return {
      env: { DATABASE_URL: url.toString() },
      label: 'PostgreSQL',
      open: () => openDatabase(target),
      dispose: () => adminQuery(baseUrl, `drop database if exists "${dbName}" with (force)`),
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plaza-bench-${name}-`));
  const dataDir = path.join(dir, 'pglite');
  return {
    env: { PGLITE_DIR: dataDir, DATABASE_URL: '' },
    label: 'PGlite on disk (own thread)',
    // A short-lived setup has no event loop to protect: PGlite in this thread, as the CLI opens it.
    open: () => openDatabase({ kind: 'pglite', dataDir }, { embeddedThread: false }),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Users `<prefix>1..<prefix>count`, each signing in with the returned password (the seed-users path). */
export async function seedBenchUsers(
  orm: Database,
  count: number,
  prefix = 'bench',
): Promise<{ users: { id: number; username: string }[]; password: string }> {
  const password = `${prefix}-load-password`;
  await seedUsers(orm.em.fork(), { count, prefix, password });
  const users = await orm.em
    .getConnection()
    .execute<{ id: number; username: string }[]>(`select id, username from users where username ~ ? order by id`, [
      `^${prefix}[0-9]+$`,
    ]);
  return { users, password };
}

/** One open chat group owned by the first user, with every user `firstId..firstId+count-1` a member. */
export async function seedBenchGroup(orm: Database, firstId: number, count: number): Promise<number> {
  const sql = orm.em.getConnection();
  const [{ id }] = await sql.execute<{ id: number }[]>(
    `insert into chat_groups (name, owner_id, visibility, created_at) values ('bench', ?, 'open', now()) returning id`,
    [firstId],
  );
  await sql.execute(
    `insert into chat_members (group_id, user_id, joined_at) select ?, n, now() from generate_series(?::int, ?::int) as n`,
    [id, firstId, firstId + count - 1],
  );
  return id;
}

/**
 * Access tokens for seeded users, signed by Plaza's own TokenService with the JWT_SECRET the bench gives
 * the server: a sign-in costs argon2 (~0.5 s here), which would make setting up thousands of clients
 * take longer than the benchmark. Each token is its own login (family), as a sign-in would make it.
 */
export function mintAccessTokens(
  secret: string,
  ttlSeconds: number,
  users: { id: number; username: string }[],
): string[] {
  const tokens = new TokenService({} as SessionRevoker, { secret, accessTtlSeconds: ttlSeconds });
  return users.map((u) =>
    tokens.issueAccessToken({ id: u.id, username: u.username, role: 'user', tokenVersion: 0 }, crypto.randomUUID()),
  );
}
