import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { RequestContext } from '@mikro-orm/core';
import type { Session } from './http.ts';
import type { TestServer } from './testServer.ts';

/** Admins are never created over the API: register one through the domain, then sign in over HTTP. */
export async function createAdmin(server: TestServer, username: string): Promise<Session> {
  const user = await RequestContext.create(server.services.orm.em, () =>
    server.services.auth.register({ username, email: `${username}@example.test`, password: `${username}-password`, role: 'admin' }),
  );
  return { id: user.id, username, ...(await server.http.signIn(username)) };
}

export async function createBoard(server: TestServer, admin: Session, body: Record<string, unknown>) {
  const res = await server.http.post('/boards', body, admin.access_token);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: number; name: string };
}

export async function createPost(server: TestServer, who: Session, boardId: number, title = 'A title', body = 'A body') {
  const res = await server.http.post(`/boards/${boardId}/posts`, { title, body }, who.access_token);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: number; title: string };
}

/** A multipart request with real files, as a browser would send it. */
export function form(field: string, files: { name: string; bytes: Uint8Array | string; type?: string }[]): FormData {
  const data = new FormData();
  for (const f of files) data.append(field, new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
  return data;
}

export function upload(server: TestServer, path: string, data: FormData, token?: string) {
  return server.http.request('POST', path, { raw: data, token });
}

/** A valid 1x1 PNG. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** A minimal PDF header is enough for type detection. */
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

/** Every file under DATA_DIR/uploads, relative, staging included. */
export function storedFiles(server: TestServer): string[] {
  const root = path.join(server.config.DATA_DIR, 'uploads');
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .sort();
}
