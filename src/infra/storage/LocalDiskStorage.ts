import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStorage, StagedFile } from '../../domain/files/FileStorage.ts';

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const KEY = /^(images|documents|files)\/[A-Za-z0-9_-]{16,64}(\.[a-z0-9]{1,10})?$/;

/**
 * Files on local disk under `root` (DATA_DIR/uploads): `images/`, `documents/`, `files/`, and a private
 * `.staging/` on the same file system, so committing is an atomic rename. Staging left behind by a
 * crash is swept at start-up.
 */
export class LocalDiskStorage implements FileStorage {
  private readonly staging: string;

  constructor(private readonly root: string) {
    this.staging = path.join(root, '.staging');
    fs.rmSync(this.staging, { recursive: true, force: true });
    for (const dir of [this.staging, 'images', 'documents', 'files']) fs.mkdirSync(path.resolve(root, dir), { recursive: true });
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

  read(key: string): Readable {
    return fs.createReadStream(this.keyPath(key));
  }

  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.keyPath(key), { force: true });
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
