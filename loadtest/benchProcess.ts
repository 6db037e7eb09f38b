/** What every benchmark needs about the processes it measures. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';

/** CPU time (user + system) a process has used so far, in ms, from /proc (100 Hz ticks). */
export function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Resident memory of a process, in bytes, from /proc. */
export function rssBytes(pid: number): number {
  const pages = Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return pages * 4096;
}

/** Waits until Plaza at `url` answers /ready (up to two minutes: a first start initialises its database). */
export async function waitReady(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (i > 600) throw new Error(`Plaza at ${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The machine's load averages (1, 5, 15 min), for the record every figure needs. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** Node's arguments to run a TypeScript file as `npm start` does. */
export const tsxArgs = ['--import', 'tsx'];

/**
 * Starts Plaza (`src/main.ts`) as one process on loopback `port`, without Redis unless `env` names one;
 * `env` (database, data directory, secrets, limits) goes on top, `nodeArgs` (profiling) before the script.
 */
export function spawnPlaza(options: {
  port: number;
  env: Record<string, string | undefined>;
  nodeArgs?: string[];
  stdout?: 'ignore' | number;
}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), ...tsxArgs, 'src/main.ts'], {
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
    env: { ...process.env, REDIS_URL: '', HOST: '127.0.0.1', PORT: String(options.port), ...options.env },
  });
}

/** The baseline servers a bench can start besides Plaza: bare `ws`, and bare Colyseus (loadtest/*Server.ts). */
export const baselineScripts = {
  raw: 'loadtest/rawWsServer.ts',
  colyseus: 'loadtest/bareColyseusServer.ts',
} as const;

/**
 * Starts a baseline server (`baselineScripts`) as its own process; it listens on a free loopback port,
 * reports it over IPC, and exits when this process goes.
 */
export async function forkBaseline(
  kind: keyof typeof baselineScripts,
): Promise<{ child: ChildProcess; port: number; url: string }> {
  const child = fork(baselineScripts[kind], [], { execArgv: tsxArgs, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${baselineScripts[kind]} exited (${code}) before listening`)));
  });
  return { child, port, url: `ws://127.0.0.1:${port}` };
}

/**
 * Sends `msg` to a driver process and resolves with its first answer whose `cmd` is `reply`; rejects
 * when it answers `{ cmd: 'error', message }` instead.
 */
export function request(child: ChildProcess, msg: object, reply: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { cmd: string; message?: string }) => {
      if (m.cmd !== reply && m.cmd !== 'error') return;
      child.off('message', onMessage);
      if (m.cmd === 'error') reject(new Error(m.message));
      else resolve(m);
    };
    child.on('message', onMessage);
    child.send(msg);
  });
}

/** The p-th percentile (nearest rank) of an ascending array; NaN when it is empty. */
export const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
