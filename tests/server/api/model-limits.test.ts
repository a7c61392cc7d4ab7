// The model limits over HTTP: an upload, a generator's output and a download are all held to what the model draws.
import { createBuiltinGenerator } from '../../../src/server/pipeline/builtin-generator';
import { createAsset, errorOf, getAsset, makeTestApp, multipart, waitForAsset, type TestApp } from '../helpers/test-app';
import { instancingBomb } from '../helpers/model-bombs';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

describe('model limits over HTTP', () => {
  it('refuses an instancing bomb upload with a 422 that names the limit, and keeps the versions it had', async () => {
    t = await makeTestApp();
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const body = await multipart({}, [{ field: 'file', bytes: await instancingBomb(20_000, 1_000), filename: 'bomb.glb' }]);
    const res = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/versions`, ...body });
    expect(res.statusCode).toBe(422);
    expect(errorOf(res)).toEqual({
      code: 'unprocessable',
      message: 'The model has 20,000 nodes, 2.0 times the limit of 10,000. Merge or remove nodes and export it again.',
    });
    const a = await getAsset(t.app, id);
    expect(a.versions).toHaveLength(1);
    expect(a.status.phase).toBe('for_review');
  });

  it("fails the step, saying why, when the generator's own output breaks a limit", async () => {
    const bomb = await instancingBomb(1_600, 2_500);
    t = await makeTestApp({ generator: { ...createBuiltinGenerator(), geometry: async () => ({ ok: true, glb: bomb }) } });
    const { id } = await createAsset(t.app);
    const a = await waitForAsset(t.app, id, 'failed');
    expect(a.status.error_message).toMatch(
      /^The model this step made cannot be kept\. The model draws 4,000,000 triangles .*1\.3 times the limit of 3,000,000\./,
    );
    expect(a.versions).toHaveLength(0);
  });

  it('refuses to convert a stored model over the limits (one kept from before they existed) with a 422', async () => {
    t = await makeTestApp();
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const bomb = await instancingBomb(1_600, 2_500);
    const file = await t.files.write(id, 'v2-old-bomb.glb', bomb);
    t.repo.addVersion({
      asset_id: id, n: 2, step_key: 'geometry', source: 'uploaded', created_at: Date.now(), note: null,
      file, size_bytes: bomb.byteLength, triangles: 4_000_000,
    });
    for (const format of ['obj', 'gltf']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/download?format=${format}&version=2` });
      expect(res.statusCode).toBe(422);
      expect(errorOf(res).message).toMatch(/^This version cannot be converted to (OBJ|GLTF)\. .*draws 4,000,000 triangles/);
    }
    // The file itself is still there to download as it was stored.
    const raw = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/download?format=glb&version=2` });
    expect(raw.statusCode).toBe(200);
    expect(raw.rawPayload.byteLength).toBe(bomb.byteLength);
  });
});
