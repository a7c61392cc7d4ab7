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

/**
 * Turns an error from the system (the disk, the OS) into one a person can act on, or undefined when it is not
 * one we know; the error handler then answers a plain 500. Filled in with the fault handling of issue 6.
 */
export function fromSystemError(err: unknown): HttpError | undefined {
  void err;
  return undefined;
}
