// Issue 7 at test size: the bulk seed makes assets the API serves, name search through the trigram index answers
// exactly what "name contains q" did, counts follow every change, and polls cost nothing while their page is still.
import fc from 'fast-check';
import { AssetListSchema, mergeListPage, type AssetList } from '../../../src/contract/api';
import { AssetSchema, PHASES, stageLabel } from '../../../src/contract/asset';
import { bulkSeed } from '../../../src/server/seed/bulk-seed';
import { createAsset, makeTestApp, post, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ stepMs: 0 });
});
afterEach(async () => {
  await t.close();
});

async function list(query = '', headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: 'GET', url: `/api/assets${query}`, headers });
  return { res, body: res.statusCode === 200 ? AssetListSchema.parse(res.json()) : undefined };
}

/** Inserts assets with exactly these names, straight through the repository (no files, no steps). */
function insertNamed(names: readonly string[]): string[] {
  return names.map((name, i) => {
    const id = `n${String(i).padStart(6, '0')}x${Math.random().toString(36).slice(2, 7)}`;
    t.repo.insert({ id, name, createdAt: 1_000 + i, pipeline: [{ key: 'geometry', label: 'High Poly Geometry' }], polycount: null, hasThumbnail: false, images: [] });
    return id;
  });
}

describe('bulk seed', () => {
  it('makes assets in every stage that the API serves, with files that download and survive the start-up sweep', async () => {
    const r = await bulkSeed({ db: t.db, files: t.files, count: 400, processing: 0, seed: 3 });
    expect(r.made).toBe(400);
    const all: AssetList['items'] = [];
    let cursor: string | null = null;
    do {
      const { body } = await list(`?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      if (!body) throw new Error('list failed');
      all.push(...body.items.map((a) => AssetSchema.parse(a)));
      cursor = body.next_cursor;
    } while (cursor);
    expect(all).toHaveLength(400);
    const labels = new Set(all.map(stageLabel));
    for (const label of ['For Review', 'Approved', 'Completed', 'Generation Failed']) expect(labels).toContain(label);
    const { body } = await list();
    expect(Object.values(body?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(400);

    for (const a of all) {
      // Versions are numbered 1..n and cover the steps up to the current one as its stage says.
      expect(a.versions.map((v) => v.n)).toEqual(a.versions.map((_, i) => i + 1));
      const lastStepWithModel = Math.max(-1, ...a.versions.map((v) => a.pipeline.findIndex((p) => p.key === v.step_key)));
      const expected = a.status.phase === 'failed' ? a.step_index - 1 : a.step_index;
      expect(lastStepWithModel).toBe(expected);
      expect(a.revisions.length).toBe(a.versions.filter((v) => v.source === 'revision').length);
      expect(a.thumbnail_url).not.toBeNull();
    }
    // Files are real and shared: a preview, a thumbnail and a download work; the sweep keeps them all.
    const done = all.find((a) => stageLabel(a) === 'Completed') as (typeof all)[number];
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${done.id}/versions/1/model.glb` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${done.id}/thumbnail.jpg` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${done.id}/download?format=glb` })).statusCode).toBe(200);
    expect(await t.files.sweep(t.repo.storedFiles())).toBe(0);
    // Deleting one asset leaves the files the others share.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/assets/${done.id}` })).statusCode).toBe(204);
    const other = all.find((a) => a.id !== done.id && a.versions.length > 0) as (typeof all)[number];
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${other.id}/versions/1/model.glb` })).statusCode).toBe(200);
  });

  it('keeps the change counter ahead of every row, so tags made before it never match after', async () => {
    const before = await list();
    await bulkSeed({ db: t.db, files: t.files, count: 20, processing: 2, seed: 5 });
    const seq = t.repo.changeSeq();
    const max = (t.db.prepare('SELECT MAX(change_seq) AS m FROM assets').get() as { m: number }).m;
    expect(max).toBe(seq);
    const after = await list('', { 'if-none-match': before.res.headers.etag as string });
    expect(after.res.statusCode).toBe(200);
    expect(after.body?.counts.processing).toBe(2);
  });
});

describe('name search', () => {
  const alphabet = ['a', 'b', 'A', 'é', 'É', '%', '_', '\\', "'", '"', ' ', 'ß', 'İ', '東', '京', '😀', '*', 'x'];
  const nameArb = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));

  it('answers exactly what "the lower-cased name contains the lower-cased q" answers, counts included', async () => {
    const names = fc.sample(nameArb, { numRuns: 120, seed: 42 }).filter((n) => n.trim().length > 0);
    insertNamed(names);
    const ids = new Map<string, string[]>();
    for (const a of t.app.assets.list({ sort: 'newest', limit: 100 }).items) ids.set(a.name, [...(ids.get(a.name) ?? []), a.id]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(nameArb, fc.constantFrom(...names).map((n) => [...n].slice(1, 5).join(''))),
        async (raw) => {
          const q = raw.trim();
          if (!q) return;
          const expected = names.filter((n) => n.toLowerCase().includes(q.toLowerCase()));
          const found: string[] = [];
          let cursor: string | null = null;
          let counts: AssetList['counts'] | undefined;
          do {
            const { body } = await list(`?q=${encodeURIComponent(q)}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
            if (!body) throw new Error('list failed');
            found.push(...body.items.map((a) => a.name));
            counts ??= body.counts;
            cursor = body.next_cursor;
          } while (cursor);
          expect([...found].sort()).toEqual([...expected].sort());
          expect(counts?.processing).toBe(expected.length);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('finds a word among many names by trigram and by a short (one or two character) search alike', async () => {
    insertNamed(['Brass lantern', 'Oak chair', 'Lantern, large', 'Kyōto vase', '東京 tower', 'a']);
    expect((await list('?q=LANTERN')).body?.items.map((a) => a.name).sort()).toEqual(['Brass lantern', 'Lantern, large']);
    expect((await list('?q=%C5%8D')).body?.items.map((a) => a.name)).toEqual(['Kyōto vase']);
    expect((await list('?q=%E6%9D%B1%E4%BA%AC')).body?.items.map((a) => a.name)).toEqual(['東京 tower']);
    expect((await list('?q=n,')).body?.items.map((a) => a.name)).toEqual(['Lantern, large']);
  });
});

describe('counts', () => {
  it('follow creates, stage changes and deletes', async () => {
    const a = await createAsset(t.app, { name: 'One' });
    const b = await createAsset(t.app, { name: 'Two' });
    const early = (await list()).body?.counts;
    expect((early?.processing ?? 0) + (early?.for_review ?? 0)).toBe(2);
    await t.app.assets.runner.idle();
    expect((await list()).body?.counts).toEqual({ processing: 0, for_review: 2, completed: 0, failed: 0 });
    await post(t.app, `/api/assets/${a.id}/approve`);
    expect((await list()).body?.counts).toEqual({ processing: 0, for_review: 1, completed: 1, failed: 0 });
    await t.app.inject({ method: 'DELETE', url: `/api/assets/${b.id}` });
    expect((await list()).body?.counts).toEqual({ processing: 0, for_review: 0, completed: 1, failed: 0 });
    // The kept counts always equal a recount.
    const recount = t.db.prepare('SELECT phase, COUNT(*) AS n FROM assets GROUP BY phase').all() as { phase: string; n: number }[];
    const counts = t.repo.counts();
    for (const p of PHASES) expect(counts[p]).toBe(recount.find((r) => r.phase === p)?.n ?? 0);
  });
});

describe('polling', () => {
  it('answers 304 while the page is unchanged, even as assets off the page change', async () => {
    const ids = insertNamed(['a1', 'a2', 'a3', 'a4']); // newest first: a4, a3 on the first page of 2
    const first = await list('?limit=2');
    expect(first.body?.items.map((a) => a.name)).toEqual(['a4', 'a3']);
    const etag = first.res.headers.etag as string;
    // a1 is on no page we hold, but setting its progress is a change elsewhere: still 304.
    t.repo.setProgress(ids[0] as string, 0.5);
    expect((await list('?limit=2', { 'if-none-match': etag })).res.statusCode).toBe(304);
    // A change to an asset on the page is a 200 with a new tag.
    t.repo.setProgress(ids[3] as string, 0.5);
    const changed = await list('?limit=2', { 'if-none-match': etag });
    expect(changed.res.statusCode).toBe(200);
    expect(changed.res.headers.etag).not.toBe(etag);
    expect(changed.body?.items[0]?.status.progress).toBe(0.5);
  });

  it('answers a change of counts with a 200, as the counts are part of the page', async () => {
    const [a] = await Promise.all([createAsset(t.app, { name: 'Moves' })]);
    await t.app.assets.runner.idle();
    insertNamed(['n1', 'n2']);
    const first = await list('?limit=1');
    await post(t.app, `/api/assets/${a?.id}/approve`); // not on the page, but for_review → completed
    const again = await list('?limit=1', { 'if-none-match': first.res.headers.etag as string });
    expect(again.res.statusCode).toBe(200);
    expect(again.body?.counts.completed).toBe(1);
  });

  it('with since, sends only what changed and the page ids, which merge into the page held', async () => {
    const ids = insertNamed(['s1', 's2', 's3']);
    const full = await list('?limit=2&since=0');
    expect(full.body?.items.map((a) => a.name)).toEqual(['s3', 's2']);
    expect(full.body?.item_ids).toBeUndefined();
    const token = full.body?.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.\d+$/);

    const idle = await list(`?limit=2&since=${token}`);
    expect(idle.body?.items).toEqual([]);
    expect(idle.body?.item_ids).toEqual([ids[2], ids[1]]);
    expect(mergeListPage(full.body, idle.body as AssetList)?.items).toEqual(full.body?.items);
    // Unchanged since: the same URL revalidates to 304.
    expect((await list(`?limit=2&since=${token}`, { 'if-none-match': idle.res.headers.etag as string })).res.statusCode).toBe(304);

    t.repo.setProgress(ids[1] as string, 0.25);
    const delta = await list(`?limit=2&since=${token}`);
    expect(delta.body?.items.map((a) => a.name)).toEqual(['s2']);
    const merged = mergeListPage(full.body, delta.body as AssetList);
    expect(merged?.items.map((a) => [a.name, a.status.progress])).toEqual([
      ['s3', 0],
      ['s2', 0.25],
    ]);
    expect(merged?.items).toEqual((await list('?limit=2')).body?.items);

    // An asset that moves in unchanged from elsewhere cannot be merged: the client asks again with since=0.
    await t.app.inject({ method: 'DELETE', url: `/api/assets/${ids[2]}` });
    const shifted = await list(`?limit=2&since=${delta.body?.token}`);
    expect(shifted.body?.item_ids).toEqual([ids[1], ids[0]]);
    expect(mergeListPage(merged ?? undefined, shifted.body as AssetList)).toBeNull();
  });

  it('answers a token from another boot or a bad token sensibly', async () => {
    insertNamed(['x1']);
    const stale = await list('?since=AAAAAAAA.1');
    expect(stale.res.statusCode).toBe(200);
    expect(stale.body?.item_ids).toBeUndefined();
    expect(stale.body?.items).toHaveLength(1);
    expect((await list('?since=nope')).res.statusCode).toBe(400);
    // Without since, the answer has neither of the new fields: older clients see what they always saw.
    const plain = await list();
    expect(plain.body && 'token' in plain.body).toBe(false);
  });
});
