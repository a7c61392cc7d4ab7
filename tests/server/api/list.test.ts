import path from 'node:path';
import { AssetListSchema, type AssetList } from '../../../src/contract/api';
import { SEQ_RESYNC_MS } from '../../../src/server/storage/asset-repository';
import { openDatabase } from '../../../src/server/storage/database';
import { createAsset, errorOf, makeTestApp, post, waitForAsset, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ stepMs: 0 });
});
afterEach(async () => {
  await t.close();
});

async function list(query = ''): Promise<AssetList> {
  const res = await t.app.inject({ method: 'GET', url: `/api/assets${query}` });
  expect(res.statusCode).toBe(200);
  return AssetListSchema.parse(res.json());
}

async function seed(names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    ids.push((await createAsset(t.app, { name })).id);
    await new Promise((r) => setTimeout(r, 3)); // distinct created_at
  }
  await t.app.assets.runner.idle();
  return ids;
}

describe('GET /api/assets', () => {
  it('lists newest first with per-phase counts', async () => {
    const ids = await seed(['Alpha', 'Bravo', 'Charlie']);
    await post(t.app, `/api/assets/${ids[0]}/approve`);
    const body = await list();
    expect(body.items.map((a) => a.name)).toEqual(['Charlie', 'Bravo', 'Alpha']);
    expect(body.counts).toEqual({ processing: 0, for_review: 2, completed: 1, failed: 0 });
    expect(body.next_cursor).toBeNull();
  });

  it('filters by phase and searches names case-insensitively, counting within the search', async () => {
    const ids = await seed(['Red chair', 'Blue chair', 'Lamp']);
    await post(t.app, `/api/assets/${ids[1]}/approve`);
    expect((await list('?phase=completed')).items.map((a) => a.name)).toEqual(['Blue chair']);
    const found = await list('?q=CHAIR');
    expect(found.items.map((a) => a.name)).toEqual(['Blue chair', 'Red chair']);
    expect(found.counts).toEqual({ processing: 0, for_review: 1, completed: 1, failed: 0 });
    expect((await list('?q=chair&phase=for_review')).items.map((a) => a.name)).toEqual(['Red chair']);
  });

  it('treats % and _ in a search as plain characters', async () => {
    await seed(['100% wool', 'wool', 'snake_case', 'snakeXcase']);
    expect((await list('?q=' + encodeURIComponent('100%'))).items.map((a) => a.name)).toEqual(['100% wool']);
    expect((await list('?q=e_c')).items.map((a) => a.name)).toEqual(['snake_case']);
  });

  it('sorts by name and by last update', async () => {
    const ids = await seed(['banana', 'Apple', 'cherry']);
    expect((await list('?sort=name')).items.map((a) => a.name)).toEqual(['Apple', 'banana', 'cherry']);
    await new Promise((r) => setTimeout(r, 5));
    await post(t.app, `/api/assets/${ids[0]}/approve`);
    expect((await list('?sort=updated')).items[0]?.name).toBe('banana');
  });

  it.each(['newest', 'name', 'updated'])('pages with a cursor (sort=%s) without gaps or repeats', async (sort) => {
    const names = ['e', 'b', 'd', 'a', 'c', 'f', 'g'];
    await seed(names);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: AssetList = await list(`?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((a) => a.name));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual([...names].sort());
    const all = (await list(`?sort=${sort}`)).items.map((a) => a.name);
    expect(seen).toEqual(all);
  });

  it('answers 304 to If-None-Match until something changes', async () => {
    const [id] = await seed(['Vase']);
    const first = await t.app.inject({ method: 'GET', url: '/api/assets?phase=for_review' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await t.app.inject({ method: 'GET', url: '/api/assets?phase=for_review', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // Another query has another tag.
    const other = await t.app.inject({ method: 'GET', url: '/api/assets?phase=failed', headers: { 'if-none-match': etag } });
    expect(other.statusCode).toBe(200);
    await post(t.app, `/api/assets/${id}/approve`);
    const changed = await t.app.inject({ method: 'GET', url: '/api/assets?phase=for_review', headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('sees a change another process commits within SEQ_RESYNC_MS', async () => {
    await seed(['Vase']);
    const first = await t.app.inject({ method: 'GET', url: '/api/assets' });
    const etag = first.headers.etag as string;
    // Another process (here: another connection to the same file) renames the asset and moves the counter.
    const other = openDatabase(path.join(t.dataDir, 'asset-forge.sqlite'));
    try {
      other.transaction(() => {
        const seq = (other.prepare(`UPDATE meta SET value = value + 1 WHERE key = 'change_seq' RETURNING value`).get() as { value: number }).value;
        other.prepare(`UPDATE assets SET name = 'Jug', name_lower = 'jug', change_seq = ?`).run(seq);
      })();
    } finally {
      other.close();
    }
    await new Promise((r) => setTimeout(r, SEQ_RESYNC_MS + 50));
    const later = await t.app.inject({ method: 'GET', url: '/api/assets', headers: { 'if-none-match': etag } });
    expect(later.statusCode).toBe(200);
    expect(AssetListSchema.parse(later.json()).items.map((a) => a.name)).toEqual(['Jug']);
  });

  it('never answers 304 to a request it would refuse, and gives a refusal no ETag', async () => {
    await seed(['Vase']);
    const bad = await t.app.inject({ method: 'GET', url: '/api/assets?cursor=zzz' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers.etag).toBeUndefined();
    const good = await t.app.inject({ method: 'GET', url: '/api/assets' });
    const again = await t.app.inject({ method: 'GET', url: '/api/assets?cursor=zzz', headers: { 'if-none-match': good.headers.etag as string } });
    expect(again.statusCode).toBe(400);
  });

  it('does not honour a tag from before a restart, even when the change counter matches', async () => {
    await seed(['Vase']);
    const before = await t.app.inject({ method: 'GET', url: '/api/assets' });
    await t.close(true);
    t = await makeTestApp({ dataDir: t.dataDir });
    const after = await t.app.inject({ method: 'GET', url: '/api/assets', headers: { 'if-none-match': before.headers.etag as string } });
    expect(after.statusCode).toBe(200);
  });

  it('refuses a cursor made for another sort order', async () => {
    await seed(['a', 'b', 'c']);
    const page = await list('?sort=name&limit=1');
    const res = await t.app.inject({ method: 'GET', url: `/api/assets?sort=newest&cursor=${page.next_cursor}` });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('cursor belongs to sort=name');
  });

  it('gives a single asset an ETag too', async () => {
    const [id] = await seed(['Vase']);
    const first = await t.app.inject({ method: 'GET', url: `/api/assets/${id}` });
    const again = await t.app.inject({ method: 'GET', url: `/api/assets/${id}`, headers: { 'if-none-match': first.headers.etag as string } });
    expect(again.statusCode).toBe(304);
  });

  it('reports progress while a step runs', async () => {
    await t.close();
    t = await makeTestApp({ stepMs: 1200 });
    const { id } = await createAsset(t.app);
    const moving = await waitForAsset(t.app, id, (a) => (a.status.progress ?? 0) > 0.2, 5000);
    expect(moving.status.phase).toBe('processing');
    expect(moving.status.progress).toBeLessThan(1);
  });

  it.each([
    ['?phase=bogus', 'phase'],
    ['?limit=abc', 'limit'],
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?sort=oldest', 'sort'],
    ['?cursor=not-a-cursor', 'cursor'],
    ['?page=2', 'Unknown query field: page'],
    ['?phase=failed&phase=completed', 'phase'],
  ])('refuses %s with 400', async (query, message) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets${query}` });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('bad_request');
    expect(errorOf(res).message).toContain(message);
  });
});
