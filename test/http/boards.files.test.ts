import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { expectError, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  createAdmin,
  createBoard,
  createPost,
  form,
  HWP_BYTES,
  HWPX_BYTES,
  PDF_BYTES,
  PNG_1X1,
  storedFiles,
  upload,
} from '../helpers/boards.ts';

const HTML = '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>';
const SVG = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>';

async function fileCount(server: TestServer, admin: Session): Promise<number> {
  return (await server.http.get('/files?mine=0&limit=100', admin.access_token)).body.items.length;
}

describe('files', () => {
  let server: TestServer;
  let admin: Session;
  let alice: Session;
  let bob: Session;

  before(async () => {
    server = await startTestServer({ UPLOAD_MAX_BYTES: '4096', UPLOAD_MAX_FILES: '3' });
    admin = await createAdmin(server, 'fileadmin');
    alice = await server.http.signUp('alice');
    bob = await server.http.signUp('bob');
  });
  after(() => server?.close());

  describe('uploading', () => {
    it('when a PNG is uploaded, then it is typed from its bytes, hashed, and stored under a random name in images/', async () => {
      const res = await upload(
        server,
        '/files',
        form('file', [{ name: 'holiday photo.png', bytes: PNG_1X1, type: 'text/html' }]),
        alice.access_token,
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({
        owner_id: alice.id,
        original_name: 'holiday photo.png',
        size: PNG_1X1.length,
        mime: 'image/png',
        category: 'images',
        sha256: crypto.createHash('sha256').update(PNG_1X1).digest('hex'),
        attached_to: null,
        url: `/files/${res.body.id}`,
      });
      const onDisk = storedFiles(server).filter((f) => f.startsWith('images/'));
      expect(onDisk).to.have.length(1);
      expect(onDisk[0]).to.match(/^images\/[A-Za-z0-9_-]{24}\.png$/);
      expect(onDisk[0]).not.to.contain('holiday');
    });

    it('when it is downloaded, then the bytes come back with nosniff and an inline disposition', async () => {
      const up = await upload(
        server,
        '/files',
        form('file', [{ name: 'dot.png', bytes: PNG_1X1 }]),
        alice.access_token,
      );
      const res = await fetch(`${server.url}/files/${up.body.id}`, {
        headers: { authorization: `Bearer ${alice.access_token}` },
      });
      expect(res.status).to.equal(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(PNG_1X1)).to.equal(true);
      expect(res.headers.get('content-type')).to.equal('image/png');
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('content-disposition')).to.match(/^inline; filename="dot.png"/);
      const forced = await fetch(`${server.url}/files/${up.body.id}?download=1`, {
        headers: { authorization: `Bearer ${alice.access_token}` },
      });
      expect(forced.headers.get('content-disposition')).to.match(/^attachment;/);
    });

    it('when a PDF is named .jpg, then the bytes win: application/pdf in documents/', async () => {
      const res = await upload(
        server,
        '/files',
        form('file', [{ name: 'photo.jpg', bytes: PDF_BYTES, type: 'image/jpeg' }]),
        alice.access_token,
      );
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ mime: 'application/pdf', category: 'documents', original_name: 'photo.jpg' });
    });

    it('when Hangul documents are uploaded, then .hwpx and .hwp are documents stored under their own extensions', async () => {
      for (const [name, bytes, mime, ext] of [
        ['보고서.hwpx', HWPX_BYTES, 'application/hwp+zip', 'hwpx'],
        ['계획.hwp', HWP_BYTES, 'application/x-hwp', 'hwp'],
      ] as const) {
        const before = new Set(storedFiles(server));
        const res = await upload(server, '/files', form('file', [{ name, bytes }]), alice.access_token);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body).to.include({ mime, category: 'documents', original_name: name });
        const added = storedFiles(server).filter((f) => !before.has(f));
        expect(added, name).to.have.length(1);
        expect(added[0]).to.match(new RegExp(`^documents/[A-Za-z0-9_-]{24}\\.${ext}$`));
        const download = await fetch(`${server.url}/files/${res.body.id}`, {
          headers: { authorization: `Bearer ${alice.access_token}` },
        });
        expect(download.headers.get('content-disposition')).to.match(/^attachment;/);
      }
    });

    it('when a file named .png holds HTML, then it is refused as a disallowed type and nothing is kept', async () => {
      const before = storedFiles(server);
      const rows = await fileCount(server, admin);
      const res = await upload(
        server,
        '/files',
        form('file', [{ name: 'cute-cat.png', bytes: HTML, type: 'image/png' }]),
        alice.access_token,
      );
      expectError(res, 415, 42003);
      expect(res.body.error.detail).to.deep.equal({ file: 'cute-cat.png', detected: 'text/html' });
      expect(storedFiles(server)).to.deep.equal(before);
      expect(await fileCount(server, admin)).to.equal(rows);
    });

    it('when file names try path traversal or control characters, then only a harmless last segment is kept', async () => {
      const names = [
        '../../../../etc/passwd.png',
        '..\\..\\windows\\evil.png',
        '...png',
        'a\u202Egnp.exe',
        'line\r\nbreak.png',
      ];
      const res = await upload(
        server,
        '/files/batch',
        form(
          'files',
          names.slice(0, 3).map((name) => ({ name, bytes: PNG_1X1 })),
        ),
        alice.access_token,
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.items.map((f: any) => f.original_name)).to.deep.equal(['passwd.png', 'evil.png', 'png']);
      const more = await upload(
        server,
        '/files/batch',
        form(
          'files',
          names.slice(3).map((name) => ({ name, bytes: PNG_1X1 })),
        ),
        alice.access_token,
      );
      expect(more.body.items.map((f: any) => f.original_name)).to.deep.equal(['agnp.exe', 'linebreak.png']);
      expect(fs.existsSync(path.join(server.config.DATA_DIR, 'etc'))).to.equal(false);
      expect(storedFiles(server).every((f) => /^(images|documents|files)\/[A-Za-z0-9_-]+\.\w+$/.test(f))).to.equal(
        true,
      );
    });

    it('when a name is Korean, then it survives and downloads with an RFC 8187 file name', async () => {
      const up = await upload(
        server,
        '/files',
        form('file', [{ name: '보고서.pdf', bytes: PDF_BYTES }]),
        alice.access_token,
      );
      expect(up.body.original_name).to.equal('보고서.pdf');
      const res = await fetch(`${server.url}/files/${up.body.id}`, {
        headers: { authorization: `Bearer ${alice.access_token}` },
      });
      expect(res.headers.get('content-disposition')).to.contain(`filename*=UTF-8''${encodeURIComponent('보고서.pdf')}`);
    });

    it('when a file is over the size limit, then 413 and neither bytes nor row remain', async () => {
      const before = storedFiles(server);
      const rows = await fileCount(server, admin);
      const big = Buffer.concat([PNG_1X1, Buffer.alloc(8192)]);
      const res = await upload(server, '/files', form('file', [{ name: 'big.png', bytes: big }]), alice.access_token);
      expectError(res, 413, 42002);
      expect(res.body.error.detail).to.deep.equal({ max_bytes: 4096 });
      await eventually(() => storedFiles(server).join() === before.join(), 'staging emptied');
      expect(await fileCount(server, admin)).to.equal(rows);
    });

    it('when a batch has too many files or one bad file, then nothing of it is kept', async () => {
      const before = storedFiles(server);
      const rows = await fileCount(server, admin);
      const four = form(
        'files',
        [1, 2, 3, 4].map((i) => ({ name: `${i}.png`, bytes: PNG_1X1 })),
      );
      expectError(await upload(server, '/files/batch', four, alice.access_token), 413, 42004);
      const mixed = form('files', [
        { name: 'ok.png', bytes: PNG_1X1 },
        { name: 'ok.pdf', bytes: PDF_BYTES },
        { name: 'bad.png', bytes: HTML },
      ]);
      expectError(await upload(server, '/files/batch', mixed, alice.access_token), 415, 42003);
      await eventually(() => storedFiles(server).join() === before.join(), 'staging emptied');
      expect(await fileCount(server, admin)).to.equal(rows);
    });

    it('when an upload is interrupted mid-body, then neither bytes nor row remain', async () => {
      const before = storedFiles(server);
      const rows = await fileCount(server, admin);
      const boundary = 'plazaboundary';
      const req = http.request(`${server.url}/files`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.access_token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': '4000',
        },
      });
      const closed = new Promise((resolve) => req.on('close', resolve));
      req.on('error', () => {});
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.png"\r\nContent-Type: image/png\r\n\r\n`,
      );
      req.write(PNG_1X1);
      req.write(Buffer.alloc(1000));
      await eventually(() => storedFiles(server).some((f) => f.startsWith('.staging/')), 'the upload being staged');
      req.destroy();
      await closed;
      await eventually(() => storedFiles(server).join() === before.join(), 'partial upload removed');
      expect(await fileCount(server, admin)).to.equal(rows);
    });

    it('when the request is not multipart, has no file part or uses another field, then a clear error', async () => {
      expectError(await server.http.post('/files', { file: 'x' }, alice.access_token), 415, 10007);
      const empty = new FormData();
      empty.append('note', 'no file here');
      expectError(await upload(server, '/files', empty, alice.access_token), 422, 42005);
      expectError(
        await upload(server, '/files', form('upload', [{ name: 'a.png', bytes: PNG_1X1 }]), alice.access_token),
        422,
        10001,
      );
      expectError(await upload(server, '/files', form('file', [{ name: 'a.png', bytes: PNG_1X1 }])), 401, 11001);
    });
  });

  describe('listing and deleting', () => {
    it('when I list my files, then I see only mine, newest first, paged; others need admin', async () => {
      await upload(server, '/files', form('file', [{ name: 'bob.png', bytes: PNG_1X1 }]), bob.access_token);
      await upload(server, '/files', form('file', [{ name: 'bob2.png', bytes: PNG_1X1 }]), bob.access_token);
      const first = await server.http.get('/files?mine=1&limit=1', bob.access_token);
      expect(first.body.items.map((f: any) => f.original_name)).to.deep.equal(['bob2.png']);
      const second = await server.http.get(`/files?mine=1&limit=1&cursor=${first.body.next_cursor}`, bob.access_token);
      expect(second.body.items.map((f: any) => f.original_name)).to.deep.equal(['bob.png']);
      expect(second.body.next_cursor).to.equal(null);
      expectError(await server.http.get('/files?mine=0', bob.access_token), 403, 11007);
      const all = await server.http.get('/files?mine=0&limit=100', admin.access_token);
      expect(new Set(all.body.items.map((f: any) => f.owner_id))).to.deep.equal(new Set([alice.id, bob.id]));
    });

    it("when someone reads or deletes another user's unattached file, then 404; the owner deletes it and the bytes go", async () => {
      const up = await upload(
        server,
        '/files',
        form('file', [{ name: 'private.png', bytes: PNG_1X1 }]),
        alice.access_token,
      );
      const before = storedFiles(server);
      expectError(await server.http.get(`/files/${up.body.id}`, bob.access_token), 404, 42001);
      expectError(await server.http.get(`/files/${up.body.id}`), 404, 42001);
      expectError(await server.http.delete(`/files/${up.body.id}`, bob.access_token), 404, 42001);
      expect((await server.http.delete(`/files/${up.body.id}`, alice.access_token)).status).to.equal(204);
      expectError(await server.http.get(`/files/${up.body.id}`, alice.access_token), 404, 42001);
      expect(storedFiles(server)).to.have.length(before.length - 1);
    });

    it('when the stored bytes of a file have gone missing, then 404 rather than a broken download', async () => {
      const before = new Set(storedFiles(server));
      const up = await upload(
        server,
        '/files',
        form('file', [{ name: 'lost.pdf', bytes: PDF_BYTES }]),
        alice.access_token,
      );
      const [key] = storedFiles(server).filter((f) => !before.has(f));
      fs.rmSync(path.join(server.config.DATA_DIR, 'uploads', key));
      expectError(await server.http.get(`/files/${up.body.id}`, alice.access_token), 404, 42001);
    });

    it('when a file is my avatar, then other users may read it; deleting it clears the avatar', async () => {
      const up = await upload(server, '/files', form('file', [{ name: 'me.png', bytes: PNG_1X1 }]), alice.access_token);
      await server.http.patch('/users/me', { avatar_file_id: up.body.id }, alice.access_token);
      expect((await server.http.get(`/files/${up.body.id}`, bob.access_token)).status).to.equal(200);
      expectError(await server.http.delete(`/files/${up.body.id}`, bob.access_token), 403, 42007);
      expect((await server.http.delete(`/files/${up.body.id}`, admin.access_token)).status).to.equal(204);
      expect((await server.http.get('/users/me', alice.access_token)).body.avatar_file_id).to.equal(null);
    });
  });

  describe('attachments', () => {
    let open: { id: number };
    let restricted: { id: number };

    before(async () => {
      open = await createBoard(server, admin, { name: 'Gallery' });
      restricted = await createBoard(server, admin, { name: 'Vault', access: 'restricted' });
      await server.http.put(
        `/boards/${restricted.id}/access/${alice.id}`,
        { read: true, write: true, comment: true, upload: true },
        admin.access_token,
      );
      await server.http.put(
        `/boards/${restricted.id}/access/${bob.id}`,
        { read: true, write: true, comment: true, upload: false },
        admin.access_token,
      );
    });

    it('when the author attaches an image, then it is listed on the post and readable by board readers', async () => {
      const post = await createPost(server, alice, open.id, 'With picture');
      const res = await upload(
        server,
        `/posts/${post.id}/attachments`,
        form('files', [{ name: 'pic.png', bytes: PNG_1X1 }]),
        alice.access_token,
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.items[0]).to.include({ original_name: 'pic.png', mime: 'image/png' });
      expect(res.body.items[0].attached_to).to.deep.equal({ type: 'post', id: post.id });
      const read = await server.http.get(`/posts/${post.id}`, bob.access_token);
      expect(read.body.attachments.map((f: any) => f.id)).to.deep.equal([res.body.items[0].id]);
      const listed = await server.http.get(`/boards/${open.id}/posts`, bob.access_token);
      expect(listed.body.items.find((p: any) => p.id === post.id).attachments).to.have.length(1);
      expect((await server.http.get(`/files/${res.body.items[0].id}`, bob.access_token)).status).to.equal(200);
      expectError(await server.http.delete(`/files/${res.body.items[0].id}`, bob.access_token), 403, 42007);
    });

    it('when someone else attaches to my post, then 403 and nothing is stored', async () => {
      const post = await createPost(server, alice, open.id, 'Mine');
      const before = storedFiles(server);
      const res = await upload(
        server,
        `/posts/${post.id}/attachments`,
        form('files', [{ name: 'x.png', bytes: PNG_1X1 }]),
        bob.access_token,
      );
      expectError(res, 403, 41003);
      expect(storedFiles(server)).to.deep.equal(before);
    });

    it('when a user without upload permission attaches on a restricted board, then 403 upload-forbidden and nothing is stored', async () => {
      const post = await createPost(server, bob, restricted.id, 'No uploads for bob');
      const before = storedFiles(server);
      const rows = await fileCount(server, admin);
      const res = await upload(
        server,
        `/posts/${post.id}/attachments`,
        form('files', [{ name: 'x.png', bytes: PNG_1X1 }]),
        bob.access_token,
      );
      expectError(res, 403, 40006);
      expect(storedFiles(server)).to.deep.equal(before);
      expect(await fileCount(server, admin)).to.equal(rows);
    });

    it('when an attachment lives on a restricted board, then only its readers may download it', async () => {
      const post = await createPost(server, alice, restricted.id, 'Secret plan');
      const up = await upload(
        server,
        `/posts/${post.id}/attachments`,
        form('files', [{ name: 'plan.pdf', bytes: PDF_BYTES }]),
        alice.access_token,
      );
      const carol = await server.http.signUp('carol');
      expectError(await server.http.get(`/files/${up.body.items[0].id}`, carol.access_token), 404, 42001);
      expectError(await server.http.get(`/files/${up.body.items[0].id}`), 404, 42001);
      expect((await server.http.get(`/files/${up.body.items[0].id}`, bob.access_token)).status).to.equal(200);
      await server.http.delete(`/boards/${restricted.id}/access/${bob.id}`, admin.access_token);
      expectError(await server.http.get(`/files/${up.body.items[0].id}`, bob.access_token), 404, 42001);
      await server.http.put(
        `/boards/${restricted.id}/access/${bob.id}`,
        { read: true, write: true, comment: true, upload: false },
        admin.access_token,
      );
    });

    it('when attachments exceed the per-post limit, then 413 and the earlier ones stay', async () => {
      const post = await createPost(server, alice, open.id, 'Album');
      const two = form(
        'files',
        [1, 2].map((i) => ({ name: `${i}.png`, bytes: PNG_1X1 })),
      );
      expect((await upload(server, `/posts/${post.id}/attachments`, two, alice.access_token)).status).to.equal(201);
      const twoMore = form(
        'files',
        [3, 4].map((i) => ({ name: `${i}.png`, bytes: PNG_1X1 })),
      );
      expectError(await upload(server, `/posts/${post.id}/attachments`, twoMore, alice.access_token), 413, 42004);
      expect((await server.http.get(`/posts/${post.id}`, alice.access_token)).body.attachments).to.have.length(2);
    });

    it('when a comment gets an attachment and is deleted, then the attachment goes with it', async () => {
      const post = await createPost(server, bob, open.id, 'Comment files');
      const comment = await server.http.post(`/posts/${post.id}/comments`, { body: 'see file' }, alice.access_token);
      expectError(
        await upload(
          server,
          `/comments/${comment.body.id}/attachments`,
          form('files', [{ name: 'n.png', bytes: PNG_1X1 }]),
          bob.access_token,
        ),
        403,
        41003,
      );
      const up = await upload(
        server,
        `/comments/${comment.body.id}/attachments`,
        form('files', [{ name: 'n.pdf', bytes: PDF_BYTES }]),
        alice.access_token,
      );
      expect(up.status).to.equal(201);
      const list = await server.http.get(`/posts/${post.id}/comments`, bob.access_token);
      expect(list.body.items[0].attachments.map((f: any) => f.id)).to.deep.equal([up.body.items[0].id]);
      const before = storedFiles(server);
      expect((await server.http.delete(`/comments/${comment.body.id}`, alice.access_token)).status).to.equal(204);
      expectError(await server.http.get(`/files/${up.body.items[0].id}`, alice.access_token), 404, 42001);
      expect(storedFiles(server)).to.have.length(before.length - 1);
    });

    it('when a post is deleted, then its attachments and its comments’ attachments are removed', async () => {
      const post = await createPost(server, alice, open.id, 'Doomed');
      const a = await upload(
        server,
        `/posts/${post.id}/attachments`,
        form('files', [{ name: 'a.png', bytes: PNG_1X1 }]),
        alice.access_token,
      );
      const comment = await server.http.post(`/posts/${post.id}/comments`, { body: 'c' }, alice.access_token);
      const c = await upload(
        server,
        `/comments/${comment.body.id}/attachments`,
        form('files', [{ name: 'c.png', bytes: PNG_1X1 }]),
        alice.access_token,
      );
      const before = storedFiles(server);
      expect((await server.http.delete(`/posts/${post.id}`, admin.access_token)).status).to.equal(204);
      expectError(await server.http.get(`/files/${a.body.items[0].id}`, alice.access_token), 404, 42001);
      expectError(await server.http.get(`/files/${c.body.items[0].id}`, alice.access_token), 404, 42001);
      expect(storedFiles(server)).to.have.length(before.length - 2);
    });

    it('when a banned user uploads, then 401 and nothing is stored', async () => {
      const dave = await server.http.signUp('dave');
      await server.http.post(`/admin/users/${dave.id}/ban`, { reason: 'abuse' }, admin.access_token);
      const before = storedFiles(server);
      expectError(
        await upload(server, '/files', form('file', [{ name: 'a.png', bytes: PNG_1X1 }]), dave.access_token),
        401,
        11002,
      );
      expect(storedFiles(server)).to.deep.equal(before);
    });
  });

  describe('the API description', () => {
    it('when /openapi.json is read, then upload routes are documented as multipart/form-data and downloads as binary', async () => {
      const doc = (await server.http.get('/openapi.json')).body;
      for (const route of ['/files', '/files/batch', '/posts/{id}/attachments', '/comments/{id}/attachments']) {
        expect(doc.paths[route].post.requestBody.content, route).to.have.property('multipart/form-data');
      }
      expect(doc.paths['/files'].post.requestBody.content['multipart/form-data'].schema.properties.file).to.include({
        type: 'string',
        format: 'binary',
      });
      expect(doc.paths['/files/{id}'].get.responses['200'].content).to.have.property('application/octet-stream');
      expect(doc.paths['/files'].post.responses).to.have.property('413');
    });
  });
});

describe('files: active types and video when an operator allows them', () => {
  let server: TestServer;
  let alice: Session;

  before(async () => {
    server = await startTestServer({
      UPLOAD_ALLOWED_TYPES: 'image/png,text/html,image/svg+xml,application/xml,video/mp4',
    });
    alice = await server.http.signUp('alice');
  });
  after(() => server?.close());

  for (const [name, bytes, mime, category] of [
    ['page.png', HTML, 'text/html', 'files'],
    ['logo.svg', SVG, 'image/svg+xml', 'images'],
  ] as const) {
    it(`when ${name} (${mime}) is downloaded, then it is always an attachment, sandboxed, with nosniff`, async () => {
      const up = await upload(server, '/files', form('file', [{ name, bytes }]), alice.access_token);
      expect(up.status, JSON.stringify(up.body)).to.equal(201);
      expect(up.body).to.include({ mime, category });
      const res = await fetch(`${server.url}/files/${up.body.id}`, {
        headers: { authorization: `Bearer ${alice.access_token}` },
      });
      expect(res.headers.get('content-type')).to.equal(mime);
      expect(res.headers.get('content-disposition')).to.match(/^attachment;/);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('content-security-policy')).to.contain('sandbox');
      expect(await res.text()).to.equal(bytes);
    });
  }

  it('when an SVG is offered as an avatar, then 422: only raster images are avatars', async () => {
    const up = await upload(server, '/files', form('file', [{ name: 'logo.svg', bytes: SVG }]), alice.access_token);
    expectError(await server.http.patch('/users/me', { avatar_file_id: up.body.id }, alice.access_token), 422, 42008);
  });

  it('when an MP4 is uploaded, then it goes to files/, plays inline and seeks with byte ranges', async () => {
    const mp4 = Buffer.concat([
      Buffer.from([0, 0, 0, 0x18]),
      Buffer.from('ftypisom'),
      Buffer.from([0, 0, 2, 0]),
      Buffer.from('isommp41'),
      Buffer.alloc(64, 1),
    ]);
    const up = await upload(server, '/files', form('file', [{ name: 'clip.mp4', bytes: mp4 }]), alice.access_token);
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    expect(up.body).to.include({ mime: 'video/mp4', category: 'files' });
    const res = await fetch(`${server.url}/files/${up.body.id}`, {
      headers: { authorization: `Bearer ${alice.access_token}`, range: 'bytes=4-11' },
    });
    expect(res.status).to.equal(206);
    expect(res.headers.get('content-disposition')).to.match(/^inline;/);
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).to.equal('ftypisom');
  });

  it('when a plain text file is uploaded, then it is not on this allowlist', async () => {
    expectError(
      await upload(server, '/files', form('file', [{ name: 'notes.txt', bytes: 'just words' }]), alice.access_token),
      415,
      42003,
    );
  });
});
