// An in-memory stand-in for the API as MSW handlers: it filters, sorts, pages, counts, answers ETag/304 and stamps
// x-server-time like the real server; it signs in and out, checks the CSRF header and the role on every write as
// the server does (a signed-in editor unless a test says otherwise); and it records what the page asked for.
import { http, HttpResponse, type JsonBodyType } from 'msw';
import { SERVER_TIME_HEADER, type ErrorCode } from '../../src/contract/api';
import { AssetSchema, isLastStep, stageLabel, type Asset } from '../../src/contract/asset';
import {
  ChangePasswordSchema,
  CreateTokenSchema,
  CreateUserSchema,
  CSRF_HEADER,
  personalPasswordProblem,
  roleAtLeast,
  SessionSchema,
  SignInSchema,
  UpdateUserSchema,
  UserSchema,
  type ApiToken,
  type Role,
  type Session,
  type User,
} from '../../src/contract/auth';
import { buildAsset, buildList, countsOf } from './factories';

/** The password of every account the mock starts with. */
export const MOCK_PASSWORD = 'correct horse battery';

/** The accounts the mock starts with, one per role; the editor is signed in by default. */
export const MOCK_USERS: Record<Role, User> = {
  admin: UserSchema.parse({ id: 'u-admin', email: 'ada@example.com', name: 'Ada Admin', role: 'admin', created_at: Date.now() - 90 * 86_400_000 }),
  editor: UserSchema.parse({ id: 'u-editor', email: 'edna@example.com', name: 'Edna Editor', role: 'editor', created_at: Date.now() - 60 * 86_400_000 }),
  viewer: UserSchema.parse({ id: 'u-viewer', email: 'vic@example.com', name: 'Vic Viewer', role: 'viewer', created_at: Date.now() - 30 * 86_400_000 }),
};

/** The role a request needs, as the server's policy says: viewers read, editors act on assets, admins delete and manage users. */
function roleNeeded(method: string, path: string): Role | null {
  if (path === '/api/users' || path.startsWith('/api/users/')) return 'admin';
  if (method === 'DELETE' && /^\/api\/assets\/[^/]+$/.test(path)) return 'admin';
  if (method !== 'GET' && path.startsWith('/api/assets')) return 'editor';
  return null;
}

export interface WriteCall {
  method: string;
  path: string;
  /** The x-csrf-token header it carried, or null. */
  csrf: string | null;
}

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

  // --- Sign-in, tokens and users.
  let accounts = Object.values(MOCK_USERS).map((user) => ({ user: { ...user }, password: MOCK_PASSWORD }));
  let csrfSerial = 0;
  const sessionFor = (user: User): Session => ({ user, csrf_token: `csrf-${user.id}-${++csrfSerial}`, auth: 'on' });
  let session: Session | null = sessionFor(MOCK_USERS.editor);
  let signInRetryAfter: number | null = null;
  let tokens: { userId: string; token: ApiToken }[] = [];
  let tokenSerial = 0;
  let userSerial = 0;
  /** Every non-GET request under /api, with the CSRF header it carried. */
  const writes: WriteCall[] = [];
  /** Every sign-in attempt's body. */
  const signIns: { email: string; password: string }[] = [];
  const plannedFailures = new Map<string, { status: number; code: string; message: string }>();
  const account = (id: string) => accounts.find((a) => a.user.id === id);
  const currentUser = (): User | null => (session ? (account(session.user.id)?.user ?? session.user) : null);
  const json = (body: JsonBodyType, status = 200) => HttpResponse.json(body, { status, headers: headers() });
  const noContent = () => new HttpResponse(null, { status: 204, headers: headers() });
  const firstIssue = (error: { issues: { path: PropertyKey[]; message: string }[] }) => {
    const issue = error.issues[0];
    return issue ? `${issue.path.map(String).join('.') || 'body'}: ${issue.message}` : 'Invalid body.';
  };

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

  /** First in line: sign-in, CSRF and role checks for every /api request, then planned failures; else falls through. */
  const gate = http.all('/api/*', ({ request }) => {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    if (method !== 'GET') writes.push({ method, path, csrf: request.headers.get(CSRF_HEADER) });
    if (offline) return undefined;
    const isSession = path === '/api/session';
    if (!session && !isSession) return failure(401, 'unauthorized', 'Your session has ended. Sign in again.');
    if (session?.csrf_token && method !== 'GET' && !(isSession && method === 'POST') && request.headers.get(CSRF_HEADER) !== session.csrf_token) {
      return failure(403, 'forbidden', 'The request is missing its CSRF token. Reload the page.');
    }
    const needed = roleNeeded(method, path);
    const user = currentUser();
    if (needed && user && !roleAtLeast(user.role, needed)) {
      return failure(403, 'forbidden', `This needs the ${needed} role; you are signed in as ${user.role === 'viewer' ? 'a' : 'an'} ${user.role}. Ask an admin if you need it.`);
    }
    const planned = plannedFailures.get(`${method} ${path}`);
    if (planned) {
      plannedFailures.delete(`${method} ${path}`);
      return failure(planned.status, planned.code, planned.message);
    }
    return undefined;
  });

  const authHandlers = [
    http.get('/api/session', () => {
      if (offline) return HttpResponse.error();
      const user = currentUser();
      if (!session || !user) return failure(401, 'unauthorized', 'Not signed in.');
      return json(SessionSchema.parse({ ...session, user }));
    }),
    http.post('/api/session', async ({ request }) => {
      if (offline) return HttpResponse.error();
      const body = (await request.json()) as Record<string, unknown>;
      signIns.push({ email: String(body.email), password: String(body.password) });
      if (signInRetryAfter !== null) {
        return HttpResponse.json(
          { error: { code: 'rate_limited', message: 'Too many attempts.' } },
          { status: 429, headers: headers({ 'retry-after': String(signInRetryAfter) }) },
        );
      }
      const parsed = SignInSchema.safeParse(body);
      if (!parsed.success) return failure(400, 'bad_request', firstIssue(parsed.error));
      const found = accounts.find((a) => a.user.email === parsed.data.email && a.password === parsed.data.password);
      if (!found) return failure(401, 'unauthorized', 'Email or password is wrong.');
      session = sessionFor(found.user);
      return json(session);
    }),
    http.delete('/api/session', () => {
      session = null;
      return noContent();
    }),
    http.post('/api/session/password', async ({ request }) => {
      const parsed = ChangePasswordSchema.safeParse(await request.json());
      if (!parsed.success) return failure(400, 'bad_request', parsed.error.issues[0]?.message ?? 'Invalid body.');
      const mine = session && account(session.user.id);
      // The contract's personal rules, as the server applies them (it also refuses common passwords).
      const weak = mine && personalPasswordProblem(parsed.data.new_password, mine.user);
      if (weak) return failure(400, 'bad_request', weak);
      // As the server does: a wrong current password is a 400 about that field, not a 401 about the session.
      if (!mine || mine.password !== parsed.data.current_password) return failure(400, 'bad_request', 'Current password is wrong; nothing was changed.');
      mine.password = parsed.data.new_password;
      if (parsed.data.revoke_tokens) tokens = tokens.filter((t) => t.userId !== mine.user.id);
      return noContent();
    }),

    http.get('/api/tokens', () => json({ tokens: tokens.filter((t) => t.userId === session?.user.id).map((t) => t.token) })),
    http.post('/api/tokens', async ({ request }) => {
      const parsed = CreateTokenSchema.safeParse(await request.json());
      if (!parsed.success) return failure(400, 'bad_request', parsed.error.issues[0]?.message ?? 'Invalid body.');
      // As the server does: a token needs the owner's current password, and a wrong one creates nothing.
      const owner = session && account(session.user.id);
      if (!owner || owner.password !== parsed.data.password) return failure(400, 'bad_request', 'Current password is wrong; no token was created.');
      tokenSerial += 1;
      const secret = `aft_secret${tokenSerial}_${'x'.repeat(24)}`;
      const token: ApiToken = { id: `t${tokenSerial}`, name: parsed.data.name, hint: secret.slice(0, 10), created_at: now(), last_used_at: null };
      tokens.push({ userId: session?.user.id ?? '', token });
      return json({ token, secret }, 201);
    }),
    http.delete('/api/tokens/:id', ({ params }) => {
      const before = tokens.length;
      tokens = tokens.filter((t) => !(t.token.id === params.id && t.userId === session?.user.id));
      return tokens.length < before ? noContent() : failure(404, 'not_found', 'No token with that id.');
    }),

    http.get('/api/users', () => json({ users: accounts.map((a) => a.user) })),
    http.post('/api/users', async ({ request }) => {
      const parsed = CreateUserSchema.safeParse(await request.json());
      if (!parsed.success) return failure(400, 'bad_request', firstIssue(parsed.error));
      if (accounts.some((a) => a.user.email === parsed.data.email)) return failure(409, 'conflict', `A user with the email ${parsed.data.email} already exists.`);
      userSerial += 1;
      const { password, ...fields } = parsed.data;
      const user = UserSchema.parse({ id: `u-new${userSerial}`, ...fields, created_at: now() });
      accounts = [...accounts, { user, password }];
      return json(user, 201);
    }),
    http.patch('/api/users/:id', async ({ params, request }) => {
      const target = account(String(params.id));
      if (!target) return failure(404, 'not_found', 'No user with that id.');
      const parsed = UpdateUserSchema.safeParse(await request.json());
      if (!parsed.success) return failure(400, 'bad_request', firstIssue(parsed.error));
      const admins = accounts.filter((a) => a.user.role === 'admin').length;
      if (target.user.role === 'admin' && parsed.data.role && parsed.data.role !== 'admin' && admins === 1) {
        return failure(409, 'conflict', `${target.user.email} is the only admin; make someone else an admin first.`);
      }
      const weak = parsed.data.password && personalPasswordProblem(parsed.data.password, { email: target.user.email, name: parsed.data.name ?? target.user.name });
      if (weak) return failure(400, 'bad_request', weak);
      target.user = { ...target.user, ...(parsed.data.name ? { name: parsed.data.name } : {}), ...(parsed.data.role ? { role: parsed.data.role } : {}) };
      // An admin's reset revokes every token of the account (and ends its sessions, which this mock does not track).
      if (parsed.data.password) {
        target.password = parsed.data.password;
        tokens = tokens.filter((t) => t.userId !== target.user.id);
      }
      return json(target.user);
    }),
    http.delete('/api/users/:id', ({ params }) => {
      const target = account(String(params.id));
      if (!target) return failure(404, 'not_found', 'No user with that id.');
      if (target.user.id === session?.user.id) return failure(409, 'conflict', 'You cannot delete your own account.');
      if (target.user.role === 'admin' && accounts.filter((a) => a.user.role === 'admin').length === 1) {
        return failure(409, 'conflict', `${target.user.email} is the only admin and cannot be deleted.`);
      }
      accounts = accounts.filter((a) => a !== target);
      tokens = tokens.filter((t) => t.userId !== target.user.id);
      return noContent();
    }),
  ];

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
    gate,
    ...authHandlers,
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

    // A download: a few bytes named as the server would name the file (the name itself is the server's rule).
    http.get('/api/assets/:id/download', ({ params, request }) => {
      const asset = assets.find((a) => a.id === String(params.id));
      if (!asset) return failure(404, 'not_found', 'No asset with that id.');
      const format = new URL(request.url).searchParams.get('format') ?? 'glb';
      const name = format === 'glb' ? `${asset.name}.glb` : `${asset.name}-${format}.zip`;
      return new HttpResponse(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), {
        headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="download"; filename*=UTF-8''${encodeURIComponent(name)}` },
      });
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
    writes,
    signIns,
    /** The session the server holds now (null when signed out). */
    get session(): Session | null {
      return session;
    },
    /** Signs in (server side) as the built-in account of `role`, with a fresh CSRF token. */
    signInAs(role: Role): Session {
      session = sessionFor(MOCK_USERS[role]);
      return session;
    },
    /** The session ends on the server (expired, or signed out in another tab): every request now gets 401. */
    expireSession() {
      session = null;
    },
    /** Single-user mode (AUTH=off): a local admin, no CSRF token. */
    authOff() {
      session = { user: UserSchema.parse({ id: 'local', email: 'local@localhost', name: 'Local admin', role: 'admin', created_at: 0 }), csrf_token: null, auth: 'off' };
    },
    /** Changes a user's role on the server only, as another admin would; the page learns of it when it asks. */
    setRole(userId: string, role: Role) {
      const found = account(userId);
      if (found) found.user = { ...found.user, role };
    },
    /** Sign-in attempts get 429 with Retry-After: `seconds` until called with null. */
    rateLimitSignIn(seconds: number | null) {
      signInRetryAfter = seconds;
    },
    users(): User[] {
      return accounts.map((a) => a.user);
    },
    passwordOf(userId: string): string | undefined {
      return account(userId)?.password;
    },
    tokens(): ApiToken[] {
      return tokens.map((t) => t.token);
    },
    /** The next "METHOD /api/path" request (exact path) fails with this answer, after the sign-in and role checks. */
    failRequest(call: string, status: number, code: string, message: string) {
      plannedFailures.set(call, { status, code, message });
    },
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
