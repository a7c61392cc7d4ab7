// A full or unwritable disk fails the request or the step with a clear reason, leaves nothing half-made behind,
// and the server keeps serving.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DISK_FULL_MESSAGE, UNWRITABLE_MESSAGE } from '../../../src/server/errors';
import { createAssetRepository, type NewAsset } from '../../../src/server/storage/asset-repository';
import { openDatabase } from '../../../src/server/storage/database';
import {
  createAsset,
  errorOf,
  makeTestApp,
  multipart,
  objectPng,
  post,
  waitForAsset,
  type TestApp,
} from '../helpers/test-app';
import { faultyFiles, fsError, sqliteError, storedFiles, tempDataDir } from './fault-kit';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function postCreate(app: TestApp['app'], name = 'Vase') {
  const body = await multipart({ name }, [{ field: 'images', bytes: await objectPng(), filename: 'vase.png', type: 'image/png' }]);
  return app.inject({ method: 'POST', url: '/api/assets', ...body });
}

/** Nothing is left of an asset that was refused: no row, no counts, no files. */
async function expectNothingSaved(app: TestApp['app'], dataDir: string) {
  const list = (await app.inject({ method: 'GET', url: '/api/assets' })).json() as { items: unknown[]; counts: object };
  expect(list.items).toEqual([]);
  expect(list.counts).toEqual({ processing: 0, for_review: 0, completed: 0, failed: 0 });
  expect(storedFiles(dataDir)).toEqual([]);
}

describe('a full disk', () => {
  it('refuses a new asset with 507 and a plain message, keeps nothing, and serves on; the next upload works', async () => {
    const dataDir = tempDataDir();
    let full = true;
    // The first image is written; the thumbnail after it meets the full disk, so cleanup has something to remove.
    const files = await faultyFiles(dataDir, (name) => (full && name === 'thumbnail.jpg' ? fsError('ENOSPC') : undefined));
    t = await makeTestApp({ dataDir, files });

    const res = await postCreate(t.app);
    expect(res.statusCode).toBe(507);
    expect(errorOf(res)).toEqual({ code: 'insufficient_storage', message: DISK_FULL_MESSAGE });
    await expectNothingSaved(t.app, dataDir);
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);

    full = false;
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
  });

  it('when the database is full, refuses the asset with 507 and removes the files it had written', async () => {
    const dataDir = tempDataDir();
    const db = openDatabase(path.join(dataDir, 'asset-forge.sqlite'));
    const real = createAssetRepository(db);
    const repo = {
      ...real,
      insert: db.transaction((_a: NewAsset): void => {
        throw sqliteError('SQLITE_FULL');
      }),
    };
    t = await makeTestApp({ dataDir, repo });
    try {
      const res = await postCreate(t.app);
      expect(res.statusCode).toBe(507);
      expect(errorOf(res)).toEqual({ code: 'insufficient_storage', message: DISK_FULL_MESSAGE });
      await expectNothingSaved(t.app, dataDir);
    } finally {
      await t.close();
      t = undefined;
      db.close();
    }
  });

  it('fails a step whose result cannot be saved with a reason saying so, leaves no file, and Retry works', async () => {
    const dataDir = tempDataDir();
    let full = true;
    const files = await faultyFiles(dataDir, (name) => (full && /^v\d+-/.test(name) ? fsError('ENOSPC') : undefined));
    t = await makeTestApp({ dataDir, files });
    const { id } = await createAsset(t.app);

    const failed = await waitForAsset(t.app, id, 'failed');
    expect(failed.status.error_message).toBe(
      "The server's disk is full, so this step's result could not be saved. Retry once space has been freed (ask an admin).",
    );
    expect(failed.versions).toEqual([]);
    // Only what a row points at is on disk: no model, no temp file.
    expect(storedFiles(dataDir).sort()).toEqual([...t.repo.storedFiles()].sort());
    expect(storedFiles(dataDir).filter((f) => /\.glb|\.tmp-/.test(f))).toEqual([]);

    full = false;
    expect((await post(t.app, `/api/assets/${id}/retry`)).statusCode).toBe(200);
    const done = await waitForAsset(t.app, id, 'for_review');
    expect(done.versions).toHaveLength(1);
  });

  it('progress that cannot be written does not stop the step', async () => {
    const dataDir = tempDataDir();
    const db = openDatabase(path.join(dataDir, 'asset-forge.sqlite'));
    const real = createAssetRepository(db);
    let refused = 0;
    const repo = {
      ...real,
      setProgress: () => {
        refused++;
        throw sqliteError('SQLITE_FULL');
      },
    };
    t = await makeTestApp({ dataDir, repo, stepMs: 800 });
    try {
      const { id } = await createAsset(t.app);
      const done = await waitForAsset(t.app, id, 'for_review');
      expect(done.versions).toHaveLength(1);
      expect(refused).toBeGreaterThan(0);
      expect((await t.app.inject({ method: 'GET', url: '/api/assets' })).statusCode).toBe(200);
    } finally {
      await t.close();
      t = undefined;
      db.close();
    }
  });

  it('when even the failure cannot be recorded, the step runs again later instead of staying Processing', async () => {
    const dataDir = tempDataDir();
    const db = openDatabase(path.join(dataDir, 'asset-forge.sqlite'));
    const real = createAssetRepository(db);
    let dbFull = true;
    // Versions and state changes are refused while the database is "full": neither the result nor a failure lands.
    const repo = {
      ...real,
      updateState: (...args: Parameters<typeof real.updateState>) => {
        if (dbFull) throw sqliteError('SQLITE_FULL');
        return real.updateState(...args);
      },
    };
    t = await makeTestApp({ dataDir, repo });
    try {
      const { id } = await createAsset(t.app);
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await waitForAsset(t.app, id, 'processing')).versions).toEqual([]);
      // The result written before the refused record is removed at once, not left for the next start's sweep.
      expect(storedFiles(dataDir).filter((f) => /\/v\d+-/.test(f))).toEqual([]);
      dbFull = false;
      // The runner tries again 5 s after the failed attempt.
      const done = await waitForAsset(t.app, id, 'for_review', 15_000);
      expect(done.versions).toHaveLength(1);
    } finally {
      await t.close();
      t = undefined;
      db.close();
    }
  }, 30_000);
});

describe('an unwritable data folder', () => {
  it.each(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'])('%s on create: 503 with a plain message, nothing kept', async (code) => {
    const dataDir = tempDataDir();
    const files = await faultyFiles(dataDir, () => fsError(code, 'open'));
    t = await makeTestApp({ dataDir, files });
    const res = await postCreate(t.app);
    expect(res.statusCode).toBe(503);
    expect(errorOf(res)).toEqual({ code: 'unavailable', message: UNWRITABLE_MESSAGE });
    await expectNothingSaved(t.app, dataDir);
  });

  it('EROFS while saving a step result fails the step with a reason naming the data folder', async () => {
    const dataDir = tempDataDir();
    const files = await faultyFiles(dataDir, (name) => (name.endsWith('.glb') ? fsError('EROFS', 'open') : undefined));
    t = await makeTestApp({ dataDir, files });
    const { id } = await createAsset(t.app);
    const failed = await waitForAsset(t.app, id, 'failed');
    expect(failed.status.error_message).toBe(
      "The server cannot write its data folder, so this step's result could not be saved. Ask an admin to check DATA_DIR, then Retry.",
    );
  });

  it('a real one (a file where the files folder should be): 503, no row, the server serves on and recovers', async () => {
    t = await makeTestApp();
    const filesDir = path.join(t.dataDir, 'files');
    rmSync(filesDir, { recursive: true });
    writeFileSync(filesDir, 'not a folder');

    const res = await postCreate(t.app);
    expect(res.statusCode).toBe(503);
    expect(errorOf(res)).toEqual({ code: 'unavailable', message: UNWRITABLE_MESSAGE });
    const list = (await t.app.inject({ method: 'GET', url: '/api/assets' })).json() as { items: unknown[] };
    expect(list.items).toEqual([]);

    // Once an admin puts the folder back, uploads work again without a restart.
    rmSync(filesDir);
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
  });
});

describe('a stored file gone from disk', () => {
  it('the model, thumbnail and download routes answer with the JSON error shape, and the server serves on', async () => {
    t = await makeTestApp();
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    for (const rel of t.repo.storedFiles()) if (!rel.endsWith('.png')) rmSync(t.files.absolute(rel));

    for (const url of [`/api/assets/${id}/versions/1/model.glb`, `/api/assets/${id}/thumbnail.jpg`, `/api/assets/${id}/download?format=glb`]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(500);
      expect(errorOf(res), url).toEqual({ code: 'internal', message: 'Something went wrong on our side. Try again in a moment.' });
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${id}` })).statusCode).toBe(200);
  });
});
