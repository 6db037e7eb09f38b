import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SCRIPT = path.join(import.meta.dirname, 'start-sshd.sh');
const DIR = process.env.PLAZA_SSHD_DIR ?? '/tmp/plaza-sshd';

export interface OpenSshPeers {
  serversFile: string;
  dir: string;
  /** Stops (`stop`) or starts (`start`) one instance, e.g. to make health flip. */
  control(action: 'start' | 'stop', which: 'a' | 'b'): void;
  /** Stops both instances if these tests started them (servers started outside are left running). */
  release(): void;
}

/**
 * Why the OpenSSH tests cannot run here, or null when they can: they need either servers already
 * started by test/helpers/start-sshd.sh (PLAZA_SSHD_SERVERS_FILE, or its default directory) or sshd
 * installed and root, so the tests can start them.
 */
export function openSshUnavailable(): string | null {
  if (process.env.PLAZA_SSHD_SERVERS_FILE) return null;
  if (!['/usr/sbin/sshd', '/usr/bin/sshd'].some((p) => fs.existsSync(p))) {
    return 'OpenSSH sshd is not installed (apt-get install -y openssh-server, then test/helpers/start-sshd.sh)';
  }
  if (process.getuid?.() !== 0)
    return 'starting sshd test servers needs root (or run test/helpers/start-sshd.sh as root first)';
  return null;
}

/** Starts (or reuses) the two loopback sshd instances and exports the password the servers file names. */
export function startOpenSsh(): OpenSshPeers {
  const env = { ...process.env, PLAZA_SSHD_DIR: DIR };
  let serversFile = process.env.PLAZA_SSHD_SERVERS_FILE;
  const startedHere = !serversFile;
  if (!serversFile) serversFile = execFileSync(SCRIPT, ['start'], { env, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const dir = path.dirname(serversFile);
  process.env.PLAZA_SSHD_PASSWORD ??= fs.readFileSync(path.join(dir, 'password'), 'utf8').trim();
  return {
    serversFile,
    dir,
    control: (action, which) =>
      void execFileSync(SCRIPT, [action, which], { env: { ...env, PLAZA_SSHD_DIR: dir }, encoding: 'utf8' }),
    release: () => {
      if (startedHere)
        execFileSync(SCRIPT, ['stop', 'all'], { env: { ...env, PLAZA_SSHD_DIR: dir }, encoding: 'utf8' });
    },
  };
}
