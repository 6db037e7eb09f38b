import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { generateSshKey } from './sshKeys.ts';
import { SshTestPeer } from './sshTestPeer.ts';

/** Secrets the SSH tests use; tests assert none of them ever leaves the server. */
export const SSH_SECRETS = {
  password: 'peer-pass-7f3a9c1e',
  passphrase: 'key-phrase-5b2d8e04',
};

export const PASSWORD_ENV = 'PLAZA_TEST_SSH_PASSWORD';
export const PASSPHRASE_ENV = 'PLAZA_TEST_SSH_PASSPHRASE';

/**
 * Two in-process SSH peers (alpha: password auth, beta: key auth with a passphrase), a scratch
 * directory, and a servers file naming them plus a transfer alpha → beta.
 */
export async function startSshPeers() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-ssh-'));
  const key = generateSshKey(SSH_SECRETS.passphrase);
  const keyPath = path.join(dir, 'id_ed25519');
  fs.writeFileSync(keyPath, key.privateKey, { mode: 0o600 });
  const alpha = await new SshTestPeer([{ username: 'ops', password: SSH_SECRETS.password }]).start();
  const beta = await new SshTestPeer([{ username: 'ops', publicKey: key.publicKey }]).start();
  process.env[PASSWORD_ENV] = SSH_SECRETS.password;
  process.env[PASSPHRASE_ENV] = SSH_SECRETS.passphrase;
  const source = path.join(dir, 'source.bin');
  const destination = path.join(dir, 'copied.bin');
  const servers = {
    servers: [
      {
        name: 'alpha',
        host: '127.0.0.1',
        port: alpha.port,
        username: 'ops',
        host_key_fingerprint: alpha.fingerprint,
        auth: { password_env: PASSWORD_ENV },
      },
      {
        name: 'beta',
        host: '127.0.0.1',
        port: beta.port,
        username: 'ops',
        host_key_fingerprint: beta.fingerprint,
        auth: { private_key_path: keyPath, passphrase_env: PASSPHRASE_ENV },
      },
    ],
    transfers: [
      {
        name: 'alpha_to_beta',
        source: { server: 'alpha', path: source },
        destination: { server: 'beta', path: destination },
      },
    ],
  };
  const file = path.join(dir, 'servers.yaml');
  fs.writeFileSync(file, YAML.stringify(servers));
  return {
    dir,
    alpha,
    beta,
    file,
    servers,
    source,
    destination,
    async stop() {
      await alpha.stop();
      await beta.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type SshPeers = Awaited<ReturnType<typeof startSshPeers>>;
