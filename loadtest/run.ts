/**
 * `npm run loadtest -- --clients N [--processes P] [--rate R] [--endpoint ws://127.0.0.1:2567]`:
 * creates the load-test chat group, then starts P @colyseus/loadtest processes of N/P bots each.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    processes: { type: 'string' },
    rate: { type: 'string', default: '0.5' },
    endpoint: { type: 'string', default: 'ws://127.0.0.1:2567' },
  },
});
const clients = Number(values.clients);
const processes = Number(values.processes ?? Math.max(1, Math.ceil(clients / 250)));
const http = values.endpoint.replace(/^ws/, 'http');
const run = `${process.pid}`;

async function post(path: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(http + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} → ${res.status} ${await res.text()}`);
  return res.json();
}

const owner = `lt_owner_${run}`;
await post('/auth/register', { username: owner, email: `${owner}@load.test`, password: `${owner}-password` });
const { access_token } = await post('/auth/login', { login: owner, password: `${owner}-password` });
const group = await post('/chat/groups', { name: `load test ${run}`, visibility: 'open' }, access_token);
console.log(`group ${group.id}; ${clients} bots over ${processes} processes; ${os.cpus().length} cores`);

const per = Math.ceil(clients / processes);
for (let p = 0; p < processes; p++) {
  const n = Math.min(per, clients - p * per);
  if (n <= 0) break;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'loadtest/scenario.ts',
      '--endpoint',
      values.endpoint,
      '--room',
      'chat',
      '--numClients',
      String(n),
      '--rate',
      values.rate,
      '--group',
      String(group.id),
      '--prefix',
      `lt${run}p${p}`,
      '--output',
      `loadtest/loadtest-${p}.log`,
    ],
    { stdio: p === 0 ? 'inherit' : 'ignore' },
  );
  child.on('exit', (code) => console.log(`loadtest process ${p} exited (${code})`));
}
