// Hostile input to the sign-in, token and user routes: arbitrary JSON, headers and ids get a clear 4xx and
// change no account, session or token. Asset routes are fuzzed in tests/server/fuzz.
import fc from 'fast-check';
import { ErrorBodySchema } from '../../../src/contract/api';
import { makeTestApp, signedInAs, type Credentials, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: Credentials;
let requests = 0;

beforeAll(async () => {
  t = await makeTestApp({ signIn: true });
  admin = await signedInAs(t, 'admin');
});
afterAll(async () => {
  console.log(`auth fuzz: ${requests} requests`);
  await t.close();
});

const counts = () =>
  t.db
    .prepare('SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM api_tokens) AS tokens')
    .get();

/** Any JSON value, including the shapes people forget: arrays, null, deep nesting, prototype keys, odd unicode. */
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ __proto__: fc.jsonValue(), constructor: fc.jsonValue() }, { requiredKeys: [] }),
  fc.dictionary(fc.constantFrom('email', 'password', 'name', 'role', 'current_password', 'new_password', 'admin', 'id'), fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string()))),
  fc.string({ unit: 'binary', maxLength: 5000 }).map((s) => ({ email: s, password: s, name: s, role: s })),
);

async function check(res: { statusCode: number; body: string }, allowed: number[]) {
  requests++;
  expect(allowed, res.body).toContain(res.statusCode);
  if (res.statusCode >= 400) expect(ErrorBodySchema.safeParse(JSON.parse(res.body)).success, res.body).toBe(true);
}

describe('auth routes under fuzzing', () => {
  it('sign-in: every hostile body is a 400, 401 or 429 and starts no session', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, async (body) => {
        const before = counts();
        const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        await check(res, [400, 401, 429]);
        expect(counts()).toEqual(before);
      }),
      { numRuns: 150, seed: 6 },
    );
  });

  it('users and tokens: every hostile body from an admin is a 400 (or 201 when it happens to be valid), nothing else changes', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, fc.constantFrom('/api/users', '/api/tokens', '/api/session/password'), async (body, url) => {
        const before = counts() as { users: number; tokens: number; sessions: number };
        const res = await t.app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { ...admin, 'content-type': 'application/json' } });
        await check(res, [201, 204, 400, 409, 429]);
        const after = counts() as typeof before;
        if (res.statusCode === 201 && url === '/api/users') expect(after.users).toBe(before.users + 1);
        else if (res.statusCode === 201) expect(after.tokens).toBe(before.tokens + 1);
        else expect(after).toEqual(before);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('ids, methods and credentials: traversal, SQL and garbage never reach a 5xx', async () => {
    const id = fc.oneof(
      fc.constantFrom('../../etc/passwd', '%2e%2e%2f', "' OR 1=1 --", '"; DROP TABLE users;', '\u0000', 'a'.repeat(500), '__proto__'),
      fc.string({ unit: 'binary', maxLength: 80 }),
    );
    const header = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.constantFrom('Bearer', 'Bearer ', 'Bearer aft_', 'bearer aft_x', 'Basic Zm9vOmJhcg=='));
    await fc.assert(
      fc.asyncProperty(id, fc.constantFrom('PATCH', 'DELETE'), fc.constantFrom('users', 'tokens'), header, fc.string({ maxLength: 200 }), async (raw, method, kind, authorization, cookie) => {
        const before = counts();
        const url = `/api/${kind}/${encodeURIComponent(raw)}`;
        const asAdmin = await t.app.inject({ method, url, headers: { ...admin, 'content-type': 'application/json' }, payload: '{"role":"viewer"}' });
        await check(asAdmin, kind === 'tokens' && method === 'PATCH' ? [404, 414] : [400, 404, 414]);
        const stranger = await t.app.inject({
          method: 'GET',
          url: '/api/assets',
          headers: { authorization: authorization.replace(/[\r\n]/g, ''), cookie: `af_session=${encodeURIComponent(cookie)}` },
        });
        await check(stranger, [400, 401]);
        expect(counts()).toEqual(before);
      }),
      { numRuns: 150, seed: 8 },
    );
  });
});

describe('addresses the router refuses', () => {
  it('answers an overlong id with the contract\'s error shape and the security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${'a'.repeat(600)}`, headers: admin });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: { code: 'bad_request', message: 'The address is too long.' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
