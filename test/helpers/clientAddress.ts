import http from 'node:http';
import type { HttpResponse } from './http.ts';

/**
 * A JSON request to a test server sent from another loopback address (127.0.0.2, 127.0.0.3, ...), so the
 * server sees a different client address, as it would for another office or another attacker.
 */
export function postFrom<T = any>(
  baseUrl: string,
  address: string,
  path: string,
  body: unknown,
): Promise<HttpResponse<T>> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, baseUrl),
      {
        method: 'POST',
        localAddress: address,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') headers.set(name, value);
          const json = (res.headers['content-type'] ?? '').includes('json') && text;
          resolve({ status: res.statusCode ?? 0, body: (json ? JSON.parse(text) : text) as T, headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
