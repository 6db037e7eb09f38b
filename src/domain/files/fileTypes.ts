import { Readable } from 'node:stream';
import { fileTypeFromStream } from 'file-type';
import type { FileCategory } from '../../../entities/StoredFile.ts';

export interface DetectedType {
  mime: string;
  ext: string;
  /** For a format recognised inside a generic container (HWP in a CFB, HWPX in a zip): the container's type. */
  container?: string;
}

const TEXT_SNIFF_BYTES = 8192;
const HTML_MARKERS =
  /<(!doctype\s+html|html|head|body|script|iframe|object|embed|frame|meta|link|style|svg|img|form)[\s/>]/i;

/**
 * The type of a file from its bytes alone: binary formats by their magic numbers (file-type), text by a
 * small sniffer that tells markup (HTML, SVG, XML) from plain text. The client's name and MIME are never asked.
 */
export async function detectType(open: () => Readable): Promise<DetectedType> {
  const source = open();
  let binary;
  try {
    binary = await fileTypeFromStream(Readable.toWeb(source) as ReadableStream<Uint8Array>);
  } finally {
    source.destroy();
  }
  if (binary && binary.mime !== 'application/xml')
    return (await refineContainer(binary, open)) ?? { mime: binary.mime, ext: binary.ext };
  return sniffText(await readHead(open(), TEXT_SNIFF_BYTES)) ?? { mime: 'application/octet-stream', ext: 'bin' };
}

const HWPX_MIMETYPE = 'application/hwp+zip';
const HWP_SIGNATURE = Buffer.from('HWP Document File', 'latin1');
const HWP_HEADER_STREAM = Buffer.from('FileHeader', 'utf16le');

/**
 * Korean word-processor documents hide in generic containers: HWPX is a zip whose first, stored entry
 * `mimetype` says `application/hwp+zip` (as EPUB and ODF do); HWP 5 is a compound file (CFB) with a
 * `FileHeader` stream that starts with "HWP Document File".
 */
async function refineContainer(
  binary: { mime: string; ext: string },
  open: () => Readable,
): Promise<DetectedType | undefined> {
  if (binary.mime === 'application/zip') {
    // Local file header: method at 8, name length at 26, extra length at 28, name from 30, then the data.
    const head = await readHead(open(), 512);
    if (head.length >= 30 && head.readUInt16LE(8) === 0) {
      const nameEnd = 30 + head.readUInt16LE(26);
      const dataStart = nameEnd + head.readUInt16LE(28);
      const data = head.toString('latin1', dataStart, dataStart + HWPX_MIMETYPE.length);
      if (head.toString('latin1', 30, nameEnd) === 'mimetype' && data === HWPX_MIMETYPE) {
        return { mime: HWPX_MIMETYPE, ext: 'hwpx', container: binary.mime };
      }
    }
  }
  if (binary.mime === 'application/x-cfb' && (await containsAll(open(), [HWP_HEADER_STREAM, HWP_SIGNATURE]))) {
    return { mime: 'application/x-hwp', ext: 'hwp', container: binary.mime };
  }
  return undefined;
}

/** Whether every needle occurs somewhere in the stream (read once, in chunks). */
async function containsAll(stream: Readable, needles: Buffer[]): Promise<boolean> {
  const missing = new Set(needles);
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  let tail = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      const window = Buffer.concat([tail, chunk as Buffer]);
      for (const needle of missing) if (window.includes(needle)) missing.delete(needle);
      if (missing.size === 0) return true;
      tail = window.subarray(Math.max(0, window.length - overlap));
    }
  } finally {
    stream.destroy();
  }
  return false;
}

function sniffText(head: Buffer): DetectedType | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what marks binary content
  if (/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text)) return undefined;
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/<svg[\s>]/.test(start)) return { mime: 'image/svg+xml', ext: 'svg' };
  if (start.startsWith('<?xml')) return { mime: 'application/xml', ext: 'xml' };
  if (HTML_MARKERS.test(start)) return { mime: 'text/html', ext: 'html' };
  return { mime: 'text/plain', ext: 'txt' };
}

async function readHead(stream: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= bytes) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

const DOCUMENT_TYPES = [
  /^application\/pdf$/,
  /^text\/plain$/,
  /^application\/rtf$/,
  /^application\/x-cfb$/, // .doc, .xls, .ppt
  /^application\/x-hwp$/,
  /^application\/hwp\+zip$/,
  /^application\/msword$/,
  /^application\/vnd\.ms-/,
  /^application\/vnd\.openxmlformats-officedocument\./,
  /^application\/vnd\.oasis\.opendocument\./,
  /^application\/epub\+zip$/,
];

/** The folder a type is kept in: images/, documents/ (office, PDF, text, HWP/HWPX) or files/ (everything else). */
export function categoryOf(mime: string): FileCategory {
  if (mime.startsWith('image/')) return 'images';
  if (DOCUMENT_TYPES.some((re) => re.test(mime))) return 'documents';
  return 'files';
}

const INLINE_MEDIA = new Set(['text/plain', 'application/pdf', 'video/mp4', 'video/webm']);

/**
 * Types a browser may render in place: raster images, plain text, PDF, and MP4/WebM video (played, not run).
 * Everything else (SVG, HTML, XML, scripts, ...) downloads as an attachment.
 */
export function isInlineSafe(mime: string): boolean {
  return (mime.startsWith('image/') && mime !== 'image/svg+xml') || INLINE_MEDIA.has(mime);
}

/**
 * Allowlist entries: a MIME type ('image/png'), a wildcard ('image/*', 'application/vnd.oasis.opendocument.*') or an
 * extension ('pdf'). A format found inside a container is also allowed by its container's type (an HWP file by
 * 'application/x-cfb', as before it was told apart).
 */
export function isAllowed(type: DetectedType, allowlist: string[]): boolean {
  const mimes = type.container ? [type.mime, type.container] : [type.mime];
  return allowlist.some((entry) => {
    if (!entry.includes('/')) return entry.replace(/^\./, '').toLowerCase() === type.ext;
    if (entry.endsWith('*')) return mimes.some((mime) => mime.startsWith(entry.slice(0, -1)));
    return mimes.includes(entry.toLowerCase());
  });
}

// eslint-disable-next-line no-control-regex -- control characters are what this strips from file names
const BIDI_AND_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The client's file name made harmless: last path segment only, no control or bidi characters, no leading dots. */
export function sanitizeFileName(name: string | undefined): string {
  let base = (name ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  base = base
    .replace(BIDI_AND_CONTROL, '')
    .replace(/[<>:"|?*]/g, '_')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  if (!base) return 'file';
  if (base.length <= 255) return base;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
  return base.slice(0, 255 - ext.length) + ext;
}
