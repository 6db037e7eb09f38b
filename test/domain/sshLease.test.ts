import { expect } from 'chai';
import { openDatabase, type Database, type OpenedDatabase } from '../../src/db/openDatabase.ts';
import { AuditLog } from '../../src/domain/admin/AuditLog.ts';
import { SessionLeases, type LeaseOwner } from '../../src/domain/ssh/SessionLeases.ts';
import { AdminAuditEntry } from '../../entities/AdminAuditEntry.ts';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/testDatabase.ts';
import { expireSshLease } from '../helpers/sshLease.ts';
import { SshControl } from '../../src/domain/ssh/SshControl.ts';
import { Ssh2Gateway } from '../../src/infra/ssh/Ssh2Gateway.ts';
import { pino } from 'pino';

const alice: LeaseOwner = { connectionId: 'conn-alice', userId: 1, username: 'alice' };
const bob: LeaseOwner = { connectionId: 'conn-bob', userId: 2, username: 'bob' };
const admin: LeaseOwner = { connectionId: 'conn-admin', userId: 3, username: 'root' };

const log = pino({ level: 'silent' });

/**
 * Two SessionLeases on one database stand for two server processes. On PostgreSQL each has its own
 * ORM and connection pool; PGlite in memory belongs to one process, so there they share one.
 */
describe('SSH session lease in the database', () => {
  let db: TestDatabase;
  let databaseA: OpenedDatabase;
  let databaseB: OpenedDatabase;
  let ormA: Database;
  let ormB: Database;
  let a: SessionLeases;
  let b: SessionLeases;

  beforeEach(async () => {
    db = await createTestDatabase();
    databaseA = await openDatabase(db.target);
    databaseB = usingPostgres ? await openDatabase(db.target) : databaseA;
    [ormA, ormB] = [databaseA.orm, databaseB.orm];
    a = new SessionLeases(ormA.em, new AuditLog(ormA.em), { ttlSeconds: 1, graceSeconds: 0.5 });
    b = new SessionLeases(ormB.em, new AuditLog(ormB.em), { ttlSeconds: 1, graceSeconds: 0.5 });
  });
  afterEach(async () => {
    if (databaseB !== databaseA) await databaseB.close();
    await databaseA.close();
    await db.dispose();
  });

  const actions = async () =>
    (await ormA.em.fork().find(AdminAuditEntry, {}, { orderBy: { id: 'asc' } })).map(
      (e) => `${e.action}:${(e.detail as { reason?: string })?.reason ?? ''}`,
    );

  it('when two processes start a session at the same moment, then exactly one gets it and the other sees 50004 with the owner', async () => {
    const results = await Promise.allSettled([a.acquire(alice), b.acquire(bob), a.acquire(bob), b.acquire(alice)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).to.have.length(1);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const winner = won[0].value.owner;
    for (const r of lost) {
      expect(r.reason.code).to.equal(50004);
      expect(r.reason.detail.owner).to.deep.equal({
        connection_id: winner.connectionId,
        user_id: winner.userId,
        username: winner.username,
      });
    }
  });

  it('when the owner keeps renewing, then the lease outlives its TTL; unrenewed, it expires and another process can take it', async () => {
    const first = await a.acquire(alice);
    const renewed = await a.renew(alice.connectionId);
    expect(renewed?.expiresAt.getTime()).to.be.at.least(first.expiresAt.getTime());
    expect((await b.current())?.owner.username).to.equal('alice');
    await expireSshLease(ormA.em);
    expect(await b.current()).to.equal(null);
    expect(await a.renew(alice.connectionId)).to.equal(null);
    expect((await b.acquire(bob)).owner.username).to.equal('bob');
    expect(await actions()).to.deep.equal(['ssh.session.start:', 'ssh.session.end:expired', 'ssh.session.start:']);
  });

  it('when a non-owner ends the session, then 50006; the owner can; with none active, 50005', async () => {
    await a.acquire(alice);
    const notOwner = await b.end({ id: 2, name: 'bob', connectionId: bob.connectionId }).catch((e) => e);
    expect(notOwner.code).to.equal(50006);
    expect(notOwner.detail.owner.username).to.equal('alice');
    await a.end({ id: 1, name: 'alice', connectionId: alice.connectionId });
    const none = await a.end({ id: 1, name: 'alice', connectionId: alice.connectionId }).catch((e) => e);
    expect(none.code).to.equal(50005);
  });

  it('when an admin forces the end or takes over, then the lease moves and both are audited', async () => {
    await a.acquire(alice);
    const taken = await b.takeOver(admin);
    expect(taken.previous.username).to.equal('alice');
    expect((await a.current())?.owner.connectionId).to.equal(admin.connectionId);
    expect(await a.renew(alice.connectionId)).to.equal(null);
    await b.end({ id: 3, name: 'root', connectionId: 'another-admin-connection' }, { force: true });
    expect(await a.current()).to.equal(null);
    expect(await actions()).to.deep.equal([
      'ssh.session.start:',
      'ssh.session.takeover:',
      'ssh.session.end:ended_by_admin',
    ]);
  });

  it('when the owner is detached (connection dropped), then its lease is cut to the grace plus a margin, and lapses unless renewed', async () => {
    await a.acquire(alice);
    const detached = await a.detach(alice.connectionId);
    const margin = await dbSecondsUntil(ormA, detached!.expiresAt);
    // grace 0.5 s + margin min(TTL, 2 s) = 1.5 s, judged by the database clock
    expect(margin).to.be.within(0, 1.5);
    expect((await b.current())?.owner.username).to.equal('alice');
    await expireSshLease(ormA.em);
    expect(await b.current()).to.equal(null);
  });

  it('when the lease moves to an admin between a room reading it and renewing it, then its owner is told taken_over, not expired', async () => {
    await a.acquire(alice);
    const here = control(ormA, a);
    const elsewhere = control(ormB, b);
    const refresh = await here.refreshSession(alice, async (connectionId) => {
      // Between the room's read and its renewal, an admin on another process takes the session.
      await elsewhere.takeOverSession({ id: 3, name: 'root', role: 'admin', connectionId: admin.connectionId });
      return connectionId === alice.connectionId;
    });
    expect(refresh.lease?.owner.connectionId).to.equal(admin.connectionId);
    expect(refresh.ended).to.deep.equal({ connectionId: alice.connectionId, reason: 'taken_over' });
  });

  it('when an operator tries to take over or end another operator’s session, then 11007 and 50006; an admin ends it with ended_by_admin', async () => {
    await a.acquire(alice);
    const c = control(ormB, b);
    const bobOperator = { id: 2, name: 'bob', role: 'operator' as const, connectionId: bob.connectionId };
    expect((await c.takeOverSession(bobOperator).catch((e) => e)).code).to.equal(11007);
    expect((await c.endSession(bobOperator).catch((e) => e)).code).to.equal(50006);
    const { reason } = await c.endSession({ id: 3, name: 'root', role: 'admin', connectionId: admin.connectionId });
    expect(reason).to.equal('ended_by_admin');
  });
});

function control(orm: Database, leases: SessionLeases): SshControl {
  const gateway = new Ssh2Gateway({ targets: [], transfers: [] }, { connectTimeoutMs: 1000, idleMs: 1000, log });
  return new SshControl(orm.em, gateway, leases, new AuditLog(orm.em), { outputCap: 1024, maxTimeoutMs: 1000 });
}

async function dbSecondsUntil(orm: Database, at: Date): Promise<number> {
  const [row] = await orm.em
    .getConnection()
    .execute<{ s: number }[]>('select extract(epoch from (?::timestamptz - now()))::float as s', [at.toISOString()]);
  return Number(row.s);
}
