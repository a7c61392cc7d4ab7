// Model limits: what a model draws, not what it stores. Each bomb here is a small file that today's validator
// accepts as valid glTF; the limits must refuse it before anything unpacks it, saying which limit and by how much.
import { validateBytes } from 'gltf-validator';
import { LIMITS } from '../../../src/contract/api';
import { checkGlb } from '../../../src/server/models/glb-check';
import { modelStats } from '../../../src/server/models/model-stats';
import { readContainer } from '../../../src/server/pipeline/builtin/glb-container';
import { readModel } from '../../../src/server/pipeline/builtin/gltf-io';
import { measureModel } from '../../../src/server/pipeline/builtin/model-budget';
import { usePipelineModels } from '../helpers/images';
import { deepChain, glbFrom, gpuInstancingBomb, instancingBomb, textureBomb, zeroFilledAccessor } from '../helpers/model-bombs';

const pipelineModels = usePipelineModels();

function measure(glb: Uint8Array) {
  const c = readContainer(glb);
  if (!c.ok) throw new Error(c.reason);
  return measureModel(c.json, c.bin);
}

async function refusal(glb: Uint8Array): Promise<string> {
  const result = await checkGlb(glb);
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.reason;
}

describe('model limits', () => {
  it("the probe's instancing bomb is valid glTF, 365 KB-class, and refused for its 20,000 nodes", async () => {
    const bomb = await instancingBomb(20_000, 1_000);
    expect(bomb.byteLength).toBeLessThan(2_000_000);
    const report = await validateBytes(bomb, { format: 'glb', maxIssues: 5, writeTimestamp: false });
    expect(report.issues.numErrors).toBe(0);
    expect(measure(bomb)).toMatchObject({ sceneTriangles: 20_000_000, nodes: 20_000 });
    expect(await refusal(bomb)).toBe(
      'The model has 20,000 nodes, 2.0 times the limit of 10,000. Merge or remove nodes and export it again.',
    );
  });

  it('counts triangles per node that draws a mesh, and refuses past the limit by how much', async () => {
    const bomb = await instancingBomb(1_600, 2_500); // 4,000,000 triangles from 1,600 nodes: under the node limit
    expect(measure(bomb).sceneTriangles).toBe(4_000_000);
    expect(await refusal(bomb)).toMatch(/^The model draws 4,000,000 triangles .*1\.3 times the limit of 3,000,000\./);
    // Just under the limit is fine.
    const fine = await instancingBomb(1_000, 2_500);
    expect(await checkGlb(fine)).toEqual({ ok: true, triangles: 2_500_000 });
  });

  it('counts GPU instances (EXT_mesh_gpu_instancing)', async () => {
    const bomb = await gpuInstancingBomb(5_000, 1_000);
    expect(measure(bomb).sceneTriangles).toBe(5_000_000);
    expect(await refusal(bomb)).toMatch(/draws 5,000,000 triangles/);
  });

  it('refuses a node hierarchy deeper than the limit', async () => {
    expect(measure(await deepChain(LIMITS.modelDepthMax)).depth).toBe(LIMITS.modelDepthMax);
    expect((await checkGlb(await deepChain(LIMITS.modelDepthMax))).ok).toBe(true);
    expect(await refusal(await deepChain(300))).toMatch(/node hierarchy is 300 levels deep; the limit is 128/);
  });

  it('measures textures from their headers and refuses what would decode to too many pixels', async () => {
    const bomb = await textureBomb(20_000, 20_000);
    expect(bomb.byteLength).toBeLessThan(10_000);
    expect(measure(bomb).texturePixels).toBe(400_000_000);
    expect(await refusal(bomb)).toMatch(/textures add up to 400 megapixels, 3\.0 times the limit of 134 megapixels/);
    expect(measure(await textureBomb(1024, 1024)).texturePixels).toBe(1024 * 1024);
  });

  it('refuses an accessor that unpacks to more data than the limit (zero-filled, no bytes in the file)', async () => {
    const bomb = await zeroFilledAccessor(50_000_000);
    expect(bomb.byteLength).toBeLessThan(10_000);
    expect(await refusal(bomb)).toMatch(/The model's data unpacks to 572 MB, 1\.1 times the limit of 512 MB/);
  });

  /** A one-triangle model with room for the construct under test, as raw glTF JSON. */
  function tiny(extra: (g: Record<string, unknown[] | unknown>) => void): Uint8Array {
    const bin = new Uint8Array(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]).buffer);
    const g: Record<string, unknown> = {
      asset: { version: '2.0' },
      buffers: [{ byteLength: 36 }],
      bufferViews: [{ buffer: 0, byteLength: 36 }],
      accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
      nodes: [{ mesh: 0 }],
      scenes: [{ nodes: [0] }],
      scene: 0,
    };
    extra(g);
    return glbFrom(g, bin);
  }

  it('counts the views meshopt compression expands, and every buffer as declared', async () => {
    const bomb = tiny((g) => {
      g['extensionsUsed'] = ['EXT_meshopt_compression'];
      (g['buffers'] as object[]).push({ byteLength: 64 << 20, extensions: { EXT_meshopt_compression: { fallback: true } } });
      const expands = { buffer: 0, byteLength: 36, byteStride: 16, count: 4 << 20, mode: 'ATTRIBUTES' };
      for (let i = 0; i < 8; i++) {
        (g['bufferViews'] as object[]).push({ buffer: 1, byteLength: 64 << 20, byteStride: 16, extensions: { EXT_meshopt_compression: expands } });
      }
    });
    expect(bomb.byteLength).toBeLessThan(5_000);
    expect(measure(bomb).dataBytes).toBeGreaterThan(9 * 64 * 2 ** 20);
    expect(await refusal(bomb)).toMatch(/^The model's data unpacks to 576 MB, 1\.1 times the limit of 512 MB/);
  });

  it('counts what an OBJ export writes: one file per level, every mesh node in each, at its last level if it has fewer', async () => {
    // One node with 200 levels of a one-triangle mesh; beside it a node of 100,000 triangles with no levels, which
    // the export writes again in each of the 201 files.
    const bomb = tiny((g) => {
      (g['accessors'] as object[]).push({ componentType: 5126, count: 300_000, type: 'VEC3', min: [0, 0, 0], max: [0, 0, 0] });
      (g['meshes'] as object[]).push({ primitives: [{ attributes: { POSITION: 1 } }] });
      g['extensionsUsed'] = ['MSFT_lod'];
      g['nodes'] = [{ mesh: 1 }, { mesh: 0, extensions: { MSFT_lod: { ids: Array<number>(200).fill(2) } } }, { mesh: 0 }];
      g['scenes'] = [{ nodes: [0, 1] }];
    });
    const m = measure(bomb);
    expect(m.sceneTriangles).toBe(100_001);
    expect(m.allTriangles).toBe(201 * 100_000 + 201);
    expect(await refusal(bomb)).toMatch(/^The model draws 20,100,201 triangles counting every level of detail an export writes/);
  });

  it('counts the vertices each primitive writes, however few triangles it draws', async () => {
    const bomb = tiny((g) => {
      (g['accessors'] as object[]).push({ componentType: 5126, count: 200_000, type: 'VEC3', min: [0, 0, 0], max: [0, 0, 0] });
      g['meshes'] = [{ primitives: Array.from({ length: 50 }, () => ({ attributes: { POSITION: 1 }, indices: 0 })) }];
    });
    expect(measure(bomb)).toMatchObject({ sceneTriangles: 50, allVertices: 10_000_000 });
    expect(await refusal(bomb)).toMatch(/^The model writes 10,000,000 vertices .*1\.1 times the limit of 9,000,000/);
  });

  it('counts a GPU-instanced mesh at least once, whatever its instancing attributes say', () => {
    const m = measure(
      tiny((g) => {
        (g['nodes'] as object[])[0] = { mesh: 0, extensions: { EXT_mesh_gpu_instancing: { attributes: {} } } };
      }),
    );
    expect(m.sceneTriangles).toBe(1);
  });

  it('refuses JSON it cannot measure (a level that is not a node index), after the validator has had its say', async () => {
    const odd = tiny((g) => {
      g['extensionsUsed'] = ['MSFT_lod'];
      (g['nodes'] as object[])[0] = { mesh: 0, extensions: { MSFT_lod: { ids: ['x'] } } };
    });
    expect(measure(odd).unmeasurable).toBe(true);
    expect(await refusal(odd)).toMatch(/^The model could not be measured: its JSON does not have the shape of glTF 2\.0/);
    await expect(readModel(odd, 'The model')).rejects.toMatchObject({ reason: expect.stringMatching(/could not be measured/) as unknown });
  });

  it('holds every reader to the same limits: steps and exports (readModel) and stored statistics', async () => {
    const bomb = await instancingBomb(1_600, 2_500);
    await expect(readModel(bomb, 'The uploaded model')).rejects.toMatchObject({
      name: 'StepFailure',
      reason: expect.stringMatching(/^The uploaded model is too big to process\. The model draws 4,000,000 triangles/) as unknown,
    });
    expect(modelStats(bomb).overLimit).toMatch(/4,000,000 triangles/);
  });

  it("keeps every step's real output well inside the limits, and counts LOD levels for exports", () => {
    for (const glb of Object.values(pipelineModels())) {
      expect(modelStats(glb).overLimit).toBeNull();
    }
    const lod = measure(pipelineModels().lod);
    expect(lod.allTriangles).toBeGreaterThan(lod.sceneTriangles * 1.5);
    expect(lod.texturePixels).toBeGreaterThan(0);
  });
});
