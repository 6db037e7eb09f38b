/**
 * A bench:capacity client process: opens its share of the connections when told — SDK joins of `home`
 * or of one group's `chat`, SDK joins of bare Colyseus' shared `bare` room or per-user `bareHome`
 * (loadtest/bareColyseusServer.ts), or bare ws connects — a few at a time, times each, and holds them
 * until told to close them all.
 */
import { Client, type Room } from '@colyseus/sdk';
import WebSocket from 'ws';

type Target = 'home' | 'chat' | 'raw' | 'colyseus' | 'colyseus-home';
/** A user to connect as: Plaza's targets use the token, bare Colyseus' `bareHome` the id. */
interface ClientSpec {
  token: string;
  userId: number;
}
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

/** The SDK join each target makes: Plaza's rooms with the user's token, bare Colyseus' without auth. */
function join(target: Exclude<Target, 'raw'>, client: Client, spec: ClientSpec, groupId: number): Promise<Room> {
  if (target === 'colyseus') return client.joinOrCreate('bare', {});
  if (target === 'colyseus-home') return client.joinOrCreate('bareHome', { userId: spec.userId });
  client.auth.token = spec.token;
  return target === 'home' ? client.joinOrCreate('home', {}) : client.joinOrCreate('chat', { groupId });
}

async function joinRoom(target: Exclude<Target, 'raw'>, url: string, spec: ClientSpec, groupId: number) {
  const room = await join(target, new Client(url), spec, groupId);
  room.onMessage('*', () => undefined);
  rooms.push(room);
}

async function open(msg: { target: Target; url: string; clients: ClientSpec[]; groupId: number; concurrency: number }) {
  const times: number[] = [];
  let failed = 0;
  let firstError = '';
  let next = 0;
  await Promise.all(
    Array.from({ length: msg.concurrency }, async () => {
      while (next < msg.clients.length) {
        const spec = msg.clients[next++];
        const started = performance.now();
        try {
          if (msg.target === 'raw') await openRaw(msg.url);
          else await joinRoom(msg.target, msg.url, spec, msg.groupId);
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
