// An in-memory stand-in for the asset API as MSW handlers: it filters, sorts, pages, counts, answers ETag/304 and
// stamps x-server-time like the real server, and records what the page asked for.
import { http, HttpResponse } from 'msw';
import { SERVER_TIME_HEADER, type ErrorCode } from '../../src/contract/api';
import { AssetSchema, type Asset } from '../../src/contract/asset';
import { buildAsset, buildList, countsOf } from './factories';

export interface ListCall {
  url: URL;
  status: number;
}

export function createMockApi(initial: Asset[] = []) {
  let assets = [...initial];
  let version = 1;
  let offline = false;
  let serverAheadMs = 0;
  let createFailure: { status: number; code: ErrorCode; message: string } | null = null;
  let holdCreate: Promise<void> | null = null;
  const listCalls: ListCall[] = [];
  const detailCalls: string[] = [];
  const created: { name: string; polycount: string | null; images: number }[] = [];

  const headers = (extra: Record<string, string> = {}) => ({ [SERVER_TIME_HEADER]: String(Date.now() + serverAheadMs), ...extra });
  const failure = (status: number, code: string, message: string) =>
    HttpResponse.json({ error: { code, message } }, { status, headers: headers() });

  const handlers = [
    http.get('/api/assets', ({ request }) => {
      const url = new URL(request.url);
      if (offline) {
        listCalls.push({ url, status: 0 });
        return HttpResponse.error();
      }
      const etag = `W/"${version}-${url.search}"`;
      if (request.headers.get('if-none-match') === etag) {
        listCalls.push({ url, status: 304 });
        return new HttpResponse(null, { status: 304, headers: headers({ etag }) });
      }
      listCalls.push({ url, status: 200 });
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const phase = url.searchParams.get('phase');
      const sort = url.searchParams.get('sort') ?? 'newest';
      const limit = Number(url.searchParams.get('limit') ?? '50');
      const offset = Number(url.searchParams.get('cursor') ?? '0');
      const searched = assets.filter((a) => a.name.toLowerCase().includes(q));
      const sorted = searched
        .filter((a) => !phase || a.status.phase === phase)
        .sort((a, b) =>
          sort === 'name' ? a.name.localeCompare(b.name) : sort === 'updated' ? b.status.updated_at - a.status.updated_at : b.created_at - a.created_at,
        );
      const items = sorted.slice(offset, offset + limit);
      const next = offset + limit < sorted.length ? String(offset + limit) : null;
      return HttpResponse.json(buildList(items, { next_cursor: next, counts: countsOf(searched) }), { headers: headers({ etag }) });
    }),

    http.get('/api/assets/:id', ({ params }) => {
      const id = String(params.id);
      detailCalls.push(id);
      if (offline) return HttpResponse.error();
      const asset = assets.find((a) => a.id === id);
      if (!asset) return failure(404, 'not_found', 'No asset with that id.');
      return HttpResponse.json(asset, { headers: headers({ etag: `W/"a${version}"` }) });
    }),

    http.post('/api/assets', async ({ request }) => {
      if (offline) return HttpResponse.error();
      const form = await request.formData();
      if (holdCreate) await holdCreate;
      if (createFailure) return failure(createFailure.status, createFailure.code, createFailure.message);
      const name = String(form.get('name') ?? '').trim();
      const polycount = form.get('polycount');
      const images = form.getAll('images').length;
      created.push({ name, polycount: polycount === null ? null : String(polycount), images });
      const asset = buildAsset({ name, stage: 'Processing', status: { progress: 0, updated_at: Date.now() }, created_at: Date.now() });
      assets = [asset, ...assets];
      version += 1;
      return HttpResponse.json(asset, { status: 201, headers: headers() });
    }),
  ];

  return {
    handlers,
    listCalls,
    detailCalls,
    created,
    /** Replaces one asset (by id) the way the server would after a change, bumping the ETag. */
    update(id: string, change: (asset: Asset) => Partial<Asset>) {
      assets = assets.map((a) => (a.id === id ? AssetSchema.parse({ ...a, ...change(a) }) : a));
      version += 1;
    },
    remove(id: string) {
      assets = assets.filter((a) => a.id !== id);
      version += 1;
    },
    setOffline(value: boolean) {
      offline = value;
    },
    setServerAhead(ms: number) {
      serverAheadMs = ms;
    },
    failCreate(status: number, code: ErrorCode, message: string) {
      createFailure = { status, code, message };
    },
    /** Keeps POST /api/assets pending until the returned function is called. */
    holdCreate(): () => void {
      let resolve: () => void = () => undefined;
      holdCreate = new Promise((r) => {
        resolve = r;
      });
      return () => {
        holdCreate = null;
        resolve();
      };
    },
  };
}

export type MockApi = ReturnType<typeof createMockApi>;
