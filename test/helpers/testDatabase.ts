import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '../../src/db/openDatabase.ts';
import { isAlive } from '../../src/infra/directoryLock.ts';
import { PGLITE_EXTENSIONS } from '../../src/db/ormOptions.ts';
import { pgliteWasm } from '../../src/db/pgliteWasm.ts';
import { startTcpProxy, type TcpProxy } from './tcpProxy.ts';

/**
 * Fresh, fully migrated databases for tests, fast. On PGlite: migrate once, dump the data directory,
 * and seed every new in-memory instance from that dump. On PostgreSQL (DATABASE_URL set): migrate a
 * template database once and CREATE DATABASE ... TEMPLATE it for every server.
 */
export interface TestDatabase {
  target: DatabaseTarget;
  /** Drops what the database holds (PostgreSQL: the database itself). */
  dispose(): Promise<void>;
}

export const baseUrl = process.env.DATABASE_URL;
let pgliteTemplate: Promise<Blob> | undefined;
let pgTemplate: Promise<string> | undefined;
let counter = 0;

export const usingPostgres = Boolean(baseUrl);

/**
 * A fresh migrated database. `persistent` keeps PGlite data on disk so a test can stop a server and
 * start another on the same data (in-memory PGlite dies with its server); PostgreSQL always persists.
 */
export async function createTestDatabase(options: { persistent?: boolean } = {}): Promise<TestDatabase> {
  if (!baseUrl) {
    pgliteTemplate ??= buildPgliteTemplate();
    const dump = await pgliteTemplate;
    if (!options.persistent) {
      return { target: { kind: 'pglite', dataDir: 'memory://', loadDataDir: dump }, dispose: async () => {} };
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-pglite-'));
    return {
      target: { kind: 'pglite', dataDir, loadDataDir: dump },
      dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  pgTemplate ??= buildPostgresTemplate(baseUrl);
  const template = await pgTemplate;
  const name = `plaza_test_${process.pid}_${++counter}`;
  await adminQuery(baseUrl, `create database "${name}" template "${template}"`);
  return {
    target: { kind: 'postgresql', url: withDatabase(baseUrl, name) },
    dispose: () => adminQuery(baseUrl, `drop database if exists "${name}" with (force)`),
  };
}

/**
 * Builds the template every test database is copied from (run once, by the root hook, so that no
 * test's own hook pays for the first migration).
 */
export async function prepareTestTemplate(): Promise<void> {
  if (baseUrl) await (pgTemplate ??= buildPostgresTemplate(baseUrl));
  else await (pgliteTemplate ??= buildPgliteTemplate());
}

async function buildPgliteTemplate(): Promise<Blob> {
  const instance = await PGlite.create({ ...(await pgliteWasm()), extensions: PGLITE_EXTENSIONS });
  await (await openDatabase({ kind: 'pglite', dataDir: 'memory://', instance })).close();
  const dump = await instance.dumpDataDir('none');
  await instance.close();
  return dump;
}

/** The template database this process migrates once and copies for every test server. */
export const postgresTemplateName = `plaza_test_template_${process.pid}`;

async function buildPostgresTemplate(url: string): Promise<string> {
  const name = postgresTemplateName;
  await dropLeftovers(url);
  await adminQuery(url, `drop database if exists "${name}" with (force)`);
  await adminQuery(url, `create database "${name}"`);
  await (await openDatabase({ kind: 'postgresql', url: withDatabase(url, name) })).close();
  return name;
}

/**
 * Drops this process's template database, if it built one. Called once after the whole run (the
 * root hook in test/helpers/rootHooks.ts); the test databases themselves are dropped as they close.
 */
export async function dropTestTemplate(): Promise<void> {
  if (!baseUrl || !pgTemplate) return;
  const name = await pgTemplate.catch(() => undefined);
  pgTemplate = undefined;
  if (name) await adminQuery(baseUrl, `drop database if exists "${name}" with (force)`);
}

/**
 * Test databases and templates left by test processes of this machine that died before cleaning up
 * (killed, crashed). Only on a loopback server, where the pid in a name is a pid of this machine.
 */
async function dropLeftovers(url: string): Promise<void> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `select datname from pg_database where datname ~ '^plaza_test_(template_)?[0-9]+'`,
    );
    for (const { datname } of rows) {
      const pid = Number(/^plaza_test_(?:template_)?(\d+)/.exec(datname)![1]);
      if (!isAlive(pid)) await client.query(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Server settings for a test that takes its database away: short connect/acquire/statement bounds so a
 * silent database is noticed in about a second, and a fast database watch. Start-up does not wait.
 */
export const OUTAGE_SETTINGS = {
  DB_CONNECT_TIMEOUT_MS: '1000',
  DB_ACQUIRE_TIMEOUT_MS: '1500',
  DB_STATEMENT_TIMEOUT_MS: '1000',
  DB_STARTUP_WAIT: '0',
  DB_WATCH_INTERVAL: '0.5',
} as const;

/**
 * A fresh PostgreSQL test database reached through a TCP proxy the test controls (freeze, black-hole,
 * hang, cut): `target` goes through the proxy. `dispose` closes the proxy and drops the database.
 */
export async function createProxiedTestDatabase(): Promise<{
  target: DatabaseTarget & { kind: 'postgresql' };
  proxy: TcpProxy;
  dispose(): Promise<void>;
}> {
  const db = await createTestDatabase();
  if (db.target.kind !== 'postgresql') throw new Error('a proxied database needs PostgreSQL (DATABASE_URL)');
  const direct = new URL(db.target.url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(direct);
  viaProxy.port = String(proxy.port);
  return {
    target: { kind: 'postgresql', url: viaProxy.toString() },
    proxy,
    dispose: async () => {
      await proxy.close();
      await db.dispose();
    },
  };
}

/** Runs one statement on the PostgreSQL server as the admin connection (DATABASE_URL). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
