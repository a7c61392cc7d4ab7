// Who may do what: viewers browse and download, editors also change assets, admins also delete and manage
// users; API tokens act with their owner's role; every route has a rule written down.
import { AssetSchema, type Asset } from '../../../src/contract/asset';
import { ApiTokenSchema, CreatedTokenSchema, UserListSchema, UserSchema } from '../../../src/contract/auth';
import { ALL_RULES } from '../../../src/server/auth/policy';
import {
  errorOf,
  makeTestApp,
  multipart,
  objectPng,
  signedInAs,
  TEST_USER_PASSWORD,
  type Credentials,
  type TestApp,
} from '../helpers/test-app';

let t: TestApp;
let admin: Credentials;
let editor: Credentials;
let viewer: Credentials;

beforeEach(async () => {
  t = await makeTestApp({ signIn: true });
  admin = await signedInAs(t, 'admin');
  editor = await signedInAs(t, 'editor');
  viewer = await signedInAs(t, 'viewer');
});
afterEach(async () => t.close());

const as = (headers: Credentials, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function createAs(headers: Credentials, name = 'Vase') {
  const body = await multipart({ name }, [{ field: 'images', bytes: await objectPng(), filename: 'v.png', type: 'image/png' }]);
  return t.app.inject({ method: 'POST', url: '/api/assets', payload: body.payload, headers: { ...headers, ...body.headers } });
}

async function forReview(headers: Credentials): Promise<Asset> {
  const res = await createAs(headers);
  expect(res.statusCode).toBe(201);
  const id = AssetSchema.parse(res.json()).id;
  for (;;) {
    const a = AssetSchema.parse((await as(headers, 'GET', `/api/assets/${id}`)).json());
    if (a.status.phase === 'for_review') return a;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('roles', () => {
  it('lets a viewer browse, preview and download, and refuses every change with the role it needs', async () => {
    const asset = await forReview(editor);
    expect((await as(viewer, 'GET', '/api/assets')).statusCode).toBe(200);
    expect((await as(viewer, 'GET', `/api/assets/${asset.id}`)).statusCode).toBe(200);
    expect((await as(viewer, 'GET', `/api/assets/${asset.id}/versions/1/model.glb`)).statusCode).toBe(200);
    expect((await as(viewer, 'GET', `/api/assets/${asset.id}/download?format=glb`)).statusCode).toBe(200);

    const create = await createAs(viewer);
    expect(create.statusCode).toBe(403);
    expect(errorOf(create)).toEqual({
      code: 'forbidden',
      message: 'Creating an asset needs the editor role; you are signed in as a viewer. Ask an admin if you need it.',
    });
    for (const [method, path, payload] of [
      ['POST', 'approve', undefined],
      ['POST', 'revisions', { note: 'smaller' }],
      ['POST', 'retry', undefined],
      ['POST', 'next-step', undefined],
      ['DELETE', 'next-step', undefined],
      ['DELETE', '', undefined],
    ] as const) {
      const res = await as(viewer, method, `/api/assets/${asset.id}${path ? '/' + path : ''}`, payload);
      expect(res.statusCode, `${method} ${path}`).toBe(403);
    }
    // Nothing changed.
    const after = AssetSchema.parse((await as(viewer, 'GET', `/api/assets/${asset.id}`)).json());
    expect(after).toEqual(asset);
    expect(t.db.prepare('SELECT count(*) AS n FROM assets').get()).toEqual({ n: 1 });
  });

  it('lets an editor create and review, but only an admin delete', async () => {
    const asset = await forReview(editor);
    const approve = await as(editor, 'POST', `/api/assets/${asset.id}/approve`);
    expect(approve.statusCode).toBe(200);
    expect((await as(editor, 'DELETE', `/api/assets/${asset.id}/next-step`)).statusCode).toBe(200);
    const del = await as(editor, 'DELETE', `/api/assets/${asset.id}`);
    expect(del.statusCode).toBe(403);
    expect(errorOf(del).message).toBe('Deleting an asset needs the admin role; you are signed in as an editor. Ask an admin if you need it.');
    expect((await as(admin, 'DELETE', `/api/assets/${asset.id}`)).statusCode).toBe(204);
    expect((await as(admin, 'GET', `/api/assets/${asset.id}`)).statusCode).toBe(404);
  });

  it('takes a role change into account on the very next request', async () => {
    const vid = UserListSchema.parse((await as(admin, 'GET', '/api/users')).json()).users.find((u) => u.role === 'viewer')?.id;
    expect((await createAs(viewer)).statusCode).toBe(403);
    expect((await as(admin, 'PATCH', `/api/users/${vid}`, { role: 'editor' })).statusCode).toBe(200);
    expect((await createAs(viewer)).statusCode).toBe(201);
  });
});

describe('API tokens', () => {
  it('shows the secret once, stores only its hash, and acts with its owner\'s role', async () => {
    const made = await as(editor, 'POST', '/api/tokens', { name: '  Build script  ', password: TEST_USER_PASSWORD });
    expect(made.statusCode).toBe(201);
    const { token, secret } = CreatedTokenSchema.parse(made.json());
    expect(token).toMatchObject({ name: 'Build script', last_used_at: null });
    expect(secret).toMatch(/^aft_[\w-]{43}$/);
    expect(secret.startsWith(token.hint)).toBe(true);
    expect(JSON.stringify(t.db.prepare('SELECT * FROM api_tokens').all())).not.toContain(secret.slice(10));

    const listed = (await as(editor, 'GET', '/api/tokens')).json() as { tokens: unknown[] };
    expect(listed.tokens.map((x) => ApiTokenSchema.parse(x).id)).toEqual([token.id]);
    expect(JSON.stringify(listed)).not.toContain(secret);

    const bearer = { authorization: `Bearer ${secret}` };
    // No cookie and no CSRF header: a script's token is its own proof.
    expect((await createAs(bearer)).statusCode).toBe(201);
    expect((await as(bearer, 'GET', '/api/users')).statusCode).toBe(403);
    const used = ApiTokenSchema.parse((await as(editor, 'GET', '/api/tokens')).json().tokens[0]);
    expect(used.last_used_at).toEqual(expect.any(Number));

    expect((await as(editor, 'DELETE', `/api/tokens/${token.id}`)).statusCode).toBe(204);
    const revoked = await as(bearer, 'GET', '/api/assets');
    expect(revoked.statusCode).toBe(401);
    expect(errorOf(revoked).message).toBe('That API token is not valid. Create a new one under Account.');
  });

  it('judges a request by its token alone, even with a valid cookie alongside', async () => {
    const res = await as({ ...admin, authorization: 'Bearer aft_forged' }, 'GET', '/api/assets');
    expect(res.statusCode).toBe(401);
    for (const header of ['Bearer', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(500)}`]) {
      expect((await as({ authorization: header }, 'GET', '/api/assets')).statusCode).toBe(401);
    }
  });

  it('cannot revoke another person\'s token', async () => {
    const { token } = CreatedTokenSchema.parse((await as(admin, 'POST', '/api/tokens', { name: 'mine', password: TEST_USER_PASSWORD })).json());
    expect((await as(editor, 'DELETE', `/api/tokens/${token.id}`)).statusCode).toBe(404);
    expect((await as(admin, 'GET', '/api/tokens')).json().tokens).toHaveLength(1);
  });
});

describe('managing users', () => {
  it('lets an admin add, change and delete users, with clear conflicts', async () => {
    const add = await as(admin, 'POST', '/api/users', { email: 'New@Studio.example', name: ' Nia ', role: 'viewer', password: 'a fine password' });
    expect(add.statusCode).toBe(201);
    const nia = UserSchema.parse(add.json());
    expect(nia).toMatchObject({ email: 'new@studio.example', name: 'Nia', role: 'viewer' });
    expect(add.body).not.toContain('password');

    const again = await as(admin, 'POST', '/api/users', { email: 'new@studio.example', name: 'X', role: 'viewer', password: 'a fine password' });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toEqual({ code: 'conflict', message: 'A user with the email new@studio.example already exists.' });
    const weak = await as(admin, 'POST', '/api/users', { email: 'w@studio.example', name: 'W', role: 'viewer', password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(errorOf(weak).message).toBe('Invalid body: password: Password must be at least 12 characters');
    expect((await as(admin, 'PATCH', `/api/users/${nia.id}`, {})).statusCode).toBe(400);
    expect((await as(admin, 'PATCH', `/api/users/${nia.id}`, { role: 'owner' })).statusCode).toBe(400);

    expect(UserSchema.parse((await as(admin, 'PATCH', `/api/users/${nia.id}`, { role: 'editor' })).json()).role).toBe('editor');
    expect((await as(admin, 'DELETE', `/api/users/${nia.id}`)).statusCode).toBe(204);
    expect((await as(admin, 'DELETE', `/api/users/${nia.id}`)).statusCode).toBe(404);
  });

  it('keeps at least one admin, and an admin cannot delete themself', async () => {
    const users = UserListSchema.parse((await as(admin, 'GET', '/api/users')).json()).users;
    const me = users.find((u) => u.role === 'admin');
    const demote = await as(admin, 'PATCH', `/api/users/${me?.id}`, { role: 'editor' });
    expect(demote.statusCode).toBe(409);
    expect(errorOf(demote).message).toBe('admin@studio.example is the only admin; make someone else an admin first.');
    const self = await as(admin, 'DELETE', `/api/users/${me?.id}`);
    expect(self.statusCode).toBe(409);
    expect(errorOf(self).message).toBe('You cannot delete your own account.');
  });

  it('signs a user out everywhere when an admin resets their password', async () => {
    const eid = UserListSchema.parse((await as(admin, 'GET', '/api/users')).json()).users.find((u) => u.role === 'editor')?.id;
    expect((await as(admin, 'PATCH', `/api/users/${eid}`, { password: 'reset by admin 1' })).statusCode).toBe(200);
    expect((await as(editor, 'GET', '/api/assets')).statusCode).toBe(401);
  });

  it('refuses every user route to editors and viewers', async () => {
    for (const who of [editor, viewer]) {
      expect((await as(who, 'GET', '/api/users')).statusCode).toBe(403);
      expect((await as(who, 'POST', '/api/users', { email: 'x@y.example', name: 'X', role: 'admin', password: 'a fine password' })).statusCode).toBe(403);
    }
    expect(t.db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 3 });
  });
});

describe('the access table', () => {
  it('has an explicit rule for every API route, so a new route cannot fall to a default unnoticed', async () => {
    const routes: string[] = [];
    const probe = await makeTestApp({ signIn: true });
    // Every route the app registers, read back from Fastify's own table.
    const printed = probe.app.printRoutes({ commonPrefix: false });
    await probe.close();
    // printRoutes draws a tree, four columns per level: "│   └── /:id (GET, HEAD, DELETE)".
    const stack: string[] = [];
    for (const line of printed.split('\n')) {
      const m = /^(.*?)(\/\S*) \(([A-Z, ]+)\)$/.exec(line);
      if (!m) continue;
      const depth = (m[1] as string).length / 4 - 1;
      stack.length = depth;
      stack.push(m[2] as string);
      for (const method of (m[3] as string).split(', ')) if (method !== 'HEAD') routes.push(`${method} ${stack.join('')}`);
    }
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => !(r in ALL_RULES))).toEqual([]);
  });
});

describe('AUTH=off', () => {
  it('serves every asset route without credentials, has no accounts, and still refuses other sites\' writes', async () => {
    const single = await makeTestApp();
    try {
      const session = await single.app.inject({ method: 'GET', url: '/api/session' });
      expect(session.json()).toMatchObject({ user: { role: 'admin', name: 'Local user' }, csrf_token: null, auth: 'off' });
      expect((await single.app.inject({ method: 'GET', url: '/api/assets' })).statusCode).toBe(200);
      const users = await single.app.inject({ method: 'GET', url: '/api/users' });
      expect(users.statusCode).toBe(404);
      expect(errorOf(users).message).toMatch(/runs without sign-in \(AUTH=off\)/);
      const body = await multipart({ name: 'x' }, [{ field: 'images', bytes: await objectPng(), filename: 'v.png', type: 'image/png' }]);
      const crossSite = await single.app.inject({
        method: 'POST',
        url: '/api/assets',
        payload: body.payload,
        headers: { ...body.headers, origin: 'https://evil.example' },
      });
      expect(crossSite.statusCode).toBe(403);
      expect(single.db.prepare('SELECT count(*) AS n FROM assets').get()).toEqual({ n: 0 });
    } finally {
      await single.close();
    }
  });
});
