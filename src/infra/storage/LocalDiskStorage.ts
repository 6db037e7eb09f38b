import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, FileStorage, StagedFile } from '../../domain/files/FileStorage.ts';

const STALE_STAGING_MS = 3600_000;
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const KEY = /^(images|documents|files)\/[A-Za-z0-9_-]{16,64}(\.[a-z0-9]{1,10})?$/;

/**
 * Files on local disk under `root` (DATA_DIR/uploads): `images/`, `documents/`, `files/`, and a private
 * `.staging/` on the same file system, so committing is an atomic rename. Staged files older than an
 * hour (left by a crash) are swept when the storage is opened; younger ones may belong to another
 * process sharing DATA_DIR (a server while the CLI runs), so they are left alone.
 */
export class LocalDiskStorage implements FileStorage {
  private readonly root: string;
  private readonly staging: string;

  private constructor(root: string) {
    // Resolved once: DATA_DIR is relative (./data) by default.
    this.root = path.resolve(root);
    this.staging = path.join(this.root, '.staging');
  }

  /** Creates the folders under `root` if needed and sweeps what a crash left in staging. */
  static open(root: string): LocalDiskStorage {
    const storage = new LocalDiskStorage(root);
    for (const dir of ['.staging', 'images', 'documents', 'files'])
      fs.mkdirSync(path.join(storage.root, dir), { recursive: true });
    storage.sweepStaging(STALE_STAGING_MS);
    return storage;
  }

  async stage(source: Readable): Promise<StagedFile> {
    const token = crypto.randomBytes(18).toString('base64url');
    const target = this.stagingPath(token);
    const hash = crypto.createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      await fs.promises.rm(target, { force: true });
      throw err;
    }
    return { token, size, sha256: hash.digest('hex') };
  }

  readStaged(token: string): Readable {
    return fs.createReadStream(this.stagingPath(token));
  }

  async commit(token: string, key: string): Promise<void> {
    await fs.promises.rename(this.stagingPath(token), this.keyPath(key));
  }

  async discard(token: string): Promise<void> {
    await fs.promises.rm(this.stagingPath(token), { force: true });
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const handle = await fs.promises.open(this.keyPath(key), 'r');
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.keyPath(key), { force: true });
  }

  private sweepStaging(olderThanMs: number): void {
    const cutoff = Date.now() - olderThanMs;
    for (const name of fs.readdirSync(this.staging)) {
      const file = path.join(this.staging, name);
      try {
        if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { recursive: true, force: true });
      } catch {
        // Raced with its owner removing it: nothing to do.
      }
    }
  }

  private stagingPath(token: string): string {
    if (!TOKEN.test(token)) throw new Error('invalid staging token');
    return path.join(this.staging, token);
  }

  private keyPath(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
    return path.join(this.root, key);
  }
}
