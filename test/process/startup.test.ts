import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { start, type RunningServer } from '../../src/main.ts';
import { testConfig } from '../helpers/testServer.ts';
import { createProxiedTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import type { TcpProxy } from '../helpers/tcpProxy.ts';
import { eventually } from '../helpers/realtime.ts';

/** A real pino logger whose lines the test reads, as an operator reads the console. */
function capturedLog() {
  const lines: { msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines, said: (text: string) => lines.some((l) => l.msg.includes(text)) };
}

describe('start-up says what it is doing', function () {
  this.timeout(180_000);

  it('when the embedded database directory is new, then start-up says it is initialising and migrating and how long it took; a restart just opens it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-startup-'));
    const config = testConfig({ PGLITE_DIR: path.join(dataDir, 'pglite'), DATA_DIR: dataDir });
    try {
      const first = capturedLog();
      await (await start(config, { logger: first.logger })).stop();
      expect(first.said('initialising a new embedded database'), JSON.stringify(first.lines)).to.equal(true);
      expect(first.said('database migration(s)')).to.equal(true);
      expect(first.lines.find((l) => l.msg === 'database ready')?.ms).to.be.a('number');

      const second = capturedLog();
      await (await start(config, { logger: second.logger })).stop();
      expect(second.said('opening the embedded database')).to.equal(true);
      expect(second.said('initialising') || second.said('migration')).to.equal(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('on PostgreSQL, when the database cannot be reached at start', () => {
    let db: Awaited<ReturnType<typeof createProxiedTestDatabase>>;
    let proxy: TcpProxy;
    before(async function () {
      if (!usingPostgres) return;
      db = await createProxiedTestDatabase();
      proxy = db.proxy;
    });
    after(async () => {
      await db?.dispose();
    });

    const skipReason = ' (PostgreSQL run only: the embedded database is never unreachable)';

    (usingPostgres ? it : it.skip)(
      'then start-up retries, says why, and starts by itself once the database answers' + skipReason,
      async () => {
        proxy.set('hang');
        const log = capturedLog();
        let server: RunningServer | undefined;
        const starting = start(testConfig({ DB_CONNECT_TIMEOUT_MS: '500', DB_STARTUP_WAIT: '120' }), {
          logger: log.logger,
          database: db.target,
        }).then((s) => (server = s));
        try {
          await eventually(
            () => log.lines.filter((l) => l.msg.startsWith('PostgreSQL is not reachable yet')).length >= 2,
            'two retries announced',
            30_000,
          );
          const retry = log.lines.find((l) => l.msg.startsWith('PostgreSQL is not reachable yet'))!;
          expect(retry.reason).to.be.a('string').and.not.empty;
          expect(retry.gives_up_in_s).to.be.a('number');
          proxy.set('pass');
          await starting;
          expect((await fetch(`${server!.url}/ready`)).status).to.equal(200);
        } finally {
          proxy.set('pass');
          await starting.catch(() => {});
          await server?.stop();
        }
      },
    );

    (usingPostgres ? it : it.skip)(
      'then, after DB_STARTUP_WAIT, start-up fails with a message naming the database and the setting' + skipReason,
      async () => {
        proxy.set('hang');
        try {
          await start(testConfig({ DB_CONNECT_TIMEOUT_MS: '300', DB_STARTUP_WAIT: '1' }), {
            logger: capturedLog().logger,
            database: db.target,
          });
          expect.fail('start-up should have failed');
        } catch (err) {
          expect((err as Error).name).to.equal('DatabaseOpenError');
          expect((err as Error).message)
            .to.include(`127.0.0.1:${proxy.port}`)
            .and.include('DB_STARTUP_WAIT');
        } finally {
          proxy.set('pass');
        }
      },
    );
  });
});
