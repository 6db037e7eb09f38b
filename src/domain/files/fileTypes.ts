import { Readable } from 'node:stream';
import { fileTypeFromStream } from 'file-type';
import type { FileCategory } from '../../../entities/StoredFile.ts';

export interface DetectedType {
  mime: string;
  ext: string;
}

const TEXT_SNIFF_BYTES = 8192;
const HTML_MARKERS = /<(!doctype\s+html|html|head|body|script|iframe|object|embed|frame|meta|link|style|svg|img|form)[\s/>]/i;

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
  if (binary && binary.mime !== 'application/xml') return { mime: binary.mime, ext: binary.ext };
  return sniffText(await readHead(open(), TEXT_SNIFF_BYTES)) ?? { mime: 'application/octet-stream', ext: 'bin' };
}

function sniffText(head: Buffer): DetectedType | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
  if (/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text)) return undefined;
  const start = text.replace(/^\uFEFF/, '').trimStart().toLowerCase();
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
  /^application\/x-cfb$/, // .doc, .xls, .ppt, .hwp
  /^application\/msword$/,
  /^application\/vnd\.ms-/,
  /^application\/vnd\.openxmlformats-officedocument\./,
  /^application\/vnd\.oasis\.opendocument\./,
  /^application\/epub\+zip$/,
];

/** The folder a type is kept in, as seed 000 sorts uploads. */
export function categoryOf(mime: string): FileCategory {
  if (mime.startsWith('image/')) return 'images';
  if (DOCUMENT_TYPES.some((re) => re.test(mime))) return 'documents';
  return 'files';
}

/** Types a browser may render in place; everything else (SVG, HTML, XML, scripts, ...) downloads as an attachment. */
export function isInlineSafe(mime: string): boolean {
  return (mime.startsWith('image/') && mime !== 'image/svg+xml') || mime === 'text/plain' || mime === 'application/pdf';
}

/** Allowlist entries: a MIME type ('image/png'), a wildcard ('image/*', 'application/vnd.oasis.opendocument.*') or an extension ('pdf'). */
export function isAllowed(type: DetectedType, allowlist: string[]): boolean {
  return allowlist.some((entry) => {
    if (!entry.includes('/')) return entry.replace(/^\./, '').toLowerCase() === type.ext;
    if (entry.endsWith('*')) return type.mime.startsWith(entry.slice(0, -1));
    return entry.toLowerCase() === type.mime;
  });
}

const BIDI_AND_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The client's file name made harmless: last path segment only, no control or bidi characters, no leading dots. */
export function sanitizeFileName(name: string | undefined): string {
  let base = (name ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  base = base.replace(BIDI_AND_CONTROL, '').replace(/[<>:"|?*]/g, '_').trim().replace(/^\.+/, '').trim();
  if (!base) return 'file';
  if (base.length <= 255) return base;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
  return base.slice(0, 255 - ext.length) + ext;
}
