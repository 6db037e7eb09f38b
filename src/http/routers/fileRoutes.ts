import { pipeline } from 'node:stream/promises';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { FileService } from '../../domain/files/FileService.ts';
import type { Api } from '../route.ts';
import { uploadsOf } from '../uploads.ts';
import { FileSchema } from './boardSchemas.ts';
import { IdParam, PageQuery, pageOf } from './schemas.ts';

const UPLOAD_ERRORS = ['FILE_TOO_LARGE', 'FILE_TYPE_NOT_ALLOWED', 'TOO_MANY_FILES', 'NO_FILE', 'UPLOAD_MALFORMED'] as const;
const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

export function fileRoutes(api: Api, files: FileService, parsers: { single: RequestHandler; batch: RequestHandler }): void {
  api.route(
    {
      method: 'post', path: '/files', tag: 'files', access: 'user', status: 201, summary: 'Upload a file',
      description:
        'multipart/form-data with one `file` part. The type is detected from the bytes (never the name or the declared ' +
        'type) and must be on the allowlist; the file is kept under a random name in images/, documents/ or files/.',
      multipart: { parser: parsers.single, files: { file: { multiple: false } } },
      response: FileSchema,
      errors: [...UPLOAD_ERRORS],
    },
    async ({ principal, req }) => (await files.upload(principal, uploadsOf(req)))[0],
  );

  api.route(
    {
      method: 'post', path: '/files/batch', tag: 'files', access: 'user', status: 201, summary: 'Upload several files',
      description: 'multipart/form-data with up to UPLOAD_MAX_FILES `files` parts. All or nothing: one rejected file rejects the batch.',
      multipart: { parser: parsers.batch, files: { files: { multiple: true } } },
      response: z.array(FileSchema),
      errors: [...UPLOAD_ERRORS],
    },
    ({ principal, req }) => files.upload(principal, uploadsOf(req)),
  );

  api.route(
    {
      method: 'get', path: '/files', tag: 'files', access: 'user', summary: 'My files, newest first',
      description: '`mine=0` lists everyone’s files and is for admins only.',
      query: PageQuery.extend({ mine: flag.default(true) }),
      response: pageOf(FileSchema, 'FilePage'),
    },
    ({ principal, query }) => files.list(principal, query),
  );

  api.route(
    {
      method: 'get', path: '/files/:id', tag: 'files', access: 'public', summary: 'Download a file',
      description:
        'Readable by its owner, admins, and — for an attachment — whoever may read its board; an avatar by any signed-in user. ' +
        'Sent with `X-Content-Type-Options: nosniff`; only raster images, plain text and PDF may display inline, everything ' +
        'else (SVG, HTML, XML, scripts, archives...) is always an attachment. `download=1` forces an attachment.',
      params: IdParam,
      query: z.object({ download: flag.optional() }),
      produces: 'application/octet-stream',
      errors: ['FILE_NOT_FOUND'],
    },
    async ({ principal, params, query, res }) => {
      const { file, inline, stream } = await files.open(principal, params.id);
      res.status(200);
      res.setHeader('Content-Type', file.mime === 'text/plain' ? 'text/plain; charset=utf-8' : file.mime);
      res.setHeader('Content-Length', String(file.size));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.setHeader('Content-Disposition', contentDisposition(inline && !query.download ? 'inline' : 'attachment', file.original_name));
      res.setHeader('ETag', `"${file.sha256}"`);
      res.setHeader('Cache-Control', 'private, no-cache');
      try {
        await pipeline(stream, res);
      } catch (err) {
        // A client that goes away mid-download is not a server error.
        if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
      }
    },
  );

  api.route(
    {
      method: 'delete', path: '/files/:id', tag: 'files', access: 'user', status: 204, summary: 'Delete a file (owner or admin)',
      description: 'Removes an attachment from its post or comment, and clears it as anyone’s avatar.',
      params: IdParam, errors: ['FILE_NOT_FOUND', 'NOT_FILE_OWNER'],
    },
    ({ principal, params }) => files.delete(principal, params.id),
  );
}

/** RFC 6266: an ASCII fallback name plus the exact UTF-8 name (RFC 8187). */
function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
