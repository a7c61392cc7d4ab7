// Where an API error is shown: a refusal of the request itself goes next to the control that sent it.
import { ApiError } from './api-client';

/** A refusal that belongs next to the button that caused it: every 4xx except a 409, which the action banner explains. */
export function inlineMessage(error: Error | null): string | null {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 409 ? error.message : null;
}
