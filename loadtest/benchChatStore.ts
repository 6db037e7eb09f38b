/**
 * `npx tsx loadtest/benchChatStore.ts [--baseline <checkout>] [--count 2000] [--rounds 6]`
 *
 * The CPU this process spends per chat message store: `insertChatMessage` (one plain message, as a room
 * stores a message that arrives alone) inside a RequestContext, as `PlazaRoom.persist` runs it, one after
 * another, on a fresh bench database (PostgreSQL on DATABASE_URL, else PGlite on disk in this process, so
 * its CPU counts too). With `--baseline`, the same from another checkout's `chatStore.ts` (e.g. an export of
 * main), interleaved round by round, so both see the same machine. Prints CPU µs and wall µs per store.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RequestContext } from '@mikro-orm/core';
import { createBenchDatabase, seedBenchGroup, seedBenchUsers } from './benchDatabase.ts';
import { insertChatMessage } from '../src/domain/realtime/chatStore.ts';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    count: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '6' },
  },
});
const count = Number(values.count);
type Insert = typeof insertChatMessage;
const targets: [string, Insert][] = [['this checkout', insertChatMessage]];
if (values.baseline) {
  const file = path.resolve(values.baseline, 'src/domain/realtime/chatStore.ts');
  targets.push(['baseline', ((await import(file)) as { insertChatMessage: Insert }).insertChatMessage]);
}

const db = await createBenchDatabase('store');
const opened = await db.open();
const orm = opened.orm;
try {
  const { users } = await seedBenchUsers(orm, 2);
  const groupId = await seedBenchGroup(orm, users[0].id, 2);
  const author = { userId: users[0].id, username: users[0].username };
  const text = 'x'.repeat(100);
  const store = (insert: Insert) =>
    RequestContext.create(orm.em, () =>
      insert(orm.em, groupId, { kind: 'msg', author, text, authorMustBeMember: true }),
    );
  console.log(`chat store CPU — ${db.label}, ${count} stores per target per round`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    const order = round % 2 ? targets : [...targets].reverse();
    for (const [name, insert] of order) {
      for (let i = 0; i < 200; i++) await store(insert);
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < count; i++) await store(insert);
      const used = process.cpuUsage(cpu);
      const wall = performance.now() - started;
      console.log(
        `round ${round} ${name.padEnd(13)} CPU ${((used.user + used.system) / count).toFixed(1)} µs/store, wall ${((wall * 1000) / count).toFixed(0)} µs/store`,
      );
    }
  }
} finally {
  await opened.close();
  await db.dispose();
}
