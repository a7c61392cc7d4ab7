// Ways around the access checks that a security review found or feared: spelled-differently paths, absolute-form
// request lines, a rebound host name with AUTH=off, parallel guessing, and tokens outliving a password reset.
import net from 'node:net';
import { addressKey } from '../../../src/server/auth/login-limiter';
import { CreatedTokenSchema, UserListSchema } from '../../../src/contract/auth';
import { errorOf, makeTestApp, signedInAs, TEST_USER_PASSWORD, type TestApp } from '../helpers/test-app';

let t: TestApp;
afterEach(async () => t.close());

/** Sends one raw HTTP/1.1 request line and headers over a socket; resolves with the status code. */
function rawRequest(port: number, requestLine: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`${requestLine}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('the access check cannot be walked around', () => {
  it('by spelling /api with percent-escapes', async () => {
    t = await makeTestApp({ signIn: true });
    for (const url of ['/%61pi/users', '/%61pi/assets', '/%2561pi/users', '/api%2Fusers']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).not.toBe(200);
      expect([401, 404], url).toContain(res.statusCode);
    }
    const create = await t.app.inject({
      method: 'POST',
      url: '/%61pi/users',
      payload: { email: 'x@evil.example', name: 'X', role: 'admin', password: 'aaaaaaaaaaaa' },
    });
    expect(create.statusCode).toBe(401);
    expect(t.db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 0 });
  });

  it('by an absolute-form request line (GET http://host/api/…)', async () => {
    t = await makeTestApp({ signIn: true });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as net.AddressInfo).port;
    expect(await rawRequest(port, 'GET http://x/api/users HTTP/1.1')).toBe(401);
    expect(await rawRequest(port, 'GET http://x/%61pi/users HTTP/1.1')).toBe(401);
    expect(await rawRequest(port, 'GET /api/health HTTP/1.1')).toBe(200);
  });

  it('with AUTH=off, by a page whose name was rebound to this machine (DNS rebinding)', async () => {
    t = await makeTestApp();
    for (const host of ['evil.example:3000', 'evil.example', '10.0.0.5:3000', '127.0.0.1.evil.example']) {
      const res = await t.app.inject({ method: 'GET', url: '/api/assets', headers: { host } });
      expect(res.statusCode, host).toBe(403);
      expect(errorOf(res).message).toMatch(/answers only to addresses of this machine/);
    }
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'localhost']) {
      expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: { host } })).statusCode, host).toBe(200);
    }
  });
});

describe('password guessing', () => {
  it('cannot slip past the limit by sending its guesses in parallel', async () => {
    t = await makeTestApp({ signIn: true });
    await t.accounts?.createUser({ email: 'ed@studio.example', name: 'Ed', role: 'editor', password: 'editor-password-1' });
    const codes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'ed@studio.example', password: `guess-${i}` } }),
      ),
    );
    const statuses = codes.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::9', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('counts attempts per network: %s → %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});

describe('an admin\'s password reset', () => {
  it('also revokes the account\'s API tokens, which a thief could have made', async () => {
    t = await makeTestApp({ signIn: true });
    const admin = await signedInAs(t, 'admin');
    const editor = await signedInAs(t, 'editor');
    const { secret } = CreatedTokenSchema.parse(
      (await t.app.inject({ method: 'POST', url: '/api/tokens', headers: editor, payload: { name: 'made by a thief', password: TEST_USER_PASSWORD } })).json(),
    );
    const bearer = { authorization: `Bearer ${secret}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: bearer })).statusCode).toBe(200);
    const users = UserListSchema.parse((await t.app.inject({ method: 'GET', url: '/api/users', headers: admin })).json()).users;
    const eid = users.find((u) => u.role === 'editor')?.id;
    expect((await t.app.inject({ method: 'PATCH', url: `/api/users/${eid}`, headers: admin, payload: { password: 'a fresh password' } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: bearer })).statusCode).toBe(401);
  });
});
