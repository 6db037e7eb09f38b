import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import type { Session } from './http.ts';
import type { ConfigInput } from '../../src/config.ts';
import { createAdmin, startTestServer, type TestServer } from './testServer.ts';

export { createAdmin };

export async function createBoard(server: TestServer, admin: Session, body: Record<string, unknown>) {
  const res = await server.http.post('/boards', body, admin.access_token);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: number; name: string };
}

export async function createPost(
  server: TestServer,
  who: Session,
  boardId: number,
  title = 'A title',
  body = 'A body',
) {
  const res = await server.http.post(`/boards/${boardId}/posts`, { title, body }, who.access_token);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: number; title: string };
}

/**
 * A test server with an admin (named `adminName`), alice and bob signed in, and one board the admin made.
 */
export async function startBoardWorld(settings: ConfigInput, adminName: string, boardName: string) {
  const server = await startTestServer(settings);
  const admin = await createAdmin(server, adminName);
  const alice = await server.http.signUp('alice');
  const bob = await server.http.signUp('bob');
  const board: { id: number } = await createBoard(server, admin, { name: boardName });
  return { server, admin, alice, bob, board };
}

/** Every file under DATA_DIR/uploads, relative, staging included. */
export function storedFiles(server: TestServer): string[] {
  const root = path.join(server.config.DATA_DIR, 'uploads');
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .sort();
}

/** A multipart request with real files, as a browser would send it. */
export function form(field: string, files: { name: string; bytes: Uint8Array | string; type?: string }[]): FormData {
  const data = new FormData();
  for (const f of files)
    data.append(field, new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
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

/** A zip of uncompressed entries, in order (enough for type detection). */
export function storedZip(entries: { name: string; data: string | Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = Buffer.from(entry.data);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** An HWPX package as Hangul writes it: `mimetype` first and stored, then the OWPML parts. */
export const HWPX_BYTES = storedZip([
  { name: 'mimetype', data: 'application/hwp+zip' },
  {
    name: 'version.xml',
    data: '<?xml version="1.0" encoding="UTF-8"?><hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version"/>',
  },
  {
    name: 'Contents/content.hpf',
    data: '<?xml version="1.0" encoding="UTF-8"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/"/>',
  },
]);

/** The parts of an HWP 5 compound file that identify it: the CFB signature, a `FileHeader` directory entry and its signature. */
export const HWP_BYTES = (() => {
  const file = Buffer.alloc(2048);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(file, 0);
  file.writeUInt16LE(0x3e, 24);
  file.writeUInt16LE(0xfffe, 28);
  file.writeUInt16LE(9, 30);
  Buffer.from('Root Entry', 'utf16le').copy(file, 512);
  Buffer.from('FileHeader', 'utf16le').copy(file, 640);
  Buffer.from('HWP Document File', 'latin1').copy(file, 1536);
  return file;
})();

/** A compound file of some other program (a legacy .doc, say): no HWP markers. */
export const CFB_BYTES = (() => {
  const file = Buffer.from(HWP_BYTES);
  file.fill(0, 512);
  Buffer.from('WordDocument', 'utf16le').copy(file, 640);
  return file;
})();
