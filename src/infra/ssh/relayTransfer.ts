import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import { AppError } from '../../errors/index.ts';
import type { TransferRequest, TransferResult } from '../../domain/ssh/ports.ts';
import type { SshClient } from './connect.ts';

/** Large SFTP reads and writes: default 64 KiB chunks relay an order of magnitude slower. */
export const RELAY_CHUNK = 1024 * 1024;

/**
 * Streams a file from one SFTP server to another through this process, never holding more than a
 * few chunks in memory. The sha256 is computed on the bytes as they are read from the source, and
 * checked on the destination by running `sha256sum` there on the finished file (no second copy over
 * the network). The file is written to `<path>.plaza-part` and renamed into place only once complete.
 */
export async function relayTransfer(
  source: SshClient,
  destination: SshClient,
  req: TransferRequest,
): Promise<TransferResult> {
  const { transfer } = req;
  const started = performance.now();
  const fail = (reason: string, cause?: unknown) =>
    new AppError('SSH_TRANSFER_FAILED', { detail: { transfer: transfer.name, reason }, cause });
  const [src, dst] = await Promise.all([openSftp(source), openSftp(destination)]).catch((err) => {
    throw fail(`cannot open SFTP: ${(err as Error).message}`, err);
  });
  try {
    const total = await new Promise<number>((resolve, reject) =>
      src.stat(transfer.source.path, (err, stats) =>
        err ? reject(fail(`source ${transfer.source.path}: ${err.message}`, err)) : resolve(stats.size),
      ),
    );
    const partial = `${transfer.destination.path}.plaza-part`;
    const hash = createHash('sha256');
    let bytes = 0;
    let lastReport = 0;
    const meter = new Transform({
      readableHighWaterMark: RELAY_CHUNK,
      writableHighWaterMark: RELAY_CHUNK,
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        const now = performance.now();
        if (now - lastReport >= 250 || bytes === total) {
          lastReport = now;
          req.onProgress(bytes, total);
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        src.createReadStream(transfer.source.path, { highWaterMark: RELAY_CHUNK }),
        meter,
        dst.createWriteStream(partial, { highWaterMark: RELAY_CHUNK }),
        { signal: req.signal },
      );
    } catch (err) {
      await new Promise<void>((resolve) => dst.unlink(partial, () => resolve()));
      if (req.signal.aborted) throw fail('cancelled', err);
      throw fail((err as Error).message, err);
    }
    await new Promise<void>((resolve) => dst.unlink(transfer.destination.path, () => resolve()));
    await new Promise<void>((resolve, reject) =>
      dst.rename(partial, transfer.destination.path, (err) =>
        err ? reject(fail(`rename on destination: ${err.message}`, err)) : resolve(),
      ),
    );
    const sha256 = hash.digest('hex');
    const destinationSha256 = await remoteSha256(destination, transfer.destination.path).catch((err) => {
      throw fail(`sha256sum on destination: ${(err as Error).message}`, err);
    });
    if (destinationSha256 !== sha256) {
      throw new AppError('SSH_TRANSFER_CHECKSUM_MISMATCH', {
        detail: { transfer: transfer.name, source_sha256: sha256, destination_sha256: destinationSha256 },
      });
    }
    return { bytes, sha256, destinationSha256, durationMs: Math.round(performance.now() - started) };
  } finally {
    src.end();
    dst.end();
  }
}

function openSftp(client: SshClient): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

/** Single-quotes a path for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function remoteSha256(client: SshClient, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(`sha256sum -- ${shellQuote(path)}`, (err, channel) => {
      if (err) return reject(err);
      let out = '';
      let errText = '';
      let code: number | null = null;
      channel.on('data', (d: Buffer) => (out += d.toString()));
      channel.stderr.on('data', (d: Buffer) => (errText += d.toString()));
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => {
        const match = /^([0-9a-f]{64})\b/.exec(out);
        if (code === 0 && match) resolve(match[1]);
        else reject(new Error(errText.trim() || `exit code ${code}`));
      });
    });
  });
}
