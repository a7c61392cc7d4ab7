// An in-memory stand-in for the asset API as MSW handlers: it filters, sorts, pages, counts, answers ETag/304 and
// stamps x-server-time like the real server, and records what the page asked for.
import { http, HttpResponse } from 'msw';
import { SERVER_TIME_HEADER, type ErrorCode } from '../../src/contract/api';
import { AssetSchema, isLastStep, stageLabel, type Asset } from '../../src/contract/asset';
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
  /** The status of each detail answer, in order: 200, or 304 when the page's If-None-Match was still current. */
  const detailStatuses: number[] = [];
  const created: { name: string; polycount: string | null; images: number }[] = [];
  /** Every action the page sent, as "METHOD /path" with its JSON body or uploaded file name. */
  const actions: { call: string; body?: unknown }[] = [];
  const actionFailures = new Map<string, { status: number; code: string; message: string }>();
  let holdActions: Promise<void> | null = null;
  let holdLists: Promise<void> | null = null;
  const countdownMs = 10_000;

  const headers = (extra: Record<string, string> = {}) => ({ [SERVER_TIME_HEADER]: String(Date.now() + serverAheadMs), ...extra });
  const failure = (status: number, code: string, message: string) =>
    HttpResponse.json({ error: { code, message } }, { status, headers: headers() });

  const find = (id: string) => assets.find((a) => a.id === id);
  const save = (asset: Asset) => {
    assets = assets.map((a) => (a.id === asset.id ? AssetSchema.parse(asset) : a));
    version += 1;
    return HttpResponse.json(AssetSchema.parse(asset), { headers: headers() });
  };
  const wrongStage = (verb: string, asset: Asset) => failure(409, 'wrong_stage', `Cannot ${verb}: the asset is ${stageLabel(asset)}.`);

  /** One action route: records the call, answers a planned failure, a 404, or runs `act` on the asset. */
  const action = (method: 'post' | 'delete', suffix: string, act: (asset: Asset, request: Request) => Promise<Response> | Response) =>
    http[method](`/api/assets/:id${suffix}`, async ({ params, request }) => {
      const call = `${method.toUpperCase()} ${suffix || '/'}`;
      const isJson = request.headers.get('content-type')?.includes('application/json');
      const isForm = request.headers.get('content-type')?.includes('multipart/form-data');
      let body: unknown;
      if (isJson) body = await request.clone().json();
      if (isForm) {
        const file = (await request.clone().formData()).get('file');
        body = file instanceof File ? { file: file.name } : null;
      }
      actions.push({ call, ...(body !== undefined ? { body } : {}) });
      if (holdActions) await holdActions;
      if (offline) return HttpResponse.error();
      const planned = actionFailures.get(call);
      if (planned) {
        actionFailures.delete(call);
        return failure(planned.status, planned.code, planned.message);
      }
      const asset = find(String(params.id));
      if (!asset) return failure(404, 'not_found', 'No asset with that id.');
      return act(asset, request);
    });

  const now = () => Date.now() + serverAheadMs;

  const actionHandlers = [
    action('post', '/approve', (a) =>
      a.status.phase !== 'for_review'
        ? wrongStage('approve', a)
        : save({ ...a, status: { phase: 'completed', updated_at: now() }, next_step_at: isLastStep(a) ? null : now() + countdownMs }),
    ),
    action('post', '/next-step', (a) =>
      a.status.phase !== 'completed' || isLastStep(a)
        ? wrongStage('start the next step', a)
        : save({ ...a, step_index: a.step_index + 1, next_step_at: null, status: { phase: 'processing', updated_at: now(), progress: 0 } }),
    ),
    action('delete', '/next-step', (a) =>
      a.next_step_at === null ? wrongStage('cancel the countdown', a) : save({ ...a, next_step_at: null }),
    ),
    action('post', '/retry', (a) =>
      a.status.phase !== 'failed' ? wrongStage('retry', a) : save({ ...a, status: { phase: 'processing', updated_at: now(), progress: 0 } }),
    ),
    action('post', '/revisions', async (a, request) => {
      if (a.status.phase !== 'for_review') return wrongStage('request a revision', a);
      const { note } = (await request.json()) as { note: string };
      const step_key = a.pipeline[a.step_index]?.key ?? 'geometry';
      return save({
        ...a,
        status: { phase: 'processing', updated_at: now(), progress: 0 },
        revisions: [...a.revisions, { step_key, note, created_at: now() }],
      });
    }),
    action('post', '/versions', (a) => {
      if (a.status.phase !== 'for_review') return wrongStage('upload a version', a);
      const step_key = a.pipeline[a.step_index]?.key ?? 'geometry';
      const n = a.versions.length + 1;
      return save({
        ...a,
        status: { phase: 'for_review', updated_at: now() },
        versions: [...a.versions, { n, step_key, source: 'uploaded', created_at: now(), size_bytes: 2048, triangles: 480 }],
      });
    }),
    action('delete', '', (a) => {
      assets = assets.filter((x) => x.id !== a.id);
      version += 1;
      return new HttpResponse(null, { status: 204, headers: headers() });
    }),
  ];

  const handlers = [
    ...actionHandlers,
    http.get('/api/assets', async ({ request }) => {
      const url = new URL(request.url);
      if (holdLists) await holdLists;
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

    http.get('/api/assets/:id', ({ params, request }) => {
      const id = String(params.id);
      detailCalls.push(id);
      if (offline) return HttpResponse.error();
      const asset = assets.find((a) => a.id === id);
      if (!asset) return failure(404, 'not_found', 'No asset with that id.');
      const etag = `W/"a${version}"`;
      if (request.headers.get('if-none-match') === etag) {
        detailStatuses.push(304);
        return new HttpResponse(null, { status: 304, headers: headers({ etag }) });
      }
      detailStatuses.push(200);
      return HttpResponse.json(asset, { headers: headers({ etag }) });
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
    detailStatuses,
    created,
    actions,
    /** The next call of this action ("POST /approve", "DELETE /next-step", "DELETE /", …) fails with this answer. */
    failAction(call: string, status: number, code: string, message: string) {
      actionFailures.set(call, { status, code, message });
    },
    /** Keeps every action pending until the returned function is called. */
    holdActions(): () => void {
      let resolve: () => void = () => undefined;
      holdActions = new Promise((r) => {
        resolve = r;
      });
      return () => {
        holdActions = null;
        resolve();
      };
    },
    /** Keeps every list request pending until the returned function is called. */
    holdLists(): () => void {
      let resolve: () => void = () => undefined;
      holdLists = new Promise((r) => {
        resolve = r;
      });
      return () => {
        holdLists = null;
        resolve();
      };
    },
    get(id: string): Asset | undefined {
      return find(id);
    },
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
