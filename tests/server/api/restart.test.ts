import { createAsset, getAsset, makeTestApp, post, waitForAsset } from '../helpers/test-app';

describe('a restart loses nothing', () => {
  it('keeps assets, versions, revisions and a running countdown, which still fires', async () => {
    const first = await makeTestApp({ countdownMs: 60_000 });
    const { id } = await createAsset(first.app, { name: 'Survivor' });
    await waitForAsset(first.app, id, 'for_review');
    await post(first.app, `/api/assets/${id}/revisions`, { note: 'rounder' });
    await waitForAsset(first.app, id, 'for_review');
    const approved = (await post(first.app, `/api/assets/${id}/approve`)).json() as { next_step_at: number };
    const before = await getAsset(first.app, id);
    await first.close(true);

    // The second server's clock is past the deadline: the countdown must fire on start, with no request.
    const second = await makeTestApp({ dataDir: first.dataDir, now: () => Date.now() + 61_000 });
    try {
      expect(second.repo.toAsset(second.repo.get(id) ?? assert.fail('asset lost'))).toEqual(before);
      expect(before.next_step_at).toBe(approved.next_step_at);
      const next = await waitForAsset(second.app, id, (a) => a.step_index === 1, 10_000);
      expect(next.next_step_at).toBeNull();
      expect(next.versions.map((v) => v.source)).toEqual(['generated', 'revision']);
    } finally {
      await second.close();
    }
  });

  it('re-queues a step that was running when the server stopped, instead of leaving it Processing', async () => {
    const first = await makeTestApp({ stepMs: 5_000 });
    const { id } = await createAsset(first.app, { name: 'Interrupted' });
    await waitForAsset(first.app, id, (a) => (a.status.progress ?? 0) > 0, 5_000);
    await first.close(true);
    // Closing stopped the step rather than waiting for it: nothing was recorded yet.
    const { openDatabase } = await import('../../../src/server/storage/database');
    const db = openDatabase(`${first.dataDir}/asset-forge.sqlite`);
    expect(db.prepare('SELECT phase FROM assets WHERE id = ?').get(id)).toEqual({ phase: 'processing' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM versions').get()).toEqual({ n: 0 });
    db.close();

    const second = await makeTestApp({ dataDir: first.dataDir, stepMs: 0 });
    try {
      const done = await waitForAsset(second.app, id, 'for_review');
      expect(done.versions).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('sweeps files a crash left without a row: temp files, unrecorded versions, folders of unsaved assets', async () => {
    const t = await makeTestApp();
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const kept = [...t.repo.storedFiles()].map((rel) => t.files.absolute(rel));
    const temp = `${t.files.absolute(`${id}/thumbnail.jpg`)}.tmp-deadbeef`;
    const unrecorded = t.files.absolute(`${id}/v9-abcdef12.glb`);
    const orphanDir = path.join(t.files.root, 'NeverSaved123');
    fs.writeFileSync(temp, 'half');
    fs.writeFileSync(unrecorded, 'glTF');
    fs.mkdirSync(orphanDir);
    fs.writeFileSync(path.join(orphanDir, 'input-0.png'), 'png');

    expect(await t.files.sweep(t.repo.storedFiles())).toBe(3);
    expect([temp, unrecorded, orphanDir].filter((p) => fs.existsSync(p))).toEqual([]);
    expect(kept.length).toBeGreaterThanOrEqual(3); // input image, thumbnail, version 1
    expect(kept.every((p) => fs.existsSync(p))).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb` })).statusCode).toBe(200);
    await t.close();
  });
});
