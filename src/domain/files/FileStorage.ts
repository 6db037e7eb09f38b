import type { Readable } from 'node:stream';

/** Bytes received but not yet kept: invisible to readers until committed, removed if discarded. */
export interface StagedFile {
  /** Opaque handle of the staged bytes. */
  token: string;
  size: number;
  /** Hex sha256 of the bytes, computed while they streamed in. */
  sha256: string;
}

/** Bytes `start` to `end` of a file, both inclusive (as HTTP ranges count them). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded bytes live. Uploads are two-phase: `stage` streams bytes to a private area, the
 * service inspects and records them, then `commit` moves them under their final key (or `discard`
 * drops them). A key is `<category>/<random name>`; the client's file name never reaches storage.
 */
export interface FileStorage {
  stage(source: Readable): Promise<StagedFile>;
  /** Streams staged bytes (for type detection). */
  readStaged(token: string): Readable;
  /** Moves staged bytes under `key`; afterwards the token is spent. */
  commit(token: string, key: string): Promise<void>;
  /** Drops staged bytes; a spent or unknown token is ignored. */
  discard(token: string): Promise<void>;
  /** Opens stored bytes (all, or one range); rejects (ENOENT) when they are missing, before anything is streamed. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes stored bytes; a missing key is ignored. */
  remove(key: string): Promise<void>;
}
