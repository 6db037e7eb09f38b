import { pino } from 'pino';
import { sshSecretLookup } from '../../src/config.ts';
import type { CommandRequest, OutputStream, SshGateway } from '../../src/domain/ssh/ports.ts';
import type { AppError } from '../../src/errors/index.ts';
import { HealthMonitor } from '../../src/infra/ssh/HealthMonitor.ts';
import { loadServersFile, type SshServersConfig, type SshTarget } from '../../src/infra/ssh/serversFile.ts';
import { Ssh2Gateway } from '../../src/infra/ssh/Ssh2Gateway.ts';

/** Runs `command` on `server` through `gateway`, collecting its output as it streams, per stream. */
export async function execCollecting(
  gateway: SshGateway,
  server: string,
  command: string,
  extra: Partial<CommandRequest> & { timeoutMs: number },
) {
  const chunks: { stream: OutputStream; text: string }[] = [];
  const onOutput = extra.onOutput;
  const result = await gateway.exec({
    server,
    command,
    outputCap: 1024 * 1024,
    signal: new AbortController().signal,
    ...extra,
    onOutput: (stream, chunk) => {
      chunks.push({ stream, text: chunk.toString() });
      onOutput?.(stream, chunk);
    },
  });
  const text = (stream: OutputStream) =>
    chunks
      .filter((c) => c.stream === stream)
      .map((c) => c.text)
      .join('');
  return { result, chunks, stdout: text('stdout'), stderr: text('stderr') };
}

const silent = pino({ level: 'silent' });

/** A gateway to the servers of a servers file (secrets from the test environment), silent. */
export function testGateway(
  serversFile: string | SshServersConfig,
  options: { idleMs?: number; killGraceMs?: number; env?: Record<string, string> } = {},
): Ssh2Gateway {
  const servers =
    typeof serversFile === 'string' ? loadServersFile(serversFile, sshSecretLookup(options.env)) : serversFile;
  return new Ssh2Gateway(servers, {
    connectTimeoutMs: 5000,
    idleMs: options.idleMs ?? 60_000,
    killGraceMs: options.killGraceMs,
    log: silent,
  });
}

/** The error a trivial command (`true`) on `server` fails with through a gateway of its own, closed after. */
export async function connectFailure(
  servers: string | SshServersConfig,
  server: string,
  env?: Record<string, string>,
): Promise<AppError> {
  const gateway = testGateway(servers, { idleMs: 1000, env });
  try {
    await gateway.exec({
      server,
      command: 'true',
      timeoutMs: 1000,
      outputCap: 10,
      signal: new AbortController().signal,
      onOutput: () => {},
    });
  } catch (err) {
    return err as AppError;
  } finally {
    await gateway.close();
  }
  throw new Error(`\`true\` ran on ${server}: expected the connection to fail`);
}

/** A health monitor of `targets` that checks only when asked (`check`), silent. */
export function testHealthMonitor(
  targets: SshTarget[],
  options: { timeoutMs: number; failuresToUnhealthy: number },
): HealthMonitor {
  return new HealthMonitor(targets, { intervalMs: 60_000, ...options, log: silent });
}
