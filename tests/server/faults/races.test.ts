// Two requests on one asset at once: an upload that loses a race with a delete is a 404 and leaves nothing.
import type { FileStore } from '../../../src/server/storage/file-store';
import { createFileStore } from '../../../src/server/storage/file-store';
import path from 'node:path';
import { createAsset, errorOf, makeTestApp, multipart, waitForAsset, type TestApp } from '../helpers/test-app';
import { fsError, storedFiles, tempDataDir } from './fault-kit';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('an upload racing a delete of the same asset', () => {
  it('answers 404 (not a 500) and leaves no row and no file of the asset', async () => {
    const dataDir = tempDataDir();
    const real = await createFileStore(path.join(dataDir, 'files'));
    let deleteDuringWrite: string | null = null;
    let deleteStatus: number | null = null;
    // The delete lands while the uploaded model is being written, as it did in the kill loop: the folder is
    // removed under the write, whose rename then fails with ENOENT.
    const files: FileStore = {
      ...real,
      async write(assetId, name, bytes) {
        if (deleteDuringWrite === assetId && name.startsWith('v')) {
          deleteDuringWrite = null;
          const del = await t?.app.inject({ method: 'DELETE', url: `/api/assets/${assetId}` });
          deleteStatus = del?.statusCode ?? null;
          throw fsError('ENOENT', 'rename');
        }
        return real.write(assetId, name, bytes);
      },
    };
    t = await makeTestApp({ dataDir, files });
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const glb = (await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb` })).rawPayload;

    deleteDuringWrite = id;
    const body = await multipart({}, [{ field: 'file', bytes: glb, filename: 'fixed.glb', type: 'model/gltf-binary' }]);
    const res = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/versions`, ...body });
    expect(deleteStatus).toBe(204);
    expect(res.statusCode, res.body).toBe(404);
    expect(errorOf(res).code).toBe('not_found');
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${id}` })).statusCode).toBe(404);
    expect(storedFiles(dataDir).filter((f) => f.startsWith(`${id}/`))).toEqual([]);
  });
});
