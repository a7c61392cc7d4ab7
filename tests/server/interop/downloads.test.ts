// The outside quality bar, checked in the suite: what we serve passes the Khronos glTF validator with
// 0 errors, and every download format imports in Blender (Debian's; .ci/run installs it).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { strFromU8, unzipSync } from 'fflate';
import validator from 'gltf-validator';
import { createAsset, makeTestApp, objectPng, post, waitForAsset, type TestApp } from '../helpers/test-app';

const BLENDER = '/usr/bin/blender';
const hasBlender = existsSync(BLENDER);

let t: TestApp;
let id: string;
let work: string;
const downloads: Record<'glb' | 'gltf' | 'obj', Buffer> = { glb: Buffer.alloc(0), gltf: Buffer.alloc(0), obj: Buffer.alloc(0) };

beforeAll(async () => {
  t = await makeTestApp({ countdownMs: 60_000 });
  work = mkdtempSync(path.join(tmpdir(), 'asset-forge-interop-'));
  id = (await createAsset(t.app, { name: 'Interop vase', images: [await objectPng(256)], polycount: '2000' })).id;
  for (let step = 0; step < 5; step++) {
    await waitForAsset(t.app, id, 'for_review');
    await post(t.app, `/api/assets/${id}/approve`);
    if (step < 4) await post(t.app, `/api/assets/${id}/next-step`);
  }
  for (const format of ['glb', 'gltf', 'obj'] as const) {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/download?format=${format}` });
    expect(res.statusCode).toBe(200);
    downloads[format] = res.rawPayload;
  }
}, 120_000);

afterAll(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

describe('served models pass the Khronos glTF validator', () => {
  it('every version of every step, as served for the preview', async () => {
    const asset = (await t.app.inject({ method: 'GET', url: `/api/assets/${id}` })).json() as { versions: { n: number; step_key: string }[] };
    expect(asset.versions.map((v) => v.step_key)).toEqual(['geometry', 'optimise', 'uv', 'texture', 'lod']);
    for (const v of asset.versions) {
      const glb = (await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/${v.n}/model.glb` })).rawPayload;
      const report = await validator.validateBytes(new Uint8Array(glb));
      expect({ step: v.step_key, errors: report.issues.numErrors }).toEqual({ step: v.step_key, errors: 0 });
    }
  });

  it('the downloaded .gltf with its external buffer and texture', async () => {
    const entries = unzipSync(new Uint8Array(downloads.gltf));
    const gltfName = Object.keys(entries).find((n) => n.endsWith('.gltf')) as string;
    const report = await validator.validateString(strFromU8(entries[gltfName] as Uint8Array), {
      uri: gltfName,
      externalResourceFunction: async (uri: string) => {
        const data = entries[decodeURIComponent(uri)];
        if (!data) throw new Error(`missing ${uri}`);
        return data;
      },
    });
    expect(report.issues.numErrors).toBe(0);
    expect(report.info?.resources?.some((r) => r.mimeType === 'image/jpeg')).toBe(true);
  });
});

describe.skipIf(!hasBlender && !process.env.CI)('downloads import in Blender', () => {
  it('GLB, glTF and OBJ each import with meshes, faces and the texture', async () => {
    const glbPath = path.join(work, 'asset.glb');
    writeFileSync(glbPath, downloads.glb);
    const unpack = (zip: Buffer, dir: string) => {
      const folder = path.join(work, dir);
      mkdirSync(folder);
      for (const [name, data] of Object.entries(unzipSync(new Uint8Array(zip)))) {
        const file = path.join(folder, name);
        if (!file.startsWith(folder + path.sep)) throw new Error(`zip entry escapes its folder: ${name}`);
        writeFileSync(file, data);
      }
      return folder;
    };
    const gltfDir = unpack(downloads.gltf, 'gltf');
    const objDir = unpack(downloads.obj, 'obj');
    const gltfPath = path.join(gltfDir, readdirSync(gltfDir).find((f) => f.endsWith('.gltf')) as string);
    const objPath = path.join(objDir, readdirSync(objDir).find((f) => f.endsWith('.obj') && !f.includes('_LOD')) as string);

    const { stdout } = await promisify(execFile)(
      BLENDER,
      ['-b', '--factory-startup', '--python', path.join(import.meta.dirname, 'blender-import.py'), '--', glbPath, gltfPath, objPath],
      { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const results = stdout
      .split('\n')
      .filter((l) => l.startsWith('IMPORT '))
      .map((l) => JSON.parse(l.slice('IMPORT '.length)) as { file: string; ok: boolean; meshes: number; faces: number; images: number });
    expect(results.map((r) => path.extname(r.file))).toEqual(['.glb', '.gltf', '.obj']);
    for (const r of results) {
      expect(r).toMatchObject({ ok: true });
      expect(r.meshes).toBeGreaterThanOrEqual(1);
      expect(r.faces).toBeGreaterThan(100);
      expect(r.images).toBeGreaterThanOrEqual(1);
    }
  }, 200_000);
});
