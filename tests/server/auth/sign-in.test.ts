// Signing in and out over HTTP: the cookie, the CSRF token, other sites' requests, guessing, expiry.
import { SessionSchema } from '../../../src/contract/auth';
import { SESSION_IDLE_MS } from '../../../src/server/auth/auth-service';
import { errorOf, makeTestApp, signedInAs, signIn, TEST_USER_PASSWORD, type TestApp } from '../helpers/test-app';

let t: TestApp;
let clock = Date.now();
const now = () => clock;

beforeEach(async () => {
  clock = Date.now();
  t = await makeTestApp({ signIn: true, now });
  await t.accounts?.createUser({ email: 'ed@studio.example', name: 'Ed', role: 'editor', password: 'editor-password-1' });
});
afterEach(async () => t.close());

const signInRequest = (email: string, password: string, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, remoteAddress });

describe('without credentials', () => {
  it('answers 401 on every asset route, and health and the sign-in route stay open', async () => {
    for (const [method, url] of [
      ['GET', '/api/assets'],
      ['GET', '/api/assets/abc'],
      ['GET', '/api/assets/abc/download'],
      ['POST', '/api/assets/abc/approve'],
      ['GET', '/api/session'],
      ['GET', '/api/tokens'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(errorOf(res)).toEqual({ code: 'unauthorized', message: 'Sign in to continue.' });
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/assets' })).headers['www-authenticate']).toBe('Bearer realm="Asset Forge"');
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });
});

describe('signing in', () => {
  it('sets an httpOnly, SameSite=Strict session cookie and returns the user with a CSRF token', async () => {
    const res = await signInRequest(' Ed@Studio.example ', 'editor-password-1');
    expect(res.statusCode).toBe(200);
    const session = SessionSchema.parse(res.json());
    expect(session).toMatchObject({ user: { email: 'ed@studio.example', name: 'Ed', role: 'editor' }, auth: 'on' });
    expect(session.csrf_token).toMatch(/^[\w-]{20,}$/);
    const cookie = res.cookies.find((c) => c.name === 'af_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.value).toMatch(/^[\w-]{40,}$/);
    // The session is stored hashed: the cookie's value is nowhere in the database.
    const stored = t.db.prepare('SELECT id_hash FROM sessions').all() as { id_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]?.id_hash).not.toBe(cookie?.value);

    const me = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: `af_session=${cookie?.value}` } });
    expect(SessionSchema.parse(me.json())).toEqual(session);
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const wrong = await signInRequest('ed@studio.example', 'not-the-password');
    const unknown = await signInRequest('nobody@studio.example', 'not-the-password');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(errorOf(res)).toEqual({ code: 'unauthorized', message: 'Email or password is wrong.' });
      expect(res.cookies).toEqual([]);
    }
  });

  it('refuses malformed bodies with a 400 that names the field', async () => {
    const missing = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'ed@studio.example' } });
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).message).toContain('password');
    const extra = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'a', password: 'b', role: 'admin' } });
    expect(extra.statusCode).toBe(400);
    expect(errorOf(extra).message).toBe('Unknown body field: role.');
  });

  it('makes a pair of address and account wait after 5 failures, with Retry-After, and a success resets the count', async () => {
    for (let i = 0; i < 4; i++) expect((await signInRequest('ed@studio.example', 'guess-' + i)).statusCode).toBe(401);
    expect((await signInRequest('ed@studio.example', 'editor-password-1')).statusCode).toBe(200); // resets
    for (let i = 0; i < 5; i++) expect((await signInRequest('ed@studio.example', 'guess-' + i)).statusCode).toBe(401);
    const locked = await signInRequest('ed@studio.example', 'editor-password-1');
    expect(locked.statusCode).toBe(429);
    expect(errorOf(locked)).toEqual({
      code: 'rate_limited',
      message: 'Too many failed sign-ins. Try again in 1 second, or ask an admin to reset your password.',
    });
    expect(locked.headers['retry-after']).toBe('1');
    // The same account from another address is not locked out by this one.
    expect((await signInRequest('ed@studio.example', 'editor-password-1', '10.0.0.9')).statusCode).toBe(200);
  });

  it('doubles the wait with each further failure', async () => {
    for (let i = 0; i < 5; i++) expect((await signInRequest('ed@studio.example', 'guess-' + i)).statusCode).toBe(401);
    expect((await signInRequest('ed@studio.example', 'guess')).headers['retry-after']).toBe('1');
    await new Promise((r) => setTimeout(r, 1050));
    expect((await signInRequest('ed@studio.example', 'guess-6')).statusCode).toBe(401);
    const second = await signInRequest('ed@studio.example', 'editor-password-1');
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('2');
    expect(errorOf(second).message).toMatch(/Try again in 2 seconds/);
  });

  it('caps all attempts from one address at 30 a minute, whatever the account', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 31; i++) codes.push((await signInRequest(`user${i}@studio.example`, 'spray-password')).statusCode);
    expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
    expect(codes[30]).toBe(429);
  });

  it('counts that cap by network: an IPv6 host rotating through its /64 is one address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 31; i++) {
      codes.push((await signInRequest(`user${i}@studio.example`, 'spray-password', `2001:db8:1:2::${(i + 1).toString(16)}`)).statusCode);
    }
    expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
    expect(codes[30]).toBe(429);
    // Another network is not held back.
    expect((await signInRequest('user@studio.example', 'spray-password', '2001:db8:1:3::1')).statusCode).toBe(401);
  });
});

describe('a signed-in browser', () => {
  it('needs the CSRF header on writes, and reads without it', async () => {
    const creds = await signedInAs(t, 'admin');
    const { cookie } = creds;
    expect((await t.app.inject({ method: 'GET', url: '/api/tokens', headers: { cookie } })).statusCode).toBe(200);
    const without = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie }, payload: { name: 'x' } });
    expect(without.statusCode).toBe(403);
    expect(errorOf(without).message).toMatch(/x-csrf-token header is missing or out of date/);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie, 'x-csrf-token': 'a'.repeat(32) },
      payload: { name: 'x' },
    });
    expect(wrong.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/tokens', headers: creds, payload: { name: 'x', password: TEST_USER_PASSWORD } })).statusCode).toBe(201);
    expect(t.db.prepare('SELECT count(*) AS n FROM api_tokens').get()).toEqual({ n: 1 });
  });

  it('refuses writes that another site makes the browser send, in every form browsers mark them', async () => {
    const creds = await signedInAs(t, 'admin');
    for (const extra of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { ...creds, ...extra }, payload: { name: 'x' } });
      expect(res.statusCode, JSON.stringify(extra)).toBe(403);
      expect(errorOf(res).message).toMatch(/Requests from other sites are not accepted/);
    }
    const sameOrigin = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { ...creds, origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' },
      payload: { name: 'x', password: TEST_USER_PASSWORD },
    });
    expect(sameOrigin.statusCode).toBe(201);
  });

  it('signs out: the cookie and the browser cache are cleared, and the old value no longer works', async () => {
    const creds = await signedInAs(t, 'viewer');
    const out = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: creds });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'af_session')?.value).toBe('');
    // Pages and models cached while signed in are dropped from the browser's cache.
    expect(out.headers['clear-site-data']).toBe('"cache"');
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: creds })).statusCode).toBe(401);
  });

  it('is signed out after a week without use, and each use pushes that back', async () => {
    const creds = await signedInAs(t, 'viewer');
    clock += SESSION_IDLE_MS - 60_000;
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: creds })).statusCode).toBe(200);
    clock += SESSION_IDLE_MS - 60_000; // two weeks after sign-in, but used a week ago
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: creds })).statusCode).toBe(200);
    clock += SESSION_IDLE_MS + 1;
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: creds })).statusCode).toBe(401);
    expect(t.db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  it('gets a new session on every sign-in, ending the one the browser had (no session fixation)', async () => {
    const first = await signedInAs(t, 'editor', 'second-editor@studio.example');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { cookie: first.cookie ?? '' },
      payload: { email: 'ed@studio.example', password: 'editor-password-1' },
    });
    expect(res.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: first })).statusCode).toBe(401);
  });

  it('changes its password: a wrong current password changes nothing; other browsers are signed out, this one stays', async () => {
    const here = await signIn(t.app, 'ed@studio.example', 'editor-password-1');
    const elsewhere = await signIn(t.app, 'ed@studio.example', 'editor-password-1');
    const change = (current_password: string, new_password: string) =>
      t.app.inject({ method: 'POST', url: '/api/session/password', headers: here, payload: { current_password, new_password } });
    const wrong = await change('not-it-at-all', 'a brand new password');
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).message).toBe('Current password is wrong; nothing was changed.');
    const weak = await change('editor-password-1', 'short');
    expect(weak.statusCode).toBe(400);
    expect(errorOf(weak).message).toMatch(/at least 12 characters/);
    expect((await change('editor-password-1', 'a brand new password')).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: here })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: elsewhere })).statusCode).toBe(401);
    expect((await signInRequest('ed@studio.example', 'editor-password-1')).statusCode).toBe(401);
    expect((await signInRequest('ed@studio.example', 'a brand new password')).statusCode).toBe(200);
  });
});
