import { LocalPresence } from '@colyseus/core';
import { expect } from 'chai';
import pg from 'pg';
import { pino } from 'pino';
import { sshSecretLookup } from '../../src/config.ts';
import type { ServerHealth } from '../../src/domain/ssh/ports.ts';
import { SharedHealth } from '../../src/domain/ssh/SharedHealth.ts';
import { HealthMonitor } from '../../src/infra/ssh/HealthMonitor.ts';
import { LeaderHealthChecks } from '../../src/infra/ssh/LeaderHealthChecks.ts';
import { PgLeaderLock } from '../../src/infra/ssh/PgLeaderLock.ts';
import { PresenceHealthChannel } from '../../src/infra/ssh/PresenceHealthChannel.ts';
import { loadServersFile } from '../../src/infra/ssh/serversFile.ts';
import { startSshPeers, type SshPeers } from '../helpers/sshFixtures.ts';
import { eventually } from '../helpers/eventually.ts';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/testDatabase.ts';

const log = pino({ level: 'silent' });

/** One Plaza process's share of the health checks: its own leader candidate (own connection), its own monitor. */
function candidate(url: string, peers: SshPeers, presence: LocalPresence) {
  const targets = loadServersFile(peers.file, sshSecretLookup()).targets;
  const monitor = new HealthMonitor(targets, { intervalMs: 300, timeoutMs: 5000, failuresToUnhealthy: 1, log });
  const lock = new PgLeaderLock(url, 'plaza:ssh-health', log, { intervalMs: 250 });
  const channel = new PresenceHealthChannel(presence);
  const shared = new SharedHealth(targets, channel);
  const checks = new LeaderHealthChecks(monitor, lock, channel, shared, log);
  const ranChecks: ServerHealth[] = [];
  monitor.subscribe((health) => ranChecks.push(health));
  const heard: ServerHealth[] = [];
  shared.subscribe((health) => heard.push(health));
  return { lock, checks, shared, ranChecks, heard };
}

describe('SSH health checks on one elected leader per deployment', () => {
  if (!usingPostgres) {
    it('is skipped: needs DATABASE_URL (PostgreSQL); on PGlite the single process is always the leader', function () {
      this.skip();
    });
    return;
  }

  let db: TestDatabase;
  let peers: SshPeers;
  let admin: pg.Client;
  // Two processes in one test: separate leader connections, one bus between them (as Redis would be).
  const presence = new LocalPresence();
  let one: ReturnType<typeof candidate>;
  let two: ReturnType<typeof candidate>;

  before(async function () {
    this.timeout(120_000);
    db = await createTestDatabase();
    peers = await startSshPeers();
    const url = (db.target as { url: string }).url;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    one = candidate(url, peers, presence);
    two = candidate(url, peers, presence);
  });
  after(async () => {
    await one?.checks.stop();
    await two?.checks.stop();
    await admin?.end();
    await peers?.stop();
    await db?.dispose();
  });

  it("when two processes compete, then one runs the checks and both hear them; when the leader's connection is killed, then the other takes over within seconds", async function () {
    this.timeout(120_000);
    await one.checks.start();
    await two.checks.start();
    await eventually(() => one.lock.isLeader !== two.lock.isLeader, 'one leader', 20_000);
    const [leader, follower] = one.lock.isLeader ? [one, two] : [two, one];

    await eventually(() => follower.heard.some((h) => h.server_name === 'alpha' && h.is_healthy), 'results', 20_000);
    expect(follower.ranChecks, 'the follower runs no checks').to.deep.equal([]);
    expect(leader.ranChecks.length).to.be.above(0);
    expect(follower.shared.snapshot().alpha.is_healthy).to.equal(true);

    // The leader's process loses its database connection, as a killed backend or a dead host would.
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_locks where locktype = 'advisory' and granted
         and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(rows).to.have.length(1, 'exactly one lock holder');
    await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);

    await eventually(() => follower.lock.isLeader && !leader.lock.isLeader, 'leadership to move', 20_000);
    const before = follower.ranChecks.length;
    const heardBefore = leader.heard.length;
    await eventually(() => follower.ranChecks.length > before, 'the new leader to check', 20_000);
    await eventually(() => leader.heard.length > heardBefore, 'the old leader to hear the new one', 20_000);
    // The old leader competes again from a new connection but does not lead while the other holds the lock.
    const ranByOld = leader.ranChecks.length;
    await eventually(
      async () => {
        const { rows: waiting } = await admin.query(
          `select count(*)::int as n from pg_stat_activity where application_name = 'plaza-leader'
           and datname = current_database()`,
        );
        return waiting[0].n === 2;
      },
      'the awaited state',
      15_000,
    );
    expect(leader.lock.isLeader).to.equal(false);
    expect(leader.ranChecks.length - ranByOld).to.be.at.most(1, 'at most a check already under way finishes');
  });
});
