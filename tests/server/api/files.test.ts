import { unzipSync, strFromU8 } from 'fflate';
import { createAsset, errorOf, makeTestApp, post, waitForAsset, type TestApp } from '../helpers/test-app';

let t: TestApp;
let id: string;
beforeAll(async () => {
  t = await makeTestApp();
  id = (await createAsset(t.app, { name: 'Café chair / v2' })).id;
  await waitForAsset(t.app, id, 'for_review');
});
afterAll(async () => {
  await t.close();
});

describe('model files and downloads', () => {
  it('serves a version as a GLB the browser keeps only to revalidate, and answers 304 when it has it', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('model/gltf-binary');
    // Never used from the cache unasked: after sign-out or lost access the server decides, not the cache.
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(res.rawPayload.subarray(0, 4).toString('ascii')).toBe('glTF');
    expect(res.rawPayload.readUInt32LE(8)).toBe(res.rawPayload.length);
    const etag = String(res.headers['etag']);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb`, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload).toHaveLength(0);
    expect(again.headers['cache-control']).toBe('private, no-cache');
    const other = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb`, headers: { 'if-none-match': '"old"' } });
    expect(other.statusCode).toBe(200);
  });

  it('serves the thumbnail the same way', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/thumbnail.jpg` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const again = await t.app.inject({
      method: 'GET',
      url: `/api/assets/${id}/thumbnail.jpg`,
      headers: { 'if-none-match': String(res.headers['etag']) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('downloads the current version as GLB with a safe file name', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/download` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="cafe-chair-v2.glb"; filename*=UTF-8''Caf%C3%A9%20chair%20_%20v2.glb`,
    );
    expect(res.rawPayload.subarray(0, 4).toString('ascii')).toBe('glTF');
  });

  it('downloads glTF as a zip holding the .gltf, its buffer, and nothing outside the zip root', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/download?format=gltf` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="cafe-chair-v2-gltf.zip"; filename*=UTF-8''Caf%C3%A9%20chair%20_%20v2-gltf.zip`,
    );
    const entries = unzipSync(new Uint8Array(res.rawPayload));
    const names = Object.keys(entries);
    expect(names).toContain('cafe-chair-v2.gltf');
    expect(names.every((n) => !n.includes('..') && !n.startsWith('/'))).toBe(true);
    const json = JSON.parse(strFromU8(entries['cafe-chair-v2.gltf'] as Uint8Array)) as { buffers: { uri: string }[] };
    for (const b of json.buffers) expect(names).toContain(b.uri);
  });

  it('downloads OBJ as a zip with the OBJ and its material', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/download?format=obj` });
    expect(res.statusCode).toBe(200);
    const entries = unzipSync(new Uint8Array(res.rawPayload));
    const obj = strFromU8(entries['cafe-chair-v2.obj'] as Uint8Array);
    expect(obj).toMatch(/^v /m);
    expect(obj).toMatch(/^f /m);
    expect(obj).toContain('mtllib cafe-chair-v2.mtl');
    expect(Object.keys(entries)).toContain('cafe-chair-v2.mtl');
  });

  it('downloads an older version by number, named after it', async () => {
    await post(t.app, `/api/assets/${id}/revisions`, { note: 'thicker' });
    await waitForAsset(t.app, id, 'for_review');
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/download?version=1` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="cafe-chair-v2-v1.glb"; filename*=UTF-8''Caf%C3%A9%20chair%20_%20v2%20v1.glb`,
    );
  });

  it('percent-encodes a name with quotes and brackets as RFC 8187 asks', async () => {
    const { contentDisposition } = await import('../../../src/server/routes/files');
    expect(contentDisposition('bob-s-big-chair.glb', "Bob's (big) chair!.glb")).toBe(
      `attachment; filename="bob-s-big-chair.glb"; filename*=UTF-8''Bob%27s%20%28big%29%20chair%21.glb`,
    );
  });

  it('drops hidden characters from the name a download is saved under, so it displays as typed', async () => {
    const { contentDisposition } = await import('../../../src/server/routes/files');
    // Stored before names were checked: a right-to-left override that shows "gnp.exe.glb" as "blg.exe.png".
    expect(contentDisposition('x.glb', '\u202Egnp.exe\u200B.glb')).toBe(`attachment; filename="x.glb"; filename*=UTF-8''gnp.exe.glb`);
    expect(contentDisposition('x.glb', 'line\u2028break\u0007.glb')).toBe(`attachment; filename="x.glb"; filename*=UTF-8''linebreak.glb`);
  });

  it.each([
    [`/download?format=fbx`, 400, 'format'],
    [`/download?version=99`, 404, 'no version 99'],
    [`/download?version=-1`, 400, 'version'],
    [`/versions/99/model.glb`, 404, 'no version 99'],
    [`/versions/abc/model.glb`, 400, 'n'],
  ])('answers %s with %i', async (suffix, status, message) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}${suffix}` });
    expect(res.statusCode).toBe(status);
    expect(errorOf(res).message).toContain(message);
  });

  it('answers 409 for a download before the first step has produced a model', async () => {
    const fresh = await createAsset(t.app, { name: 'Too soon' });
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${fresh.id}/download` });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).message).toMatch(/no model yet/);
    await t.app.assets.runner.idle();
  });
});
