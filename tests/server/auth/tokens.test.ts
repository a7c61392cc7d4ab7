// API tokens outlive sessions, so they are tied to the password: making one asks for it, and changing it revokes
// them unless asked not to. (An admin's reset always does: bypass.test.ts.)
import { CreatedTokenSchema } from '../../../src/contract/auth';
import { errorOf, makeTestApp, signedInAs, TEST_USER_PASSWORD, type Credentials, type TestApp } from '../helpers/test-app';

let t: TestApp;
let editor: Credentials;

beforeEach(async () => {
  t = await makeTestApp({ signIn: true });
  editor = await signedInAs(t, 'editor');
});
afterEach(async () => t.close());

const tokenCount = () => (t.db.prepare('SELECT count(*) AS n FROM api_tokens').get() as { n: number }).n;

function createToken(headers: Credentials, body: object, remoteAddress = '127.0.0.1') {
  return t.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: body, remoteAddress });
}

async function tokenOf(headers: Credentials): Promise<Credentials> {
  const res = await createToken(headers, { name: 'Script', password: TEST_USER_PASSWORD });
  expect(res.statusCode).toBe(201);
  return { authorization: `Bearer ${CreatedTokenSchema.parse(res.json()).secret}` };
}

const works = async (headers: Credentials) => (await t.app.inject({ method: 'GET', url: '/api/assets', headers })).statusCode;

function changePassword(headers: Credentials, body: object) {
  return t.app.inject({ method: 'POST', url: '/api/session/password', headers, payload: body });
}

describe('creating a token', () => {
  it('asks for the current password: missing or wrong creates nothing, right creates one', async () => {
    const missing = await createToken(editor, { name: 'Script' });
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).message).toBe('Invalid body: password: Enter your current password to create a token');

    const wrong = await createToken(editor, { name: 'Script', password: 'not my password at all' });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong)).toEqual({ code: 'bad_request', message: 'Current password is wrong; no token was created.' });
    expect(tokenCount()).toBe(0);

    const token = await tokenOf(editor);
    expect(await works(token)).toBe(200);
    expect(tokenCount()).toBe(1);
  });

  it('counts wrong passwords in the sign-in limit of that address and account', async () => {
    for (let i = 0; i < 5; i++) expect((await createToken(editor, { name: 'x', password: `guess ${i}` })).statusCode).toBe(400);
    const refused = await createToken(editor, { name: 'x', password: TEST_USER_PASSWORD });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(errorOf(refused).message).toMatch(/^Too many wrong passwords\. Try again in 1 second/);
    // The same count: signing in to that account from that address waits too.
    const signInNow = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'editor@studio.example', password: TEST_USER_PASSWORD } });
    expect(signInNow.statusCode).toBe(429);
    expect(tokenCount()).toBe(0);
  });

  it('refuses a token name with hidden characters, saying which', async () => {
    const res = await createToken(editor, { name: 'CI \u202Ekrow', password: TEST_USER_PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toBe('Invalid body: name: Token name must not contain invisible or control characters (found U+202E)');
    expect(tokenCount()).toBe(0);
  });

  it('refuses a user name with hidden characters (a zero-width space hides in a look-alike)', async () => {
    const admin = await signedInAs(t, 'admin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin,
      payload: { email: 'new@studio.example', name: 'Ad\u200Bmin', role: 'viewer', password: 'quiet harbour lantern' },
    });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('Name must not contain invisible or control characters (found U+200B)');
  });

  it('does not exist without sign-in (AUTH=off)', async () => {
    const single = await makeTestApp();
    try {
      const res = await single.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'x', password: 'whatever it is' } });
      expect(res.statusCode).toBe(404);
    } finally {
      await single.close();
    }
  });
});

describe('changing your password', () => {
  it('revokes every API token of the account unless told not to', async () => {
    const token = await tokenOf(editor);
    const res = await changePassword(editor, { current_password: TEST_USER_PASSWORD, new_password: 'violet anchor meadow' });
    expect(res.statusCode).toBe(204);
    expect(await works(token)).toBe(401);
    expect(tokenCount()).toBe(0);
    expect(await works(editor)).toBe(200); // this browser stays signed in
  });

  it('keeps the tokens with revoke_tokens: false', async () => {
    const token = await tokenOf(editor);
    const res = await changePassword(editor, { current_password: TEST_USER_PASSWORD, new_password: 'violet anchor meadow', revoke_tokens: false });
    expect(res.statusCode).toBe(204);
    expect(await works(token)).toBe(200);
    const bad = await changePassword(editor, { current_password: 'violet anchor meadow', new_password: 'another long phrase', revoke_tokens: 'no' });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toBe('Invalid body: revoke_tokens: revoke_tokens must be true or false');
  });

  it('says when to try again, in Retry-After too, after too many wrong current passwords', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await changePassword(editor, { current_password: `guess ${i}`, new_password: 'violet anchor meadow' })).statusCode).toBe(400);
    }
    const refused = await changePassword(editor, { current_password: TEST_USER_PASSWORD, new_password: 'violet anchor meadow' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
  });
});
