/**
 * A bench:capacity client process: opens its share of the connections when told — SDK joins of `home`
 * or of one group's `chat`, or bare ws connects — a few at a time, times each, and holds them until told
 * to close them all.
 */
import { Client, type Room } from '@colyseus/sdk';
import WebSocket from 'ws';

type Target = 'home' | 'chat' | 'raw';
const rooms: Room[] = [];
const sockets: WebSocket[] = [];

function openRaw(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      sockets.push(socket);
      resolve();
    });
    socket.once('error', reject);
  });
}

async function joinRoom(target: 'home' | 'chat', url: string, token: string, groupId: number): Promise<void> {
  const client = new Client(url);
  client.auth.token = token;
  const room =
    target === 'home' ? await client.joinOrCreate('home', {}) : await client.joinOrCreate('chat', { groupId });
  room.onMessage('*', () => undefined);
  rooms.push(room);
}

async function open(msg: { target: Target; url: string; tokens: string[]; groupId: number; concurrency: number }) {
  const times: number[] = [];
  let failed = 0;
  let firstError = '';
  let next = 0;
  await Promise.all(
    Array.from({ length: msg.concurrency }, async () => {
      while (next < msg.tokens.length) {
        const token = msg.tokens[next++];
        const started = performance.now();
        try {
          if (msg.target === 'raw') await openRaw(msg.url);
          else await joinRoom(msg.target, msg.url, token, msg.groupId);
          times.push(performance.now() - started);
        } catch (err) {
          failed++;
          firstError ||= String((err as Error).message ?? err);
        }
      }
    }),
  );
  return { times, failed, firstError };
}

async function closeAll(): Promise<void> {
  await Promise.all(rooms.splice(0).map((r) => r.leave(true).catch(() => undefined)));
  for (const s of sockets.splice(0)) s.terminate();
}

process.on('message', async (msg: { cmd: string } & Parameters<typeof open>[0]) => {
  try {
    if (msg.cmd === 'open') process.send!({ cmd: 'opened', ...(await open(msg)) });
    else if (msg.cmd === 'close') {
      await closeAll();
      process.send!({ cmd: 'closed' });
    }
  } catch (err) {
    process.send!({ cmd: 'error', message: String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
