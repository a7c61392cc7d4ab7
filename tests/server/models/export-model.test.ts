import { Logger, NodeIO } from '@gltf-transform/core';
import type { GLTF } from '@gltf-transform/core';
import { unzipSync } from 'fflate';
import { validateBytes } from 'gltf-validator';
import { exportModel } from '../../../src/server/models/export-model';
import { modelStats } from '../../../src/server/models/model-stats';
import { boxGlb, usePipelineModels } from '../helpers/images';

// Plain glTF-Transform does not know MSFT_lod and would say so on every read.
const quietIO = () => new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR));

const pipelineModels = usePipelineModels();

/** Compression method of each entry, from the zip's local file headers (0 = stored, 8 = deflated). */
function zipMethods(zip: Uint8Array): Map<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const methods = new Map<string, number>();
  let offset = 0;
  while (offset + 30 <= zip.length && view.getUint32(offset, true) === 0x04034b50) {
    const method = view.getUint16(offset + 8, true);
    const size = view.getUint32(offset + 18, true);
    const nameLength = view.getUint16(offset + 26, true);
    const extraLength = view.getUint16(offset + 28, true);
    methods.set(new TextDecoder().decode(zip.subarray(offset + 30, offset + 30 + nameLength)), method);
    offset += 30 + nameLength + extraLength + size;
  }
  return methods;
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const lines = (obj: string, prefix: string) => obj.split('\n').filter((l) => l.startsWith(prefix));

describe('exportModel', () => {
  it('hands a GLB back as it is', async () => {
    const out = await exportModel(pipelineModels().lod, 'glb', 'test-object');
    expect(out).toEqual({ bytes: pipelineModels().lod, contentType: 'model/gltf-binary', fileName: 'test-object.glb' });
  });

  it('zips a .gltf with its .bin and texture that re-imports and validates', async () => {
    const out = await exportModel(pipelineModels().lod, 'gltf', 'test-object');
    expect(out.contentType).toBe('application/zip');
    expect(out.fileName).toBe('test-object-gltf.zip');
    const files = unzipSync(out.bytes);
    const names = Object.keys(files).sort();
    expect(names).toEqual(['test-object.bin', 'test-object.gltf', 'test-object_basecolor.jpg']);
    expect(zipMethods(out.bytes).get('test-object_basecolor.jpg')).toBe(0);

    const json = JSON.parse(text(files['test-object.gltf'])) as GLTF.IGLTF;
    expect(json.buffers?.[0]?.uri).toBe('test-object.bin');
    expect(json.images?.[0]?.uri).toBe('test-object_basecolor.jpg');
    const resources: Record<string, Uint8Array<ArrayBuffer>> = {};
    for (const [name, data] of Object.entries(files)) if (name !== 'test-object.gltf') resources[name] = new Uint8Array(data);
    const doc = await quietIO().readJSON({ json, resources });
    expect(doc.getRoot().listTextures()).toHaveLength(1);
    expect(doc.getRoot().listMeshes()).toHaveLength(4);

    const report = await validateBytes(files['test-object.gltf'] ?? new Uint8Array(), {
      format: 'gltf',
      externalResourceFunction: async (uri) => resources[decodeURIComponent(uri)] ?? Promise.reject(new Error(`missing ${uri}`)),
    });
    expect(report.issues.numErrors).toBe(0);
  });

  it('zips one OBJ per level with normals, flipped V, materials and the texture', async () => {
    const out = await exportModel(pipelineModels().lod, 'obj', 'test-object');
    expect(out.fileName).toBe('test-object-obj.zip');
    const files = unzipSync(out.bytes);
    expect(Object.keys(files).sort()).toEqual([
      'test-object.mtl',
      'test-object.obj',
      'test-object_LOD1.obj',
      'test-object_LOD2.obj',
      'test-object_LOD3.obj',
      'test-object_basecolor.jpg',
    ]);
    const obj = text(files['test-object.obj']);
    expect(obj).toContain('mtllib test-object.mtl');
    expect(lines(obj, 'usemtl ')).toHaveLength(1);
    const v = lines(obj, 'v ');
    const vt = lines(obj, 'vt ');
    const vn = lines(obj, 'vn ');
    expect(v.length).toBeGreaterThan(0);
    expect(vt).toHaveLength(v.length);
    expect(vn).toHaveLength(v.length);
    const faces = lines(obj, 'f ');
    expect(faces).toHaveLength(modelStats(pipelineModels().lod).triangles);
    for (const face of faces) {
      for (const corner of face.slice(2).split(' ')) {
        const [vi, ti, ni] = corner.split('/').map(Number);
        expect(vi).toBeGreaterThanOrEqual(1);
        expect(vi).toBeLessThanOrEqual(v.length);
        expect(ti).toBe(vi);
        expect(ni).toBe(vi);
      }
    }

    // V is flipped against glTF, vertex for vertex.
    const prim = (await quietIO().readBinary(pipelineModels().lod)).getRoot().listNodes()[0]?.getMesh()?.listPrimitives()[0];
    const uv = prim?.getAttribute('TEXCOORD_0')?.getElement(0, []) ?? [];
    const [u0, v0] = (vt[0] ?? '').split(' ').slice(1).map(Number);
    expect(u0).toBeCloseTo(uv[0] ?? NaN, 5);
    expect(v0).toBeCloseTo(1 - (uv[1] ?? NaN), 5);

    const mtl = text(files['test-object.mtl']);
    expect(mtl).toMatch(/^newmtl \S+$/m);
    expect(mtl).toMatch(/^map_Kd test-object_basecolor\.jpg$/m);

    const counts = ['test-object.obj', 'test-object_LOD1.obj', 'test-object_LOD2.obj', 'test-object_LOD3.obj'].map(
      (name) => lines(text(files[name]), 'f ').length,
    );
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThan(counts[i - 1] as number);
    expect(text(files['test-object_LOD2.obj'])).toContain('mtllib test-object.mtl');
  });

  it('applies node transforms and writes faces without UVs when the model has none', async () => {
    const out = await exportModel(await boxGlb(1, [5, -3, 2]), 'obj', 'box');
    const files = unzipSync(out.bytes);
    expect(Object.keys(files).sort()).toEqual(['box.mtl', 'box.obj']);
    const obj = text(files['box.obj']);
    const xs = lines(obj, 'v ').map((l) => Number(l.split(' ')[1]));
    expect(Math.min(...xs)).toBeCloseTo(4.5, 5);
    expect(Math.max(...xs)).toBeCloseTo(5.5, 5);
    expect(lines(obj, 'vt ')).toHaveLength(0);
    expect(lines(obj, 'f ')).toHaveLength(12);
    expect(lines(obj, 'f ')[0]).toMatch(/^f \d+\/\/\d+ \d+\/\/\d+ \d+\/\/\d+$/);
    expect(text(files['box.mtl'])).toMatch(/^newmtl paint$/m);
    expect(text(files['box.mtl'])).toMatch(/^Kd 0\.2 0\.4 0\.8$/m);
  });

  it('stops writing OBJ text past its own bound, over all levels together, with a reason', async () => {
    const lod = pipelineModels().lod;
    const whole = unzipSync((await exportModel(lod, 'obj', 'x')).bytes);
    const written = Object.entries(whole).filter(([n]) => n.endsWith('.obj')).reduce((sum, [, b]) => sum + b.byteLength, 0);
    // Room for the first level but not for all four.
    const first = whole['x.obj']?.byteLength ?? 0;
    await expect(exportModel(lod, 'obj', 'x', { objTextMax: first + 1000 })).rejects.toMatchObject({
      name: 'StepFailure',
      reason: 'As OBJ it would be larger than this server writes for one download. Download it as GLB, which needs no conversion.',
    });
    await expect(exportModel(lod, 'obj', 'x', { objTextMax: written })).resolves.toMatchObject({ contentType: 'application/zip' });
  });
});
