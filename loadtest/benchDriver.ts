/**
 * A bench:chat client process: holds a slice of the connections to Plaza (SDK, chat room), to bare
 * Colyseus (SDK, its shared `bare` room) and to the raw ws server, sends from its senders when told,
 * and reports latencies, losses and reorderings.
 * Message text (100 bytes): "<phase>|<sender>|<seq>|<sentAtMs>|" padded with dots.
 */
import { Client, type Room } from '@colyseus/sdk';
import WebSocket from 'ws';

/**
 * `plaza`: one process; `plaza3`: the same group over several processes on Redis; `colyseus`: bare
 * Colyseus (loadtest/bareColyseusServer.ts); `raw`: bare ws.
 */
type Target = 'plaza' | 'plaza3' | 'colyseus' | 'raw';
type SdkTarget = Exclude<Target, 'raw'>;
interface Receiver {
  lastSeq: Map<string, number>;
}
interface PhaseStats {
  latencies: number[];
  received: number;
  outOfOrder: number;
}

const now = () => performance.timeOrigin + performance.now();
const sdkRooms: Record<SdkTarget, Room[]> = { plaza: [], plaza3: [], colyseus: [] };
const rawSockets: WebSocket[] = [];
const receivers: Receiver[] = [];
let phase: { id: string; target: Target; stats: PhaseStats } | undefined;
const PAD = '.'.repeat(100);

function onText(receiver: Receiver, target: Target, text: string): void {
  const at = now();
  const [phaseId, sender, seqText, sentText] = text.split('|');
  if (!phase || phase.id !== phaseId || phase.target !== target) return;
  const seq = Number(seqText);
  const last = receiver.lastSeq.get(sender) ?? -1;
  if (seq < last) phase.stats.outOfOrder++;
  else receiver.lastSeq.set(sender, seq);
  phase.stats.received++;
  phase.stats.latencies.push(at - Number(sentText));
}

/** Plaza's group chat with the user's token, or bare Colyseus' shared room (no auth). */
function joinRoom(target: SdkTarget, url: string, token: string, groupId: number): Promise<Room> {
  const client = new Client(url);
  if (target === 'colyseus') return client.joinOrCreate('bare', {});
  client.auth.token = token;
  return client.joinOrCreate('chat', { groupId });
}

async function joinChat(target: SdkTarget, url: string, token: string, groupId: number) {
  const room = await joinRoom(target, url, token, groupId);
  const receiver: Receiver = { lastSeq: new Map() };
  room.onMessage('message', (m: { text: string }) => onText(receiver, target, m.text));
  room.onMessage('*', () => undefined);
  sdkRooms[target].push(room);
  receivers.push(receiver);
}

/**
 * `spread` (with --servers): the same users on the multi-process deployment, client i's matchmaking
 * through `spread.urls[i % urls.length]`.
 */
async function connect(msg: {
  plazaUrl: string;
  colyseusUrl: string;
  rawUrl: string;
  groupId: number;
  tokens: string[];
  spread?: { urls: string[]; groupId: number; tokens: string[]; offset: number };
}) {
  for (const [i, token] of msg.tokens.entries()) {
    await joinChat('plaza', msg.plazaUrl, token, msg.groupId);
    const spread = msg.spread;
    if (spread)
      await joinChat('plaza3', spread.urls[(spread.offset + i) % spread.urls.length], spread.tokens[i], spread.groupId);
    await joinChat('colyseus', msg.colyseusUrl, token, msg.groupId);
    const ws = new WebSocket(msg.rawUrl);
    const rawReceiver: Receiver = { lastSeq: new Map() };
    ws.on('message', (data) => onText(rawReceiver, 'raw', data.toString()));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    rawSockets.push(ws);
    receivers.push(rawReceiver);
  }
}

async function run(msg: {
  phase: string;
  target: Target;
  senders: number;
  perSenderRate: number;
  seconds: number;
  senderPrefix: string;
}) {
  phase = { id: msg.phase, target: msg.target, stats: { latencies: [], received: 0, outOfOrder: 0 } };
  for (const r of receivers) r.lastSeq.clear();
  let sent = 0;
  const timers: NodeJS.Timeout[] = [];
  const end = Date.now() + msg.seconds * 1000;
  for (let s = 0; s < msg.senders; s++) {
    let seq = 0;
    const sender = `${msg.senderPrefix}${s}`;
    const send = () => {
      if (Date.now() >= end) return;
      const text = `${msg.phase}|${sender}|${seq++}|${now().toFixed(3)}|`;
      const body = (text + PAD).slice(0, 100);
      if (msg.target === 'raw') rawSockets[s].send(body);
      else sdkRooms[msg.target][s].send('msg', { text: body });
      sent++;
    };
    // Spread the senders' first sends over one interval so the total rate is smooth.
    timers.push(
      setTimeout(
        () => timers.push(setInterval(send, 1000 / msg.perSenderRate)),
        (1000 / msg.perSenderRate) * (s / msg.senders),
      ),
    );
  }
  await new Promise((r) => setTimeout(r, msg.seconds * 1000));
  for (const t of timers) clearInterval(t);
  return { sent };
}

process.on('message', async (msg: any) => {
  try {
    if (msg.cmd === 'connect') {
      await connect(msg);
      process.send!({ cmd: 'connected' });
    } else if (msg.cmd === 'run') {
      const { sent } = await run(msg);
      process.send!({ cmd: 'ran', sent });
    } else if (msg.cmd === 'collect') {
      const stats = phase!.stats;
      phase = undefined;
      process.send!({ cmd: 'stats', ...stats });
    } else if (msg.cmd === 'close') {
      for (const room of Object.values(sdkRooms).flat()) await room.leave().catch(() => undefined);
      for (const ws of rawSockets) ws.close();
      process.send!({ cmd: 'closed' });
      setTimeout(() => process.exit(0), 200);
    }
  } catch (err) {
    process.send!({ cmd: 'error', message: String((err as Error)?.stack ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));
