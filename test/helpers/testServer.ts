import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configWith, type ConfigInput } from '../../src/config.ts';
import { start, type RunningServer } from '../../src/main.ts';
import type { DatabaseTarget } from '../../src/db/openDatabase.ts';
import { createTestDatabase, type TestDatabase } from './testDatabase.ts';
import { RequestContext } from '@mikro-orm/core';
import { HttpClient, type Session } from './http.ts';

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
    POST_RATE_PER_USER: '1000',
    COMMENT_RATE_PER_USER: '1000',
    UPLOAD_RATE_PER_USER: '1000',
    AUTH_FAILURES_PER_IP: '1000',
    AUTH_FAILURES_PER_ACCOUNT_IP: '1000',
    AUTH_FAILURES_PER_ACCOUNT: '1000',
    ...overrides,
  });
}

/**
 * A real Plaza server on a free port with a fresh migrated database. To restart on the same data, start
 * the first with `persistent: true`, `stop()` it, start the next with `database: first.database`, and
 * `close()` the first at the end (that drops the database).
 */
export async function startTestServer(
  overrides: ConfigInput = {},
  options: { database?: DatabaseTarget; persistent?: boolean } = {},
): Promise<TestServer> {
  const db: TestDatabase | undefined = options.database
    ? undefined
    : await createTestDatabase({ persistent: options.persistent });
  // A reused database already holds its data: never seed it from the template again.
  const database = options.database ? { ...options.database, loadDataDir: undefined } : db!.target;
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

/** An admin account, signed in (the first admin is made by the CLI, never over the API). */
export function createAdmin(server: TestServer, username: string): Promise<Session> {
  return signUpWithRole(server, username, 'admin');
}

/** Creates an account with a role the API never grants (admin, operator) and signs it in. */
export async function signUpWithRole(
  server: TestServer,
  username: string,
  role: 'admin' | 'operator',
): Promise<Session> {
  const password = `${username}-password`;
  const user = await RequestContext.create(server.services.orm.em, () =>
    server.services.auth.register({ username, email: `${username}@example.test`, password, role, emailVerified: true }),
  );
  return { id: user.id, username, ...(await server.http.signIn(username, password)) };
}
