import { RequestContext } from '@mikro-orm/core';
import { pino } from 'pino';
import type { ConfigInput } from '../../src/config.ts';
import { start, type RunningServer } from '../../src/main.ts';
import type { UserRole } from '../../entities/User.ts';
import { createTestDatabase, type TestDatabase } from './testDatabase.ts';
import { testConfig } from './testServer.ts';
import { HttpClient } from './http.ts';

export interface SshTestServer extends RunningServer {
  http: HttpClient;
  /** Every log line the server wrote, at trace level, unredacted by us. */
  logLines: string[];
  /** Creates a user with a role through the domain and signs in over HTTP; returns the access token. */
  user(username: string, role: UserRole): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real Plaza server like startTestServer(), but with a trace-level logger whose output the test
 * keeps, so it can prove no secret ever reaches a log line.
 */
export async function startSshTestServer(overrides: ConfigInput): Promise<SshTestServer> {
  const db: TestDatabase = await createTestDatabase();
  const logLines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  const server = await start(testConfig(overrides), { database: db.target, logger });
  const http = new HttpClient(server.url);
  return {
    ...server,
    http,
    logLines,
    async user(username, role) {
      const password = `${username}-password`;
      await RequestContext.create(server.services.orm.em, () =>
        server.services.auth.register({ username, email: `${username}@example.test`, password, role }),
      );
      return (await http.signIn(username, password)).access_token;
    },
    async close() {
      await server.stop();
      await db.dispose();
    },
  };
}
