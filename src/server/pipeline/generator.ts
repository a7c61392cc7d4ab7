// The generator interface: what a pipeline step needs and returns. The built-in generator implements it;
// an external service (an AI model behind HTTP) can implement it too without touching routes or UI.
import type { StepKey } from '../../contract/asset';

export interface SourceImage {
  /** Absolute path of the stored original (PNG or JPEG, already checked by content). */
  path: string;
  mime: 'image/png' | 'image/jpeg';
}

export interface StepInput {
  asset: { id: string; name: string; polycount: number | null };
  /** The reference images, in upload order; the first is the primary view. */
  images: readonly SourceImage[];
  /** GLB of the version this step builds on (the previous step's current version); null for the first step. */
  previous: Uint8Array | null;
  /** The person's revision note when the step is re-run on request; null otherwise. */
  note: string | null;
  /** Aborted when the asset is deleted, the step times out or the server shuts down. */
  signal: AbortSignal;
  /** Reports the step's own progress, a fraction in [0, 1]. */
  report(progress: number): void;
}

export type StepResult =
  | { ok: true; glb: Uint8Array }
  /** `reason` is shown to the person as is: say what is wrong with their input and what to do. */
  | { ok: false; reason: string };

export type StepFn = (input: StepInput) => Promise<StepResult>;

/** One method per pipeline step. */
export type Generator = Record<StepKey, StepFn>;
