// Facts about a stored model that the API shows with each version, and whether it may be stored at all.
import { readContainer } from '../pipeline/builtin/glb-container';
import { measureModel, overBudget } from '../pipeline/builtin/model-budget';

/**
 * Triangles as drawn in the default scene (the first level of detail only: MSFT_lod levels sit outside it), and
 * the first model limit it breaks, if any. The limits are the ones uploads are held to; a generator's output must
 * keep them too, or every later step and export would refuse it.
 */
export interface ModelStats {
  triangles: number;
  overLimit: string | null;
}

export function modelStats(glb: Uint8Array): ModelStats {
  const container = readContainer(glb);
  if (!container.ok) return { triangles: 0, overLimit: null };
  const measure = measureModel(container.json, container.bin);
  return { triangles: measure.sceneTriangles, overLimit: overBudget(measure) };
}
