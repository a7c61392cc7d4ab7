import { createAsset, getAsset, makeTestApp, post, waitForAsset } from '../helpers/test-app';

describe('a restart loses nothing', () => {
  it('keeps assets, versions, revisions and a running countdown, which still fires', async () => {
    const first = await makeTestApp({ countdownMs: 800 });
    const { id } = await createAsset(first.app, { name: 'Survivor' });
    await waitForAsset(first.app, id, 'for_review');
    await post(first.app, `/api/assets/${id}/revisions`, { note: 'rounder' });
    await waitForAsset(first.app, id, 'for_review');
    const approved = (await post(first.app, `/api/assets/${id}/approve`)).json() as { next_step_at: number };
    const before = await getAsset(first.app, id);
    await first.close(true);

    const second = await makeTestApp({ dataDir: first.dataDir, countdownMs: 800 });
    try {
      const after = await getAsset(second.app, id);
      expect(after).toEqual(before);
      expect(after.next_step_at).toBe(approved.next_step_at);
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

    const second = await makeTestApp({ dataDir: first.dataDir, stepMs: 0 });
    try {
      const done = await waitForAsset(second.app, id, 'for_review');
      expect(done.versions).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('sweeps half-written temp files left by a crash', async () => {
    const t = await makeTestApp();
    const { id } = await createAsset(t.app);
    await t.app.assets.runner.idle();
    const fs = await import('node:fs');
    const temp = `${t.files.absolute(`${id}/thumbnail.jpg`)}.tmp-deadbeef`;
    fs.writeFileSync(temp, 'half');
    expect(await t.files.sweepTemp()).toBe(1);
    expect(fs.existsSync(temp)).toBe(false);
    await t.close();
  });
});
