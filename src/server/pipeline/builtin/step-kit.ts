// Shared plumbing for the built-in steps: honest failures, progress checkpoints and the abort contract.
import type { StepFn, StepInput, StepResult } from '../generator';

/** A failure whose message is written for the person who uploaded the images; it becomes `{ ok: false, reason }`. */
export class StepFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StepFailure';
  }
}

/** Lets the HTTP server breathe between heavy phases and stops promptly when the step is aborted. */
export async function checkpoint(input: StepInput, progress: number): Promise<void> {
  throwIfAborted(input.signal);
  input.report(Math.min(1, Math.max(0, progress)));
  await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfAborted(input.signal);
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The step was aborted.', 'AbortError');
}

/**
 * Wraps a step so that it never throws except for an abort: a damaged input or a bug becomes a failure
 * the person can read, instead of an exception that the runner would have to translate.
 */
export function guardStep(
  fallbackReason: string,
  run: (input: StepInput) => Promise<Uint8Array>,
  onUnexpected?: (err: unknown) => void,
): StepFn {
  return async (input: StepInput): Promise<StepResult> => {
    try {
      throwIfAborted(input.signal);
      const glb = await run(input);
      throwIfAborted(input.signal);
      input.report(1);
      return { ok: true, glb };
    } catch (err) {
      if (input.signal.aborted) throw abortReason(input.signal);
      if (err instanceof StepFailure) return { ok: false, reason: err.reason };
      onUnexpected?.(err);
      return { ok: false, reason: fallbackReason };
    }
  };
}
