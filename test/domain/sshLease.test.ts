import { expect } from 'chai';
import { openDatabase, type Database } from '../../src/db/openDatabase.ts';
import { AuditLog } from '../../src/domain/admin/AuditLog.ts';
import { SessionLeases, type LeaseOwner } from '../../src/domain/ssh/SessionLeases.ts';
import { AdminAuditEntry } from '../../entities/AdminAuditEntry.ts';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/testDatabase.ts';

const alice: LeaseOwner = { connectionId: 'conn-alice', userId: 1, username: 'alice' };
const bob: LeaseOwner = { connectionId: 'conn-bob', userId: 2, username: 'bob' };
const admin: LeaseOwner = { connectionId: 'conn-admin', userId: 3, username: 'root' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two SessionLeases on one database stand for two server processes. On PostgreSQL each has its own
 * ORM and connection pool; PGlite in memory belongs to one process, so there they share one.
 */
describe('SSH session lease in the database', () => {
  let db: TestDatabase;
  let ormA: Database;
  let ormB: Database;
  let a: SessionLeases;
  let b: SessionLeases;

  beforeEach(async () => {
    db = await createTestDatabase();
    ormA = await openDatabase(db.target);
    ormB = usingPostgres ? await openDatabase(db.target) : ormA;
    a = new SessionLeases(ormA.em, new AuditLog(ormA.em), { ttlSeconds: 1, graceSeconds: 0.5 });
    b = new SessionLeases(ormB.em, new AuditLog(ormB.em), { ttlSeconds: 1, graceSeconds: 0.5 });
  });
  afterEach(async () => {
    if (ormB !== ormA) await ormB.close();
    await ormA.close();
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
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<SessionLeases['acquire']>>>).value.owner;
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
    await a.acquire(alice);
    for (let i = 0; i < 4; i++) {
      await sleep(400);
      expect(await a.renew(alice.connectionId)).to.not.equal(null);
    }
    expect((await b.current())?.owner.username).to.equal('alice');
    await sleep(1200);
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

  it('when the owner is detached (connection dropped) and its process dies, then the lease expires soon after the grace period', async () => {
    await a.acquire(alice);
    await a.detach(alice.connectionId);
    expect((await b.current())?.owner.username).to.equal('alice');
    await sleep(1700); // grace 0.5 s + margin min(TTL, 2 s) = 1.5 s
    expect(await b.current()).to.equal(null);
  });
});
