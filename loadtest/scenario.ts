/**
 * @colyseus/loadtest scenario: each bot registers and signs in over REST, joins its `home` and the
 * load-test chat group, then chats at a set rate. Run through loadtest/run.ts, which spreads bots over
 * several processes (one loadtest process saturates near 300 connections):
 *
 *   npm run loadtest -- --clients 200 --rate 0.5 --endpoint ws://127.0.0.1:2567
 *
 * The server must allow many sign-ups from one IP: start it with AUTH_RATE_PER_IP=100000 AUTH_RATE_PER_ACCOUNT=100000.
 */
import { parseArgs } from 'node:util';
import { cli, type Options } from '@colyseus/loadtest';
import { Client } from '@colyseus/sdk';

const { values } = parseArgs({
  strict: false,
  options: { rate: { type: 'string' }, group: { type: 'string' }, prefix: { type: 'string' } },
});
const rate = Number(values.rate ?? 0.5); // messages per second per bot
const groupId = Number(values.group);
const prefix = String(values.prefix ?? `bot${process.pid}`);

async function rest(base: string, path: string, body: unknown, token?: string) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok && res.status !== 409) throw new Error(`${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

cli(async (options: Options) => {
  const http = options.endpoint.replace(/^ws/, 'http');
  const username = `${prefix}_${options.clientId}`.slice(0, 32);
  const password = `${username}-load-password`;
  await rest(http, '/auth/register', { username, email: `${username}@load.test`, password });
  const { access_token } = await rest(http, '/auth/login', { login: username, password });
  const client = new Client(options.endpoint);
  client.auth.token = access_token;
  await client.joinOrCreate('home');
  if (!groupId) return;
  await rest(http, `/chat/groups/${groupId}/join`, undefined, access_token);
  const chat = await client.joinOrCreate('chat', { groupId });
  chat.onMessage('*', () => undefined);
  if (rate > 0) {
    const timer = setInterval(() => chat.send('msg', { text: `load ${username} ${Date.now()}` }), 1000 / rate);
    chat.onLeave(() => clearInterval(timer));
  }
});
