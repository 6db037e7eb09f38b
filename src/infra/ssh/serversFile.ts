import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import YAML from 'yaml';
import { z } from 'zod';
import type { SshTargetInfo, SshTransferInfo } from '../../domain/ssh/ports.ts';

/** Thrown for an unreadable or invalid servers file; the message never contains a secret value. */
export class ServersFileError extends Error {
  override name = 'ServersFileError';
}

const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'letters, digits, . _ - (max 64)');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/i, 'an environment variable name');

const ServerSchema = z.object({
  name,
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  host_key_fingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'an OpenSSH fingerprint like SHA256:abc... (43 base64 characters)'),
  auth: z.union([
    z.object({ password_env: envName }).strict(),
    z.object({ private_key_path: z.string().min(1), passphrase_env: envName.optional() }).strict(),
  ]),
});

const TransferSchema = z.object({
  name,
  source: z.object({ server: name, path: z.string().min(1) }),
  destination: z.object({ server: name, path: z.string().min(1) }),
});

const FileSchema = z.object({
  servers: z.array(ServerSchema).default([]),
  transfers: z.array(TransferSchema).default([]),
});

/**
 * A target's credentials. The values live in private fields, so logging, JSON-serialising or
 * inspecting a target never shows them.
 */
export class SshCredentials {
  readonly #password?: string;
  readonly #privateKey?: Buffer;
  readonly #passphrase?: string;

  constructor(secrets: { password?: string; privateKey?: Buffer; passphrase?: string }) {
    this.#password = secrets.password;
    this.#privateKey = secrets.privateKey;
    this.#passphrase = secrets.passphrase;
  }

  /** The ssh2 connect options that carry the secret; handed straight to ssh2 and nowhere else. */
  connectOptions(): { password?: string; privateKey?: Buffer; passphrase?: string } {
    return this.#password !== undefined
      ? { password: this.#password }
      : { privateKey: this.#privateKey, passphrase: this.#passphrase };
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SshCredentials [redacted]';
  }
}

export interface SshTarget extends SshTargetInfo {
  hostKeyFingerprint: string;
  credentials: SshCredentials;
}

export interface SshServersConfig {
  targets: SshTarget[];
  transfers: SshTransferInfo[];
}

export const EMPTY_SERVERS: SshServersConfig = { targets: [], transfers: [] };

/**
 * Reads the servers file (JSON or YAML), validates it and resolves every secret once: passwords and
 * passphrases from the environment variables it names (through `lookup`), private keys from disk.
 */
export function loadServersFile(
  file: string | undefined,
  lookup: (name: string) => string | undefined,
): SshServersConfig {
  if (!file) return EMPTY_SERVERS;
  let raw: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    raw = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ServersFileError(`SSH_SERVERS_FILE ${file}: cannot read it (${(err as Error).message})`);
  }
  const parsed = FileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ServersFileError(`SSH_SERVERS_FILE ${file} is invalid:\n${lines.join('\n')}`);
  }
  const { servers, transfers } = parsed.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of servers) {
    if (seen.has(s.name)) problems.push(`servers: duplicate name ${s.name}`);
    seen.add(s.name);
  }
  const targets = servers.map((s): SshTarget => {
    let credentials: SshCredentials;
    if ('password_env' in s.auth) {
      const password = lookup(s.auth.password_env);
      if (password === undefined)
        problems.push(`servers.${s.name}.auth: environment variable ${s.auth.password_env} is not set`);
      credentials = new SshCredentials({ password });
    } else {
      const keyPath = path.resolve(path.dirname(file), s.auth.private_key_path);
      let privateKey: Buffer | undefined;
      try {
        privateKey = fs.readFileSync(keyPath);
      } catch (err) {
        problems.push(
          `servers.${s.name}.auth: cannot read private key ${keyPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      const passphrase = s.auth.passphrase_env ? lookup(s.auth.passphrase_env) : undefined;
      if (s.auth.passphrase_env && passphrase === undefined) {
        problems.push(`servers.${s.name}.auth: environment variable ${s.auth.passphrase_env} is not set`);
      } else if (privateKey && ssh2.utils.parseKey(privateKey, passphrase) instanceof Error) {
        problems.push(
          `servers.${s.name}.auth: cannot use private key ${keyPath} (not a supported key, or the passphrase is wrong or missing)`,
        );
      }
      credentials = new SshCredentials({ privateKey, passphrase });
    }
    return {
      name: s.name,
      host: s.host,
      port: s.port,
      username: s.username,
      hostKeyFingerprint: s.host_key_fingerprint,
      credentials,
    };
  });
  const tnames = new Set<string>();
  for (const t of transfers) {
    if (tnames.has(t.name)) problems.push(`transfers: duplicate name ${t.name}`);
    tnames.add(t.name);
    for (const end of ['source', 'destination'] as const) {
      if (!seen.has(t[end].server))
        problems.push(`transfers.${t.name}.${end}.server: no server named ${t[end].server}`);
    }
  }
  if (problems.length)
    throw new ServersFileError(`SSH_SERVERS_FILE ${file} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { targets, transfers };
}
