import type { RequestHandler } from 'express';
import { z } from 'zod';
import { FILE_CATEGORIES } from '../../../entities/StoredFile.ts';
import type { FileService } from '../../domain/files/FileService.ts';
import type { SignedFileLinks } from '../../domain/files/SignedFileLinks.ts';
import { USER_ROLES } from '../../../entities/User.ts';
import { sendStoredFile } from '../fileDownload.ts';
import type { Api } from '../route.ts';
import { UPLOAD_ERRORS, uploadsOf } from '../uploads.ts';
import { AppError } from '../../errors/index.ts';
import { FileSchema, UploadedFilesSchema } from './boardSchemas.ts';
import { IdParam, PageQuery, pageOf } from './schemas.ts';

const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/** The query of a signed link (SignedFileLinks): all four or none. */
const LinkQuery = z.object({
  exp: z.coerce.number().int().positive(),
  uid: z.coerce.number().int().positive(),
  role: z.enum(USER_ROLES),
  sig: z.string().min(1).max(100),
});

export function fileRoutes(
  api: Api,
  files: FileService,
  links: SignedFileLinks,
  parsers: { single: RequestHandler; batch: RequestHandler },
): void {
  api.route(
    {
      method: 'post',
      path: '/files',
      operationId: 'uploadFile',
      tag: 'files',
      access: 'user',
      status: 201,
      summary: 'Upload a file',
      description:
        'multipart/form-data with one `file` part. The type is detected from the bytes (never the name or the declared ' +
        'type) and must be on the allowlist; the file is kept under a random name in images/, documents/ or files/.',
      multipart: {
        parser: parsers.single,
        files: { file: { multiple: false } },
        precheck: ({ principal }) => files.admit(principal),
      },
      response: FileSchema,
      errors: [...UPLOAD_ERRORS],
    },
    async ({ principal, req }) => (await files.upload(principal, uploadsOf(req)))[0],
  );

  api.route(
    {
      method: 'post',
      path: '/files/batch',
      operationId: 'uploadFiles',
      tag: 'files',
      access: 'user',
      status: 201,
      summary: 'Upload several files',
      description:
        'multipart/form-data with up to UPLOAD_MAX_FILES `files` parts. All or nothing: one rejected file rejects the batch.',
      multipart: {
        parser: parsers.batch,
        files: { files: { multiple: true } },
        precheck: ({ principal }) => files.admit(principal),
      },
      response: UploadedFilesSchema,
      errors: [...UPLOAD_ERRORS],
    },
    async ({ principal, req }) => ({ items: await files.upload(principal, uploadsOf(req)) }),
  );

  api.route(
    {
      method: 'get',
      path: '/files',
      operationId: 'listFiles',
      tag: 'files',
      access: 'user',
      summary: 'My files, newest first',
      description:
        '`mine=0` lists everyone’s files and is for admins only. `category` keeps one folder: images, documents or files.',
      query: PageQuery.extend({ mine: flag.default(true), category: z.enum(FILE_CATEGORIES).optional() }),
      response: pageOf(FileSchema, 'FilePage'),
    },
    ({ principal, query }) => files.list(principal, query),
  );

  api.route(
    {
      method: 'get',
      path: '/files/:id',
      operationId: 'downloadFile',
      tag: 'files',
      access: 'public',
      summary: 'Download a file',
      description:
        'Readable by its owner and admins; an attachment by whoever may read its board; a standalone image that is its ' +
        'owner’s current avatar by any signed-in user; by nobody else (404). Sent with `X-Content-Type-Options: nosniff`; only ' +
        'raster images, plain text, PDF and MP4/WebM video may display inline, everything else (SVG, HTML, XML, scripts, ' +
        'archives...) is always an attachment. `download=1` forces an attachment. The `ETag` is the sha256: `If-None-Match` ' +
        'with it answers 304 Not Modified. One `Range: bytes=...` answers 206 Partial Content with `Content-Range` (416 ' +
        'when outside the file; `If-Range` honoured; several ranges get the whole file).',
      params: IdParam,
      query: z.object({
        download: flag.optional(),
        ...LinkQuery.partial().shape,
      }),
      produces: 'application/octet-stream',
      errors: ['FILE_NOT_FOUND', 'RANGE_NOT_SATISFIABLE'],
    },
    async ({ principal, params, query, req, res }) => {
      // A signed link stands for the viewer it was made for; the same access rule decides.
      const { download, ...link } = query;
      let viewer: typeof principal | ReturnType<typeof links.viewerOf> = principal;
      if (Object.values(link).some((v) => v !== undefined)) {
        // A link missing a part is as good as an altered one: it opens nothing.
        const parsed = LinkQuery.safeParse(link);
        if (!parsed.success) throw new AppError('FILE_NOT_FOUND');
        viewer = links.viewerOf(params.id, parsed.data);
      }
      await sendStoredFile(req, res, await files.open(viewer, params.id), { forceDownload: Boolean(download) });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/files/:id/link',
      operationId: 'createFileLink',
      tag: 'files',
      access: 'user',
      summary: 'A short-lived signed download link for a file I may read',
      description:
        'For `<img src>` and other requests a browser makes without an Authorization header. The link (GET ' +
        '`/files/:id?exp&uid&role&sig`) works for FILE_LINK_TTL seconds and opens the file only while the same access ' +
        'rule as `GET /files/:id` still lets me read it; anyone holding it reads as me until then.',
      params: IdParam,
      response: z
        .object({ url: z.string().meta({ description: 'Path and query to GET' }), expires_at: z.string() })
        .meta({ id: 'FileLink' }),
      errors: ['FILE_NOT_FOUND'],
    },
    async ({ principal, params }) => {
      await files.open(principal, params.id);
      return links.sign(principal, params.id);
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/files/:id',
      operationId: 'deleteFile',
      tag: 'files',
      access: 'user',
      status: 204,
      summary: 'Delete a file (owner or admin)',
      description: 'Removes an attachment from its post or comment, and clears it as anyone’s avatar.',
      params: IdParam,
      errors: ['FILE_NOT_FOUND', 'NOT_FILE_OWNER'],
    },
    ({ principal, params }) => files.delete(principal, params.id),
  );
}
