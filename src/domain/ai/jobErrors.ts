import { ErrorCodes, type ErrorKey } from '../../errors/index.ts';
import type { AiJobError } from '../../../entities/AiJob.ts';

/** The `error` stored on a job that did not succeed: a catalogue code with a message for the user. */
export function jobError(key: ErrorKey, message?: string, detail?: unknown): AiJobError {
  return {
    code: ErrorCodes[key].code,
    message: message ?? ErrorCodes[key].message,
    ...(detail === undefined ? {} : { detail }),
  };
}
