// Checks an uploaded model before it becomes a version: a real GLB (glTF 2.0 binary) that the Khronos validator
// accepts without errors and that draws at least one triangle. Never throws, whatever the bytes.
import { validateBytes } from 'gltf-validator';
import type { ValidationMessage } from 'gltf-validator';
import { countSceneTriangles, readContainer } from '../pipeline/builtin/glb-container';

export type GlbCheck = { ok: true; triangles: number } | { ok: false; reason: string };

/** How many of the validator's errors the reason quotes; more would bury the first one. */
const QUOTED_ERRORS = 3;

export async function checkGlb(bytes: Uint8Array): Promise<GlbCheck> {
  try {
    const container = readContainer(bytes);
    if (!container.ok) return { ok: false, reason: container.reason };
    const used = container.json['extensionsUsed'];
    // Valid glTF, but no step (nor the exports) could read its meshes: better said now than at the next step.
    if (Array.isArray(used) && used.includes('KHR_draco_mesh_compression')) {
      return {
        ok: false,
        reason: 'The model uses Draco mesh compression, which this service cannot read. Export it again without Draco compression.',
      };
    }
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
    const triangles = countSceneTriangles(container.json);
    if (triangles === 0) {
      return { ok: false, reason: 'The model has no triangles to show: its default scene draws no mesh. Upload a model with a visible mesh.' };
    }
    return { ok: true, triangles };
  } catch {
    return { ok: false, reason: 'The file could not be read as a GLB model.' };
  }
}

/** The validator's message, plus where it points, in one plain sentence fragment. */
function describe(m: ValidationMessage): string {
  const text = m.message.replace(/\.$/, '');
  return m.pointer ? `${text} (at ${m.pointer})` : text;
}

/** A GLB starts with the ASCII magic "glTF": without it the file is the wrong type, not a broken model. */
export function hasGlbMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46;
}
