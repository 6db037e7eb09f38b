import { expect } from 'chai';
import { RequestContext } from '@mikro-orm/core';
import type { HttpClient } from './http.ts';
import type { TestServer } from './testServer.ts';
import { seededRng } from './fuzz.ts';
import { eventually } from './eventually.ts';

/** The ground truth of the generated training data: y = 4x0 + 5x1 + 2x2 + 7x3 + 0.1x4 + 15x5 + 0.05x6 + x7. */
export const SEED_COEFFICIENTS = [4, 5, 2, 7, 0.1, 15, 0.05, 1];

/** CSV with columns x0..x7,y from the seed formula plus Gaussian noise of standard deviation `noise`. */
export function seedCsv(rows: number, noise = 0.1, seed = 3): string {
  const random = seededRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lines = [[...SEED_COEFFICIENTS.map((_, i) => `x${i}`), 'y'].join(',')];
  for (let r = 0; r < rows; r++) {
    const x = SEED_COEFFICIENTS.map(() => Math.round(random() * 10_000) / 1000);
    const y = x.reduce((sum, v, i) => sum + v * SEED_COEFFICIENTS[i], 0) + noise * gaussian();
    lines.push([...x, y.toFixed(6)].join(','));
  }
  return lines.join('\n');
}

const TERMINAL = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** Polls GET /ai/jobs/:id until `until(job)` holds (default: a terminal status). */
export async function waitForJob(
  http: HttpClient,
  token: string,
  id: number,
  until: (job: any) => boolean = (j) => TERMINAL.includes(j.status),
  timeoutMs = 20_000,
) {
  let last: any;
  return eventually(
    async () => {
      const res = await http.get(`/ai/jobs/${id}`, token);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      last = res.body;
      return until(res.body) ? res.body : undefined;
    },
    () => `job ${id} to leave status ${last?.status} (progress ${last?.progress})`,
    timeoutMs,
    50,
  );
}

/** Submits a job and expects 202. */
export async function submitJob(http: HttpClient, token: string, body: Record<string, unknown>) {
  const res = await http.post('/ai/jobs', body, token);
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  expect(res.body.status).to.equal('queued');
  return res.body as { id: number; status: string };
}

/** Admins are never created over the API: register one through the domain, then sign in. */
export async function adminSession(server: TestServer, username: string) {
  await RequestContext.create(server.services.orm.em, () =>
    server.services.auth.register({
      username,
      email: `${username}@example.test`,
      password: `${username}-password`,
      role: 'admin',
    }),
  );
  return server.http.signIn(username);
}
