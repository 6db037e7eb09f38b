import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import type { Logger } from 'pino';
import { AppError } from '../../errors/index.ts';
import type { SshTarget } from './serversFile.ts';

export type SshClient = InstanceType<typeof ssh2.Client>;

/** OpenSSH's fingerprint form of a raw host key: `SHA256:` + unpadded base64 of its sha256. */
export function fingerprintOf(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Opens an authenticated ssh2 connection to a configured target. The host key must match the pinned
 * fingerprint, always; failures become catalogue errors (20xxx connect, 21xxx auth) without secrets.
 * The returned client keeps an 'error' listener for its whole life (ssh2 can emit twice, e.g. after a
 * handshake timeout), so a late error never becomes an uncaught exception.
 */
export function connectTarget(target: SshTarget, options: { timeoutMs: number; log: Logger }): Promise<SshClient> {
  const client = new ssh2.Client();
  let presented: string | undefined;
  let mismatch = false;
  return new Promise((resolve, reject) => {
    let settled = false;
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (!settled) {
        settled = true;
        reject(connectError(target, err, mismatch, presented));
        client.end();
        return;
      }
      options.log.debug({ server: target.name, reason: err.message }, 'ssh connection error');
    });
    client.once('ready', () => {
      // Many small SFTP request/response packets: Nagle plus delayed ACKs would stall each of them.
      client.setNoDelay(true);
      if (settled) return;
      settled = true;
      resolve(client);
    });
    client.once('close', () => {
      if (settled) return;
      settled = true;
      reject(connectError(target, new Error('connection closed during handshake'), mismatch, presented));
    });
    try {
      connect();
    } catch (err) {
      // ssh2 throws synchronously for unusable connect options (e.g. a key it cannot decrypt).
      settled = true;
      reject(
        new AppError('SSH_AUTH_FAILED', {
          detail: { server: target.name, reason: 'the configured credentials cannot be used' },
          cause: err,
        }),
      );
    }
  });

  function connect() {
    client.connect({
      host: target.host,
      port: target.port,
      username: target.username,
      ...target.credentials.connectOptions(),
      readyTimeout: options.timeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        presented = fingerprintOf(key);
        mismatch = presented !== target.hostKeyFingerprint;
        return !mismatch;
      },
    });
  }
}

function connectError(
  target: SshTarget,
  err: Error & { level?: string; code?: string },
  mismatch: boolean,
  presented?: string,
): AppError {
  const base = { server: target.name, host: target.host, port: target.port };
  if (mismatch) {
    return new AppError('SSH_HOST_KEY_MISMATCH', {
      detail: { ...base, expected: target.hostKeyFingerprint, presented },
    });
  }
  if (err.level === 'client-authentication')
    return new AppError('SSH_AUTH_FAILED', { detail: { ...base, username: target.username } });
  if (err.level === 'client-timeout') return new AppError('SSH_CONNECT_TIMEOUT', { detail: base });
  return new AppError('SSH_CONNECT_FAILED', { detail: { ...base, reason: err.code ?? err.message } });
}
