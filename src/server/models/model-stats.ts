// Facts about a stored model that the API shows with each version.
import { countSceneTriangles, readContainer } from '../pipeline/builtin/glb-container';

/** Triangles as drawn in the default scene: the first level of detail only (MSFT_lod levels sit outside it). */
export async function modelStats(glb: Uint8Array): Promise<{ triangles: number }> {
  const container = readContainer(glb);
  return { triangles: container.ok ? countSceneTriangles(container.json) : 0 };
}
