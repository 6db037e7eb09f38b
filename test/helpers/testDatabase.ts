import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '../../src/db/openDatabase.ts';
import { PGLITE_EXTENSIONS } from '../../src/db/ormOptions.ts';

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

async function buildPgliteTemplate(): Promise<Blob> {
  const instance = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
  const orm = await openDatabase({ kind: 'pglite', dataDir: 'memory://', instance });
  await orm.close();
  const dump = await instance.dumpDataDir('none');
  await instance.close();
  return dump;
}

async function buildPostgresTemplate(url: string): Promise<string> {
  const name = `plaza_test_template_${process.pid}`;
  await adminQuery(url, `drop database if exists "${name}" with (force)`);
  await adminQuery(url, `create database "${name}"`);
  const orm = await openDatabase({ kind: 'postgresql', url: withDatabase(url, name) });
  await orm.close();
  return name;
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
