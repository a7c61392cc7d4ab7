import { Logger, NodeIO } from '@gltf-transform/core';
import { modelStats } from '../../../src/server/models/model-stats';
import { boxGlb, usePipelineModels } from '../helpers/images';

// Plain glTF-Transform does not know MSFT_lod and would say so on every read.
const quietIO = () => new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR));

const pipelineModels = usePipelineModels();

async function allMeshTriangles(glb: Uint8Array): Promise<number> {
  const doc = await quietIO().readBinary(glb);
  return doc
    .getRoot()
    .listMeshes()
    .flatMap((m) => m.listPrimitives())
    .reduce((sum, p) => sum + (p.getIndices()?.getCount() ?? 0) / 3, 0);
}

describe('modelStats', () => {
  it('counts the triangles of a single-mesh model, indexed or not', async () => {
    expect(modelStats(pipelineModels().geometry).triangles).toBe(await allMeshTriangles(pipelineModels().geometry));
    expect(modelStats(await boxGlb(2)).triangles).toBe(48);
  });

  it('counts only the first level of detail, as a plain viewer draws it', async () => {
    const stats = modelStats(pipelineModels().lod);
    expect(stats.triangles).toBe(modelStats(pipelineModels().texture).triangles);
    expect(stats.triangles).toBeLessThan(await allMeshTriangles(pipelineModels().lod));
  });

  it('reports zero for bytes that are not a model', async () => {
    expect(modelStats(new TextEncoder().encode('not a model'))).toEqual({ triangles: 0, overLimit: null });
  });
});
