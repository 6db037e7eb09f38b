import type { Request, RequestHandler } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { AppError } from '../errors/index.ts';
import type { FileStorage, StagedFile } from '../domain/files/FileStorage.ts';
import type { Upload } from '../domain/files/FileService.ts';

type StagedPart = Express.Multer.File & { staged?: StagedFile };

/** Catalogue errors every upload route can answer with, for the docs. */
export const UPLOAD_ERRORS = [
  'FILE_TOO_LARGE',
  'FILE_TYPE_NOT_ALLOWED',
  'TOO_MANY_FILES',
  'NO_FILE',
  'FILE_EMPTY',
  'UPLOAD_MALFORMED',
  'UPLOAD_QUOTA_EXCEEDED',
  'RATE_LIMITED',
] as const;

/** A multer storage engine that streams each part into the storage's staging area (hashing as it goes). */
class StagingEngine implements StorageEngine {
  constructor(private readonly storage: FileStorage) {}

  _handleFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<StagedPart>) => void,
  ): void {
    this.storage.stage(file.stream).then(
      (staged) => callback(null, { staged, size: staged.size }),
      (err) => callback(err),
    );
  }

  _removeFile(_req: Request, file: StagedPart, callback: (error: Error | null) => void): void {
    if (!file.staged) return callback(null);
    this.storage.discard(file.staged.token).then(() => callback(null), callback);
  }
}

/**
 * The multipart parser of an upload route: one file in `field`, or up to `maxFiles`. Whatever happens
 * next, staged bytes that were not committed are dropped when the response closes, so a rejected,
 * failed or interrupted upload leaves nothing behind.
 */
export function multipartParser(
  storage: FileStorage,
  options: { field: string; multiple: boolean; maxBytes: number; maxFiles: number },
): RequestHandler {
  const maxFiles = options.multiple ? options.maxFiles : 1;
  const upload = multer({
    storage: new StagingEngine(storage),
    limits: { fileSize: options.maxBytes, files: maxFiles, fields: 10, parts: maxFiles + 10, fieldSize: 64 * 1024 },
    defParamCharset: 'utf8',
  });
  const receive = options.multiple ? upload.array(options.field, maxFiles) : upload.single(options.field);
  return (req, res, next) => {
    res.once('close', () => {
      for (const file of uploadedParts(req)) if (file.staged) void storage.discard(file.staged.token).catch(() => {});
    });
    receive(req, res, (err?: unknown) => next(err ? translate(err, options, maxFiles) : undefined));
  };
}

/** The files a parser received, as the domain takes them. */
export function uploadsOf(req: Request): Upload[] {
  return uploadedParts(req).flatMap((f) => (f.staged ? [{ staged: f.staged, originalName: f.originalname }] : []));
}

function uploadedParts(req: Request): StagedPart[] {
  const files = req.files ?? (req.file ? [req.file] : []);
  return Array.isArray(files) ? files : Object.values(files).flat();
}

/** Multer and busboy failures are the client's (limits, a cut or malformed body); a file-system error is ours. */
function translate(err: unknown, options: { field: string; maxBytes: number }, maxFiles: number): unknown {
  if ((err as NodeJS.ErrnoException)?.syscall) return err;
  if (!(err instanceof MulterError))
    return new AppError('UPLOAD_MALFORMED', { cause: err, detail: { reason: (err as Error)?.message } });
  switch (err.code) {
    case 'LIMIT_FILE_SIZE':
      return new AppError('FILE_TOO_LARGE', { detail: { max_bytes: options.maxBytes } });
    case 'LIMIT_FILE_COUNT':
      return new AppError('TOO_MANY_FILES', { detail: { max_files: maxFiles } });
    case 'LIMIT_UNEXPECTED_FILE':
      return err.field === options.field
        ? new AppError('TOO_MANY_FILES', { detail: { max_files: maxFiles } })
        : new AppError('VALIDATION_FAILED', {
            message: `Unexpected file field; send files as "${options.field}"`,
            detail: [{ path: `body.${err.field}`, message: `use "${options.field}"` }],
          });
    default:
      return new AppError('UPLOAD_MALFORMED', { detail: { reason: err.message } });
  }
}
