import { matchMaker, type Presence } from '@colyseus/core';
import type { Logger } from 'pino';
import { keys, roomIds } from '../../domain/realtime/RealtimeBus.ts';
import type { ConnectionView } from '../../domain/realtime/RealtimeAdminService.ts';

/** How often each process looks for what a dead process left behind. */
const SWEEP_INTERVAL_MS = 3000;
/** Every this many passes the connection records are read even when no process was seen to go. */
const FULL_SWEEP_EVERY = 20;

export interface SweeperOptions {
  /** Seconds a user whose home died keeps showing their status, to reconnect elsewhere without flapping. */
  presenceGraceSeconds: number;
  /** Marks a user offline (publishing it to followers), as their home would have on leaving. */
  markOffline(userId: number): Promise<void>;
}

/**
 * Removes what a process killed without a shutdown leaves in the shared store, so nothing lies about it:
 *
 * - its room listings (Colyseus' own health check: a process whose channel is gone and that does not
 *   answer is dropped with its rooms), so its users' next join creates their rooms elsewhere;
 * - its connection records and their counts against each user's connection cap (each record names its
 *   process; a process is alive while its Colyseus process channel has a subscriber);
 * - the presence of users whose home room is gone: offline after the presence grace, unless they
 *   reconnected through another process in the meantime (their new home publishes their status).
 *
 * Every process runs it; each step is idempotent, so they may overlap.
 */
export class DeadProcessSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** userId → when this process first saw them online with no home room. */
  private readonly homeless = new Map<string, number>();
  /** Processes alive at the last pass (undefined before the first: the first pass reads everything). */
  private lastAlive: Set<string> | undefined;
  private passes = 0;

  constructor(
    private readonly presence: Presence,
    private readonly log: Logger,
    private readonly options: SweeperOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; a pass still running is not started twice. */
  sweep(): Promise<void> {
    this.running ??= this.pass()
      .catch((err) => this.log.warn({ err }, 'sweeping dead processes failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    await matchMaker.healthCheckAllProcesses();
    const alive = new Set((await this.presence.channels('p:*')).map((channel) => channel.slice('p:'.length)));
    alive.add(matchMaker.processId);
    // Reading every connection record costs in proportion to the users online: do it when a process
    // went away since the last pass, and now and then for one that came and went in between.
    const someoneLeft = !this.lastAlive || [...this.lastAlive].some((id) => !alive.has(id));
    this.lastAlive = alive;
    if (someoneLeft || ++this.passes % FULL_SWEEP_EVERY === 0) await this.sweepConnections(alive);
    await this.sweepPresence();
  }

  private async sweepConnections(alive: Set<string>): Promise<void> {
    const records = (await this.presence.hgetall(keys.connections)) ?? {};
    for (const [sessionId, json] of Object.entries(records)) {
      const record = JSON.parse(json) as ConnectionView;
      if (alive.has(record.process_id)) continue;
      // Only the sweeper that removed the record gives the user's connection back.
      if (await this.presence.hdel(keys.connections, sessionId))
        await this.presence.hincrby(keys.connectionCounts, String(record.user_id), -1);
    }
  }

  private async sweepPresence(): Promise<void> {
    const online = Object.keys((await this.presence.hgetall(keys.presence)) ?? {});
    const now = Date.now();
    for (const userId of [...this.homeless.keys()]) if (!online.includes(userId)) this.homeless.delete(userId);
    const homes = await matchMaker.findRoomsByIds(online.map((userId) => roomIds.home(Number(userId))));
    for (const userId of online) {
      if (homes.has(roomIds.home(Number(userId)))) {
        this.homeless.delete(userId);
        continue;
      }
      const since = this.homeless.get(userId) ?? now;
      this.homeless.set(userId, since);
      if (now - since < this.options.presenceGraceSeconds * 1000) continue;
      this.homeless.delete(userId);
      this.log.info({ user_id: Number(userId) }, 'home room gone with its process: user now offline');
      await this.options.markOffline(Number(userId));
    }
  }
}
