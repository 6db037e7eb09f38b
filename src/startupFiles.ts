import path from 'node:path';
import { sshSecretLookup, type Config } from './config.ts';
import type { FileStorage } from './domain/files/FileStorage.ts';
import { resolveJwtSecret } from './infra/jwtSecret.ts';
import { EMPTY_SERVERS, loadServersFile, type SshServersConfig } from './infra/ssh/serversFile.ts';
import { LocalDiskStorage } from './infra/storage/LocalDiskStorage.ts';

/** What the services need from DATA_DIR and the servers file, read before they are built. */
export interface StartupFiles {
  /** JWT_SECRET, or DATA_DIR/jwt-secret (created on the first start). */
  jwtSecret: string;
  /** SSH targets and transfers from SSH_SERVERS_FILE (none for the CLI, which runs no commands). */
  sshServers: SshServersConfig;
  /** Uploads under DATA_DIR/uploads, with what a crash left in staging swept. */
  fileStorage: FileStorage;
}

/**
 * Reads and prepares the files the services stand on, so that building them does no I/O. The server
 * reads the SSH servers file; the CLI does not need it (creating an admin must work without it).
 */
export function readStartupFiles(config: Config, options: { sshServers: boolean }): StartupFiles {
  return {
    jwtSecret: resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR),
    sshServers: options.sshServers ? loadServersFile(config.SSH_SERVERS_FILE, sshSecretLookup()) : EMPTY_SERVERS,
    fileStorage: LocalDiskStorage.open(path.join(config.DATA_DIR, 'uploads')),
  };
}
