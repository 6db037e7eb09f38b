import type { Logger } from 'pino';
import { AppError } from '../../errors/index.ts';
import type {
  CommandRequest,
  CommandResult,
  SshGateway,
  SshTargetInfo,
  SshTransferInfo,
  TransferRequest,
  TransferResult,
} from '../../domain/ssh/ports.ts';
import { failedOnDeadConnection, runCommand } from './runCommand.ts';
import { relayTransfer } from './relayTransfer.ts';
import { SshPool } from './SshPool.ts';
import type { SshServersConfig, SshTarget } from './serversFile.ts';

const DEFAULT_KILL_GRACE_MS = 2000;

/** The SshGateway on ssh2: pooled connections to the configured targets only. */
export class Ssh2Gateway implements SshGateway {
  readonly pool: SshPool;
  private readonly byName: Map<string, SshTarget>;

  constructor(
    private readonly servers: SshServersConfig,
    private readonly options: { connectTimeoutMs: number; idleMs: number; killGraceMs?: number; log: Logger },
  ) {
    this.pool = new SshPool(options);
    this.byName = new Map(servers.targets.map((t) => [t.name, t]));
  }

  targets(): SshTargetInfo[] {
    return this.servers.targets.map(({ name, host, port, username }) => ({ name, host, port, username }));
  }

  transfers(): SshTransferInfo[] {
    return this.servers.transfers;
  }

  async exec(request: CommandRequest): Promise<CommandResult> {
    const target = this.target(request.server);
    for (let attempt = 1; ; attempt++) {
      const conn = await this.pool.acquire(target);
      try {
        return await runCommand(conn.client, request.server, request, {
          killGraceMs: this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
          log: this.options.log,
        });
      } catch (err) {
        // A pooled connection can die unnoticed (server restarted): reconnect once, before anything ran.
        if (attempt > 1 || !failedOnDeadConnection(err)) throw err;
        this.pool.evict(target.name, conn.client);
      } finally {
        conn.release();
      }
    }
  }

  async transfer(request: TransferRequest): Promise<TransferResult> {
    const { source, destination } = request.transfer;
    const src = await this.pool.acquire(this.target(source.server));
    try {
      const dst = await this.pool.acquire(this.target(destination.server));
      try {
        return await relayTransfer(src.client, dst.client, request);
      } finally {
        dst.release();
      }
    } finally {
      src.release();
    }
  }

  close(): Promise<void> {
    return this.pool.closeAll();
  }

  private target(name: string): SshTarget {
    const target = this.byName.get(name);
    if (!target) throw new AppError('SSH_UNKNOWN_SERVER', { detail: { server_name: name } });
    return target;
  }
}
