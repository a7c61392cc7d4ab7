// Errors a route turns into `{error:{code,message}}`; their messages are written for the person using the page.
import type { ErrorCode } from '../contract/api';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);
export const notFound = (message = 'No asset with that id.') => new HttpError(404, 'not_found', message);
export const wrongStage = (message: string) => new HttpError(409, 'wrong_stage', message);
export const tooLarge = (message: string) => new HttpError(413, 'too_large', message);
export const unsupportedType = (message: string) => new HttpError(415, 'unsupported_type', message);
export const unprocessable = (message: string) => new HttpError(422, 'unprocessable', message);

/** What went wrong with the disk, in words; `kind` decides the status and what the person can do about it. */
interface SystemFault {
  kind: 'full' | 'unwritable' | 'busy';
  /** A few plain words for logs and start-up messages, e.g. "the disk is full". */
  words: string;
}

const FAULTS: Record<string, SystemFault> = {
  ENOSPC: { kind: 'full', words: 'the disk is full' },
  EDQUOT: { kind: 'full', words: 'the disk quota is used up' },
  EFBIG: { kind: 'full', words: 'a file grew larger than the file system allows' },
  SQLITE_FULL: { kind: 'full', words: 'the disk is full' },
  EACCES: { kind: 'unwritable', words: 'permission was denied' },
  EPERM: { kind: 'unwritable', words: 'the operation is not permitted' },
  EROFS: { kind: 'unwritable', words: 'the file system is read-only' },
  ENOTDIR: { kind: 'unwritable', words: 'a file is in the way where a folder should be' },
  EISDIR: { kind: 'unwritable', words: 'a folder is in the way where a file should be' },
  EIO: { kind: 'unwritable', words: 'the disk reported an input/output error' },
  SQLITE_READONLY: { kind: 'unwritable', words: 'the database is read-only' },
  SQLITE_CANTOPEN: { kind: 'unwritable', words: 'the database file cannot be opened' },
  SQLITE_IOERR: { kind: 'unwritable', words: 'the disk reported an input/output error' },
  SQLITE_PERM: { kind: 'unwritable', words: 'permission was denied' },
  EMFILE: { kind: 'busy', words: 'too many files are open' },
  ENFILE: { kind: 'busy', words: 'too many files are open' },
  SQLITE_BUSY: { kind: 'busy', words: 'the database is busy' },
};

/**
 * The system fault behind `err` (or an error it was caused by), or undefined for anything else. SQLite's
 * extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…) count as their primary code.
 */
export function systemFault(err: unknown): SystemFault | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof HttpError) return undefined;
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const fault = FAULTS[code] ?? (code.startsWith('SQLITE_') ? FAULTS[code.split('_', 2).join('_')] : undefined);
    if (fault) return fault;
  }
  return undefined;
}

export const DISK_FULL_MESSAGE =
  "The server's disk is full; nothing was saved. Try again later or ask an admin to free space.";
export const UNWRITABLE_MESSAGE =
  'The server cannot write its data folder; nothing was saved. Ask an admin to check that DATA_DIR is a folder the server can write.';
export const BUSY_MESSAGE = 'The server is too busy to save this right now; nothing was saved. Try again in a moment.';

/**
 * Turns an error from the system (the disk, the OS) into one a person can act on, or undefined when it is not
 * one we know; the error handler then answers a plain 500.
 */
export function fromSystemError(err: unknown): HttpError | undefined {
  const fault = systemFault(err);
  if (!fault) return undefined;
  if (fault.kind === 'full') return new HttpError(507, 'insufficient_storage', DISK_FULL_MESSAGE);
  if (fault.kind === 'unwritable') return new HttpError(503, 'unavailable', UNWRITABLE_MESSAGE);
  return new HttpError(503, 'unavailable', BUSY_MESSAGE);
}

/** Why a step failed on a system error, for the person reading the asset's failure panel; undefined when not one. */
export function stepFailureReason(err: unknown): string | undefined {
  const fault = systemFault(err);
  if (!fault) return undefined;
  if (fault.kind === 'full') {
    return "The server's disk is full, so this step's result could not be saved. Retry once space has been freed (ask an admin).";
  }
  if (fault.kind === 'unwritable') {
    return "The server cannot write its data folder, so this step's result could not be saved. Ask an admin to check DATA_DIR, then Retry.";
  }
  return 'The server was too busy to save this step. Retry it in a moment.';
}
