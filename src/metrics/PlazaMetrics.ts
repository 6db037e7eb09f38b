import os from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A reading taken at scrape time; a failing reader (the database is away) leaves the gauge unset. */
type Reader = () => Promise<Record<string, number>> | Record<string, number>;

/**
 * How often `nodejs_eventloop_lag_*` samples the event loop (prom-client's default is 10 ms). Each sample
 * is a timer that wakes the loop: 100 wakeups a second cost the process ~3 ms of CPU every second
 * (measured idle; ~0.15 ms per chat message at bench:chat's 20 msg/s); 50 ms costs ~1 ms and still
 * shows any stall the lag alert (p99 > 0.2 s, docs/operations.md) is about.
 */
const EVENT_LOOP_SAMPLE_MS = 50;

/**
 * Plaza's Prometheus metrics: the process defaults plus `plaza_*`, one registry per server so that
 * several servers in one process (tests) never mix. Every series carries `process` (host:pid) so the
 * processes behind one load balancer stay apart. Counters are fed by the shared mechanisms only: the
 * HTTP middleware, the room base, the pool's client, and decorators of the SSH gateway and AI runner.
 */
export class PlazaMetrics {
  readonly registry = new Registry();
  readonly processId: string;

  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly authFailures: Counter<'edge' | 'code'>;
  readonly rateLimited: Counter<'edge' | 'code'>;
  readonly wsOpened: Counter;
  readonly wsClosed: Counter;
  readonly sessions: Gauge<'room'>;
  readonly rooms: Gauge<'room'>;
  readonly slowConsumers: Counter<'room'>;
  readonly roomMessages: Counter<'room' | 'type' | 'result'>;
  readonly chatStoreSeconds: Histogram<'room' | 'result'>;
  readonly dbQueryErrors: Counter<'kind'>;
  readonly dbEvents: Counter<'event'>;
  readonly dbAvailable: Gauge;
  readonly aiRunSeconds: Histogram<'model' | 'result'>;
  readonly sshCommands: Counter<'server' | 'result'>;
  readonly sshTransfers: Counter<'transfer' | 'result'>;
  readonly backups: Counter<'result'>;

  constructor(processId = `${os.hostname()}:${process.pid}`) {
    this.processId = processId;
    const registers = [this.registry];
    this.registry.setDefaultLabels({ process: processId });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    const httpLabels = ['method', 'route', 'status'] as const;
    this.httpRequests = new Counter({
      name: 'plaza_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
      labelNames: httpLabels,
      registers,
    });
    this.httpSeconds = new Histogram({
      name: 'plaza_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template, method and status',
      labelNames: httpLabels,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.authFailures = new Counter({
      name: 'plaza_auth_failures_total',
      help: 'Refused credentials (HTTP 401, room joins refused 401), by edge and error code',
      labelNames: ['edge', 'code'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'plaza_rate_limited_total',
      help: 'Requests and room messages refused by a rate limit, by edge and error code',
      labelNames: ['edge', 'code'],
      registers,
    });
    this.wsOpened = new Counter({
      name: 'plaza_ws_connections_opened_total',
      help: 'WebSocket connections opened',
      registers,
    });
    this.wsClosed = new Counter({
      name: 'plaza_ws_connections_closed_total',
      help: 'WebSocket connections closed',
      registers,
    });
    this.sessions = new Gauge({
      name: 'plaza_room_sessions',
      help: 'Clients in rooms of this process (CCU), by room type',
      labelNames: ['room'],
      registers,
    });
    this.rooms = new Gauge({
      name: 'plaza_rooms',
      help: 'Rooms open in this process, by room type',
      labelNames: ['room'],
      registers,
    });
    this.slowConsumers = new Counter({
      name: 'plaza_room_slow_consumers_total',
      help: 'Room connections closed with 4408 because their unsent bytes exceeded ROOM_MAX_BUFFERED_BYTES, by room type',
      labelNames: ['room'],
      registers,
    });
    this.roomMessages = new Counter({
      name: 'plaza_room_messages_total',
      help: "Room messages handled, by room type, message type and result ('ok' or the error code)",
      labelNames: ['room', 'type', 'result'],
      registers,
    });
    this.chatStoreSeconds = new Histogram({
      name: 'plaza_chat_store_duration_seconds',
      help: 'Time to store a chat or direct message, by room type and result',
      labelNames: ['room', 'result'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.dbQueryErrors = new Counter({
      name: 'plaza_db_query_errors_total',
      help: 'PostgreSQL queries that failed, by kind (unavailable, timeout, other)',
      labelNames: ['kind'],
      registers,
    });
    this.dbEvents = new Counter({
      name: 'plaza_db_events_total',
      help: 'Database outage events: database_unavailable, database_recovered',
      labelNames: ['event'],
      registers,
    });
    this.dbAvailable = new Gauge({
      name: 'plaza_db_available',
      help: '1 while the database answers, 0 during an outage',
      registers,
    });
    this.dbAvailable.set(1);
    this.aiRunSeconds = new Histogram({
      name: 'plaza_ai_job_run_seconds',
      help: 'Run time of AI jobs on the worker pool, by model and result',
      labelNames: ['model', 'result'],
      buckets: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
      registers,
    });
    this.sshCommands = new Counter({
      name: 'plaza_ssh_commands_total',
      help: "SSH commands run, by target and result (how it ended, or 'error')",
      labelNames: ['server', 'result'],
      registers,
    });
    this.sshTransfers = new Counter({
      name: 'plaza_ssh_transfers_total',
      help: "SSH file transfers, by transfer and result ('ok' or 'error')",
      labelNames: ['transfer', 'result'],
      registers,
    });
    this.backups = new Counter({
      name: 'plaza_backups_total',
      help: "Backups taken by this process, by result ('ok' or 'error')",
      labelNames: ['result'],
      registers,
    });
  }

  /**
   * A gauge read when scraped (pool state, queue depth, target health). `label` names the key of each
   * reading; without it the reader returns `{ value }`.
   */
  gauge(name: string, help: string, read: Reader, label?: string): void {
    const registers = [this.registry];
    new Gauge({
      name,
      help,
      labelNames: label ? [label] : [],
      registers,
      async collect() {
        this.reset();
        let values: Record<string, number>;
        try {
          values = await read();
        } catch {
          return; // e.g. the database is away: no reading rather than a wrong one
        }
        for (const [key, value] of Object.entries(values)) {
          if (label) this.set({ [label]: key }, value);
          else this.set(value);
        }
      },
    });
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
