// The built-in generator: real, local, deterministic work for each pipeline step (no network, no model weights).
// Revision notes are read with the keyword rules in builtin/revision-notes.ts.
import type { Generator } from './generator';
import { runGeometry } from './builtin/geometry-step';
import { runLod } from './builtin/lod-step';
import { runOptimise } from './builtin/optimise-step';
import { guardStep } from './builtin/step-kit';
import { runTexture } from './builtin/texture-step';
import { runUv } from './builtin/uv-projection';

export interface BuiltinGeneratorOptions {
  /** Longest side, in pixels, the reference image is reduced to before its shape is read. Default 512. */
  workingSize?: number;
  /** Triangles the high-poly mesh aims for (front and back). Default 160,000. */
  highPolyTriangles?: number;
  /** Triangle target of the optimised mesh when the asset has none. Default 10,000. */
  defaultPolycount?: number;
  /** Longest side of the baked base-colour texture. Default 1024. */
  textureSize?: number;
  /** Hears about failures that are bugs rather than bad input (the person sees a generic reason). */
  onUnexpectedError?: (step: string, err: unknown) => void;
}

const UNEXPECTED =
  'Something went wrong while processing this step. Retry it; if it fails again, upload a new version of the previous step or try other reference images.';

export function createBuiltinGenerator(options: BuiltinGeneratorOptions = {}): Generator {
  const o = {
    workingSize: options.workingSize ?? 512,
    highPolyTriangles: options.highPolyTriangles ?? 160_000,
    defaultPolycount: options.defaultPolycount ?? 10_000,
    textureSize: options.textureSize ?? 1024,
  };
  const report = (step: string) => (err: unknown) => options.onUnexpectedError?.(step, err);
  return {
    geometry: guardStep(UNEXPECTED, (input) => runGeometry(input, o), report('geometry')),
    optimise: guardStep(UNEXPECTED, (input) => runOptimise(input, o), report('optimise')),
    uv: guardStep(UNEXPECTED, (input) => runUv(input), report('uv')),
    texture: guardStep(UNEXPECTED, (input) => runTexture(input, o), report('texture')),
    lod: guardStep(UNEXPECTED, (input) => runLod(input), report('lod')),
  };
}
