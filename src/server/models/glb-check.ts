// Checks an uploaded model before it becomes a version: a real GLB (glTF 2.0 binary) that the Khronos validator
// accepts without errors and that draws at least one triangle. Never throws, whatever the bytes.
import { validateBytes } from 'gltf-validator';
import type { ValidationMessage } from 'gltf-validator';
import { readContainer } from '../pipeline/builtin/glb-container';
import { readModel } from '../pipeline/builtin/gltf-io';
import { measureModel, overBudget } from '../pipeline/builtin/model-budget';
import { StepFailure } from '../pipeline/builtin/step-kit';

export type GlbCheck = { ok: true; triangles: number } | { ok: false; reason: string };

/** How many of the validator's errors the reason quotes; more would bury the first one. */
const QUOTED_ERRORS = 3;

/**
 * JSON nested deeper than this is refused before validation. The Khronos validator recurses over the JSON and,
 * some thousands of levels down, overflows the stack in a callback outside any promise: an uncaught exception
 * that takes the whole server down. Real glTF nests about ten levels; this leaves room for any sane `extras`.
 */
const MAX_JSON_DEPTH = 100;

/** How deep `value` nests, counted without recursion (the point is not to overflow the stack ourselves). */
function depthOf(value: unknown, stopAt: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) max = depth;
    if (max > stopAt) return max;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

export async function checkGlb(bytes: Uint8Array): Promise<GlbCheck> {
  try {
    const container = readContainer(bytes);
    if (!container.ok) return { ok: false, reason: container.reason };
    if (depthOf(container.json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return {
        ok: false,
        reason: `The model's JSON is nested more than ${MAX_JSON_DEPTH} levels deep, which no glTF exporter writes. Export the model again as .glb.`,
      };
    }
    const used = container.json['extensionsUsed'];
    // Valid glTF, but no step (nor the exports) could read its meshes: better said now than at the next step.
    if (Array.isArray(used) && used.includes('KHR_draco_mesh_compression')) {
      return {
        ok: false,
        reason: 'The model uses Draco mesh compression, which this service cannot read. Export it again without Draco compression.',
      };
    }
    // Measured from the JSON before the validator walks the model: what it draws, not what it stores.
    const measure = measureModel(container.json, container.bin);
    // JSON that cannot even be measured is left to the validator first, whose message says what is wrong with it.
    const tooBig = measure.unmeasurable ? null : overBudget(measure);
    if (tooBig) return { ok: false, reason: tooBig };
    let errors: ValidationMessage[];
    let numErrors: number;
    try {
      const report = await validateBytes(bytes, { format: 'glb', maxIssues: 50, writeTimestamp: false });
      errors = report.issues.messages.filter((m) => m.severity === 0);
      numErrors = report.issues.numErrors;
    } catch {
      return { ok: false, reason: 'The file could not be validated as a glTF 2.0 model. Export it again as .glb and upload that.' };
    }
    if (numErrors > 0) {
      const quoted = errors.slice(0, QUOTED_ERRORS).map(describe);
      const more = numErrors > quoted.length ? ` (and ${numErrors - quoted.length} more)` : '';
      return {
        ok: false,
        reason: `The model is not valid glTF 2.0. The validator found: ${quoted.join('; ')}${more}. Fix or re-export the model and upload it again.`,
      };
    }
    const unmeasurable = measure.unmeasurable ? overBudget(measure) : null;
    if (unmeasurable) return { ok: false, reason: unmeasurable };
    const triangles = measure.sceneTriangles;
    if (triangles === 0) {
      return { ok: false, reason: 'The model has no triangles to show: its default scene draws no mesh. Upload a model with a visible mesh.' };
    }
    // Valid glTF can still be a model this service cannot open (an extension it does not know listed as required):
    // the next step and the OBJ/glTF downloads would all fail on it, so it is refused now.
    const unreadable = await readModel(bytes, 'The model').then(
      () => null,
      (err: unknown) => (err instanceof StepFailure ? err.reason : 'The file could not be read as a GLB model.'),
    );
    if (unreadable) return { ok: false, reason: unreadable };
    return { ok: true, triangles };
  } catch {
    return { ok: false, reason: 'The file could not be read as a GLB model.' };
  }
}

/** The validator's message, plus where it points, in one plain sentence fragment. */
function describe(m: ValidationMessage): string {
  // Both may quote the file's own strings (property names, URIs) at any length.
  const text = clip(m.message.replace(/\.$/, ''), QUOTED_CHARS);
  return m.pointer ? `${text} (at ${clip(m.pointer, QUOTED_CHARS)})` : text;
}

const QUOTED_CHARS = 120;

/** At most `max` UTF-16 units, never cutting a surrogate pair in half. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\uD800-\uDBFF]/.test(s.charAt(max - 1)) ? max - 1 : max;
  return `${s.slice(0, end)}…`;
}

/** A GLB starts with the ASCII magic "glTF": without it the file is the wrong type, not a broken model. */
export { hasGlbMagic } from '../pipeline/builtin/glb-container';
