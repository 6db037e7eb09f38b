import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { AppError } from '../errors/index.ts';
import type { OpenedFile } from '../domain/files/FileService.ts';
import type { ByteRange } from '../domain/files/FileStorage.ts';

/**
 * Sends a stored file the way browsers and download tools expect: a strong ETag (the sha256) that
 * answers `If-None-Match` with 304, single `Range` requests with 206 (416 when outside the file;
 * `If-Range` honoured; several ranges at once get the whole file, as RFC 9110 allows), and the safety
 * headers every download carries: `nosniff`, a sandboxing CSP, and `attachment` for anything a browser
 * could run.
 */
export async function sendStoredFile(
  req: Request,
  res: Response,
  opened: OpenedFile,
  options: { forceDownload: boolean },
): Promise<void> {
  const { file } = opened;
  const etag = `"${file.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (noneMatch(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  // Everything that can still fail (a bad range, missing bytes) fails before the file's own headers are set,
  // so the error goes out as the catalogue's JSON.
  const range = requestedRange(req, file.size, etag);
  if (range === 'unsatisfiable') {
    throw new AppError('RANGE_NOT_SATISFIABLE', {
      detail: { size: file.size },
      headers: { 'Content-Range': `bytes */${file.size}` },
    });
  }
  const stream = await opened.bytes(range);
  res.status(range ? 206 : 200);
  res.setHeader('Content-Type', file.mime === 'text/plain' ? 'text/plain; charset=utf-8' : file.mime);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader(
    'Content-Disposition',
    contentDisposition(opened.inline && !options.forceDownload ? 'inline' : 'attachment', file.original_name),
  );
  res.setHeader('Accept-Ranges', 'bytes');
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
  res.setHeader('Content-Length', String(range ? range.end - range.start + 1 : file.size));
  try {
    await pipeline(stream, res);
  } catch (err) {
    // A client that goes away mid-download is not a server error.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  }
}

/**
 * RFC 9110 13.1.2: `If-None-Match` holds `*` or a list of entity tags compared weakly. Evaluated here, as an
 * origin server must, whatever `Cache-Control` the request carries (fetch() adds `no-cache` to conditional
 * requests, and express's `req.fresh` would then never answer 304).
 */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** The one byte range to send, none (the whole file), or 'unsatisfiable'. */
function requestedRange(req: Request, size: number, etag: string): ByteRange | 'unsatisfiable' | undefined {
  if (!req.headers.range) return undefined;
  // A range is only valid for the representation the client has: a stale If-Range gets the whole file.
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  const ranges = req.range(size, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  // Malformed, another unit, or several ranges: ignore the header and send everything.
  if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  return { start: ranges[0].start, end: ranges[0].end };
}

/** RFC 6266: an ASCII fallback name plus the exact UTF-8 name (RFC 8187). */
function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
