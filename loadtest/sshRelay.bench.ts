/**
 * SFTP relay benchmark: Plaza's transfer (ssh2 SFTP read on server A → sha256 → SFTP write on server B,
 * then sha256sum on B) against OpenSSH's own `scp -3` between the same two servers (the raw baseline:
 * native code, no checksum). Interleaved rounds; reports each median, the ratio, and Plaza's CPU per MiB.
 *
 *   sudo test/helpers/start-sshd.sh start            # two sshd on 127.0.0.1:2222/2223
 *   PLAZA_SSHD_PASSWORD=$(cat /tmp/plaza-sshd/password) npx tsx loadtest/sshRelay.bench.ts [MiB] [rounds]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { sshSecretLookup } from '../src/config.ts';
import { loadServersFile } from '../src/infra/ssh/serversFile.ts';
import { Ssh2Gateway } from '../src/infra/ssh/Ssh2Gateway.ts';

const dir = process.env.PLAZA_SSHD_DIR ?? '/tmp/plaza-sshd';
const mib = Number(process.argv[2] ?? 32);
const rounds = Number(process.argv[3] ?? 3);
const servers = loadServersFile(path.join(dir, 'servers.yaml'), sshSecretLookup());
const transfer = servers.transfers[0];
const [a, b] = servers.targets;
fs.writeFileSync(transfer.source.path, randomBytes(mib * 1024 * 1024));

const gateway = new Ssh2Gateway(servers, { connectTimeoutMs: 10_000, idleMs: 60_000, log: pino({ level: 'silent' }) });
const knownHosts = path.join(dir, 'bench_known_hosts');
fs.writeFileSync(
  knownHosts,
  [a, b]
    .map(
      (t) =>
        `[${t.host}]:${t.port} ${fs
          .readFileSync(path.join(dir, `hostkey_${t === a ? 'a' : 'b'}.pub`), 'utf8')
          .split(' ')
          .slice(0, 2)
          .join(' ')}`,
    )
    .join('\n') + '\n',
);

async function plaza(): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await gateway.transfer({ transfer, signal: new AbortController().signal, onProgress: () => {} });
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

function scp3(): number {
  const t = performance.now();
  execFileSync('scp', [
    '-3',
    '-q',
    '-i',
    path.join(dir, 'id_ed25519'),
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'BatchMode=yes',
    `scp://${a.username}@${a.host}:${a.port}/${transfer.source.path}`,
    `scp://${b.username}@${b.host}:${b.port}/${transfer.destination.path}.scp`,
  ]);
  return performance.now() - t;
}

await plaza(); // warm the pooled connections
const plazaMs: number[] = [];
const plazaCpu: number[] = [];
const scpMs: number[] = [];
for (let i = 0; i < rounds; i++) {
  const p = await plaza();
  plazaMs.push(p.ms);
  plazaCpu.push(p.cpuMs);
  scpMs.push(scp3());
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify({
    file_mib: mib,
    rounds,
    plaza_median_ms: Math.round(median(plazaMs)),
    scp3_median_ms: Math.round(median(scpMs)),
    plaza_over_scp3: +(median(plazaMs) / median(scpMs)).toFixed(2),
    plaza_cpu_ms_per_mib: +(median(plazaCpu) / mib).toFixed(1),
  }),
);
await gateway.close();
