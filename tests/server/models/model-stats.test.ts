import { Logger, NodeIO } from '@gltf-transform/core';
import { modelStats } from '../../../src/server/models/model-stats';
import { boxGlb, imageFolder, smallPipelineModels } from '../helpers/images';
import type { StepOutputs } from '../helpers/images';

// Plain glTF-Transform does not know MSFT_lod and would say so on every read.
const quietIO = () => new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR));

let models: StepOutputs;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const folder = await imageFolder();
  cleanup = folder.cleanup;
  models = await smallPipelineModels(folder.dir);
});

afterAll(async () => {
  await cleanup();
});

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
    expect((await modelStats(models.geometry)).triangles).toBe(await allMeshTriangles(models.geometry));
    expect((await modelStats(await boxGlb(2))).triangles).toBe(48);
  });

  it('counts only the first level of detail, as a plain viewer draws it', async () => {
    const stats = await modelStats(models.lod);
    expect(stats.triangles).toBe((await modelStats(models.texture)).triangles);
    expect(stats.triangles).toBeLessThan(await allMeshTriangles(models.lod));
  });

  it('reports zero for bytes that are not a model', async () => {
    expect(await modelStats(new TextEncoder().encode('not a model'))).toEqual({ triangles: 0 });
  });
});
