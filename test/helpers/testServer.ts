import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configWith, type ConfigInput } from '../../src/config.ts';
import { start, type RunningServer } from '../../src/main.ts';
import type { DatabaseTarget } from '../../src/db/openDatabase.ts';
import { createTestDatabase, type TestDatabase } from './testDatabase.ts';
import { HttpClient } from './http.ts';

export interface TestServer extends RunningServer {
  http: HttpClient;
  database: DatabaseTarget;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/** Settings every test server shares; a test overrides what it is about. */
export function testConfig(overrides: ConfigInput = {}) {
  return configWith({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-test-')),
    AUTH_RATE_PER_IP: '1000',
    AUTH_RATE_PER_ACCOUNT: '1000',
    ...overrides,
  });
}

/**
 * A real Plaza server on a free port with a fresh migrated database. Pass `database` to reuse one
 * (e.g. to restart a server on the same data).
 */
export async function startTestServer(overrides: ConfigInput = {}, reuse?: { database: DatabaseTarget }): Promise<TestServer> {
  const db: TestDatabase | undefined = reuse ? undefined : await createTestDatabase();
  const database = reuse?.database ?? db!.target;
  const server = await start(testConfig(overrides), { database });
  return {
    ...server,
    database,
    http: new HttpClient(server.url),
    close: async () => {
      await server.stop();
      await db?.dispose();
    },
  };
}
