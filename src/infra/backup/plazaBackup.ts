import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import type { DatabaseTarget } from '../../db/openDatabase.ts';
import { PLAZA_VERSION } from '../../version.ts';
import {
  BackupError,
  DATABASE_FILE,
  restoreDatabase,
  verifyDatabaseFile,
  type DatabaseDumper,
} from './databaseBackup.ts';

/** Backups are `<name>.backup.tar.gz` in BACKUP_DIR. */
export const BACKUP_SUFFIX = '.backup.tar.gz';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MANIFEST = 'manifest.json';
const UPLOADS = 'uploads';
const JWT_SECRET = 'jwt-secret';

/** What a backup holds, written into it as manifest.json. */
export interface BackupManifest {
  format: 1;
  plaza_version: string;
  created_at: string;
  database: DatabaseTarget['kind'];
  /** Exact row count of every table when the backup was taken. */
  tables: Record<string, number>;
  uploads: { files: number; bytes: number };
  jwt_secret: boolean;
}

export interface BackupInfo {
  name: string;
  file: string;
  bytes: number;
  created_at: string;
}

/** Where a server's state lives: the database, and DATA_DIR with its uploads and jwt-secret file. */
export interface BackupPlace {
  target: DatabaseTarget;
  dataDir: string;
  backupDir: string;
}

/**
 * A full backup: the database (through `dump`), the uploads and the jwt-secret file, in one gzip tar
 * with a manifest. It is written beside its final name and renamed into place, so a listed backup is
 * always whole.
 */
export async function createBackup(
  place: BackupPlace,
  dump: DatabaseDumper,
  options: { name?: string; now?: Date } = {},
): Promise<BackupInfo> {
  const now = options.now ?? new Date();
  const name = options.name ?? `plaza-${now.toISOString().replace(/[:.]/g, '-')}`;
  if (!NAME.test(name)) throw new BackupError(`--name must be 1-64 letters, digits, '.', '_' or '-' (got "${name}")`);
  fs.mkdirSync(place.backupDir, { recursive: true, mode: 0o700 });
  const file = path.join(place.backupDir, `${name}${BACKUP_SUFFIX}`);
  if (fs.existsSync(file)) throw new BackupError(`A backup named "${name}" already exists: ${file}`);
  const staging = fs.mkdtempSync(path.join(place.backupDir, '.staging-'));
  try {
    const tables = await dump(path.join(staging, DATABASE_FILE[place.target.kind]));
    const entries = [MANIFEST, DATABASE_FILE[place.target.kind]];
    const uploads = path.join(place.dataDir, UPLOADS);
    let stats = { files: 0, bytes: 0 };
    if (fs.existsSync(uploads)) {
      // Linked, not copied: tar follows the link and reads the files once.
      fs.symlinkSync(path.resolve(uploads), path.join(staging, UPLOADS));
      stats = treeStats(uploads);
      entries.push(UPLOADS);
    }
    const secret = path.join(place.dataDir, JWT_SECRET);
    const hasSecret = fs.existsSync(secret);
    if (hasSecret) {
      fs.copyFileSync(secret, path.join(staging, JWT_SECRET));
      entries.push(JWT_SECRET);
    }
    const manifest: BackupManifest = {
      format: 1,
      plaza_version: PLAZA_VERSION,
      created_at: now.toISOString(),
      database: place.target.kind,
      tables,
      uploads: stats,
      jwt_secret: hasSecret,
    };
    fs.writeFileSync(path.join(staging, MANIFEST), JSON.stringify(manifest, null, 2));
    const partial = path.join(staging, 'archive.partial');
    await tar.create({ gzip: true, file: partial, cwd: staging, follow: true, portable: true }, entries);
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, file);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return describe(file);
}

/** Backups in `backupDir`, newest first. */
export function listBackups(backupDir: string): BackupInfo[] {
  if (!fs.existsSync(backupDir)) return [];
  return fs
    .readdirSync(backupDir)
    .filter((name) => name.endsWith(BACKUP_SUFFIX))
    .map((name) => describe(path.join(backupDir, name)))
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.file.localeCompare(a.file));
}

/** Deletes the oldest backups beyond the newest `keep`; returns the deleted files. */
export function pruneBackups(backupDir: string, keep: number): string[] {
  const old = listBackups(backupDir).slice(keep);
  for (const b of old) fs.rmSync(b.file, { force: true });
  return old.map((b) => b.file);
}

/** A path to a backup file, or a bare name found in `backupDir` (with or without its suffix). */
export function findBackup(backupDir: string, given: string): string {
  const candidates = [given, path.join(backupDir, given), path.join(backupDir, `${given}${BACKUP_SUFFIX}`)];
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!found) throw new BackupError(`No backup file at ${given} (nor a backup named "${given}" in ${backupDir}).`);
  return found;
}

/** An opened, checked archive: its manifest and where its parts were unpacked. */
export interface OpenedBackup {
  file: string;
  manifest: BackupManifest;
  dir: string;
  close(): void;
}

/**
 * Unpacks a backup into a scratch directory beside `backupDir` and checks it: the manifest, the kind
 * of database it holds against `target`, and the database part itself. Changes nothing else.
 */
export async function openBackup(file: string, target: DatabaseTarget, backupDir: string): Promise<OpenedBackup> {
  fs.mkdirSync(backupDir, { recursive: true, mode: 0o700 });
  const dir = fs.mkdtempSync(path.join(backupDir, '.restore-'));
  const close = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    try {
      await tar.extract({ file, cwd: dir, strict: true });
    } catch (err) {
      throw new BackupError(`${path.basename(file)} is not a readable Plaza backup: ${(err as Error).message}`);
    }
    const manifestFile = path.join(dir, MANIFEST);
    if (!fs.existsSync(manifestFile))
      throw new BackupError(`${path.basename(file)} is not a Plaza backup (no manifest).`);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
    if (manifest.database !== target.kind) {
      throw new BackupError(
        `${path.basename(file)} holds a ${manifest.database} database; this Plaza runs on ${target.kind}. ` +
          'Restore it into a Plaza configured the same way (DATABASE_URL set or not).',
      );
    }
    const database = path.join(dir, DATABASE_FILE[manifest.database]);
    if (!fs.existsSync(database)) throw new BackupError(`${path.basename(file)} has no database part.`);
    try {
      await verifyDatabaseFile(manifest.database, database);
    } catch (err) {
      throw new BackupError(`The database in ${path.basename(file)} cannot be read: ${(err as Error).message}`);
    }
    return { file, manifest, dir, close };
  } catch (err) {
    close();
    throw err;
  }
}

/** What a restore of `backup` would replace, in words for the operator. */
export function describeRestore(backup: OpenedBackup, place: BackupPlace): string {
  const m = backup.manifest;
  const where =
    place.target.kind === 'pglite'
      ? `the embedded database in ${place.target.dataDir}`
      : 'the PostgreSQL database in DATABASE_URL';
  const current = path.join(place.dataDir, UPLOADS);
  const currentFiles = fs.existsSync(current) ? treeStats(current).files : 0;
  const tables = Object.entries(m.tables)
    .map(([name, rows]) => `    ${name.padEnd(32)} ${String(rows).padStart(10)} rows`)
    .join('\n');
  return [
    `Backup ${backup.file}`,
    `  taken ${m.created_at} by Plaza ${m.plaza_version}; archive checked, database readable.`,
    `Would replace ${where} with ${Object.keys(m.tables).length} tables:`,
    tables,
    `Would replace ${current} (${currentFiles} files now) with ${m.uploads.files} files (${m.uploads.bytes} bytes).`,
    m.jwt_secret
      ? `Would replace ${path.join(place.dataDir, JWT_SECRET)}: tokens issued before the backup are accepted again (unless JWT_SECRET is set).`
      : 'The backup has no jwt-secret file (JWT_SECRET was set): tokens depend on JWT_SECRET.',
  ].join('\n');
}

/**
 * Restores an opened backup: the database, then the uploads and the jwt-secret file. Everything
 * replaced is kept beside it as `<name>.before-restore-<time>`.
 */
export async function restoreBackup(backup: OpenedBackup, place: BackupPlace): Promise<string[]> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const kept: string[] = [];
  const result = await restoreDatabase(place.target, path.join(backup.dir, DATABASE_FILE[backup.manifest.database]));
  if (result.keptPrevious) kept.push(result.keptPrevious);
  fs.mkdirSync(place.dataDir, { recursive: true });
  for (const part of [UPLOADS, JWT_SECRET]) {
    const from = path.join(backup.dir, part);
    if (!fs.existsSync(from)) continue;
    const to = path.join(place.dataDir, part);
    if (fs.existsSync(to)) {
      const aside = `${to}.before-restore-${stamp}`;
      fs.renameSync(to, aside);
      kept.push(aside);
    }
    fs.cpSync(from, to, { recursive: true, preserveTimestamps: true });
    if (part === JWT_SECRET) fs.chmodSync(to, 0o600);
  }
  return kept;
}

function treeStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

function describe(file: string): BackupInfo {
  const stat = fs.statSync(file);
  return {
    name: path.basename(file).slice(0, -BACKUP_SUFFIX.length),
    file,
    bytes: stat.size,
    created_at: stat.mtime.toISOString(),
  };
}
