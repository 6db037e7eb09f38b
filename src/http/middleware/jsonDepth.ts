import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../errors/index.ts';

/** Deepest nesting of arrays and objects a JSON request body may have; no Plaza request needs a tenth of it. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]);
const CLOSERS = new Set([0x5d, 0x7d]);

/**
 * A body-parser `verify` hook that refuses JSON nested deeper than `maxDepth` before it is parsed:
 * deeply nested values pass JSON.parse but overflow the stack of whatever walks them recursively
 * (validation, JSON.stringify), which would answer 500. Scans the raw bytes once; in UTF-8 the
 * structural characters never occur inside a multi-byte character.
 */
export function refuseDeepJson(maxDepth = MAX_JSON_DEPTH) {
  return (_req: IncomingMessage, _res: ServerResponse, body: Buffer): void => {
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (const byte of body) {
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) {
        inString = true;
      } else if (OPENERS.has(byte)) {
        if (++depth > maxDepth) {
          throw new AppError('VALIDATION_FAILED', {
            detail: [{ path: 'body', message: `JSON may nest at most ${maxDepth} levels deep` }],
          });
        }
      } else if (CLOSERS.has(byte)) {
        depth--;
      }
    }
  };
}
