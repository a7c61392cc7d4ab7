// Behind a proxy: whose X-Forwarded-For and X-Forwarded-Proto are believed (TRUST_PROXY, none by default), and what
// the server takes as its own origin when judging a write's Origin header (scheme, host and port).
import { errorOf, makeTestApp, signedInAs, type Credentials, type TestApp } from '../helpers/test-app';

let t: TestApp;
afterEach(async () => t.close());

const PROXY = '127.0.0.1';

/** Five wrong passwords for one account from the client behind the proxy at `forwardedFor`. */
async function lockOut(forwardedFor: string) {
  for (let i = 0; i < 5; i++) {
    const res = await signInVia(forwardedFor, `guess ${i}`);
    expect(res.statusCode).toBe(401);
  }
}

function signInVia(forwardedFor: string, password: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/session',
    remoteAddress: PROXY,
    headers: { 'x-forwarded-for': forwardedFor },
    payload: { email: 'editor@studio.example', password },
  });
}

describe('TRUST_PROXY', () => {
  it('set to 1 hop: clients with different X-Forwarded-For are limited separately', async () => {
    t = await makeTestApp({ signIn: true, trustProxy: 1 });
    await signedInAs(t, 'editor');
    await lockOut('203.0.113.10');
    expect((await signInVia('203.0.113.10', 'guess 6')).statusCode).toBe(429);
    expect((await signInVia('198.51.100.20', 'guess 6')).statusCode).toBe(401);
    // A client cannot pick its address by sending its own X-Forwarded-For: the proxy appends the real one.
    expect((await signInVia('198.51.100.20, 203.0.113.10', 'guess 7')).statusCode).toBe(429);
  });

  it('set to the proxy’s address: the same, and a connection from elsewhere is not believed', async () => {
    t = await makeTestApp({ signIn: true, trustProxy: ['127.0.0.0/8'] });
    await signedInAs(t, 'editor');
    await lockOut('203.0.113.10');
    expect((await signInVia('198.51.100.20', 'guess 6')).statusCode).toBe(401);
    const direct = (forwardedFor: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/session',
        remoteAddress: '192.0.2.50',
        headers: { 'x-forwarded-for': forwardedFor },
        payload: { email: 'editor@studio.example', password: 'guess' },
      });
    for (let i = 0; i < 5; i++) expect((await direct(`198.51.100.${i}`)).statusCode).toBe(401);
    expect((await direct('198.51.100.99')).statusCode).toBe(429);
  });

  it('unset: X-Forwarded-For is ignored, everyone behind the proxy is one address', async () => {
    t = await makeTestApp({ signIn: true });
    await signedInAs(t, 'editor');
    await lockOut('203.0.113.10');
    expect((await signInVia('198.51.100.20', 'guess 6')).statusCode).toBe(429);
  });
});

describe('the Origin of a write', () => {
  /** A cheap write: revoking a token that does not exist answers 404 once it is let through. */
  const write = (headers: Credentials) => t.app.inject({ method: 'DELETE', url: '/api/tokens/none', headers });

  it('must match the scheme too: an https page is not this http server', async () => {
    t = await makeTestApp({ signIn: true });
    const creds = { ...(await signedInAs(t, 'admin')), host: '127.0.0.1:3000' };
    const other = await write({ ...creds, origin: 'https://127.0.0.1:3000' });
    expect(other.statusCode).toBe(403);
    expect(errorOf(other).message).toMatch(/Requests from other sites are not accepted/);
    expect((await write({ ...creds, origin: 'http://127.0.0.1:3001' })).statusCode).toBe(403);
    // The page's own same-origin fetch.
    expect((await write({ ...creds, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(404);
    expect((await write({ ...creds, origin: 'http://127.0.0.1:3000/' })).statusCode).toBe(404);
  });

  it('behind a TLS proxy set up without SECURE_COOKIES or TRUST_PROXY, still takes the browser’s same-origin word', async () => {
    t = await makeTestApp({ signIn: true });
    const creds = { ...(await signedInAs(t, 'admin')), host: 'forge.example' };
    // The server believes it is http; the page is https. A browser that says same-origin is believed…
    expect((await write({ ...creds, origin: 'https://forge.example', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(404);
    // …and one that says nothing is judged by the scheme too.
    expect((await write({ ...creds, origin: 'https://forge.example' })).statusCode).toBe(403);
    expect((await write({ ...creds, origin: 'https://forge.example', 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
  });

  it('is https behind a TLS proxy: with SECURE_COOKIES=1', async () => {
    t = await makeTestApp({ signIn: true, secureCookies: true });
    const creds = { ...(await signedInAs(t, 'admin')), host: 'forge.example' };
    expect((await write({ ...creds, origin: 'https://forge.example' })).statusCode).toBe(404);
    expect((await write({ ...creds, origin: 'https://forge.example:443' })).statusCode).toBe(404);
    expect((await write({ ...creds, origin: 'http://forge.example' })).statusCode).toBe(403);
  });

  it('is https behind a TLS proxy: from X-Forwarded-Proto, believed only from a trusted proxy', async () => {
    t = await makeTestApp({ signIn: true, trustProxy: 1 });
    const creds = { ...(await signedInAs(t, 'admin')), host: 'forge.example', 'x-forwarded-proto': 'https' };
    expect((await write({ ...creds, origin: 'https://forge.example' })).statusCode).toBe(404);
    expect((await write({ ...creds, origin: 'http://forge.example' })).statusCode).toBe(403);
    await t.close();

    t = await makeTestApp({ signIn: true });
    const untrusted = { ...(await signedInAs(t, 'admin')), host: 'forge.example', 'x-forwarded-proto': 'https' };
    expect((await write({ ...untrusted, origin: 'https://forge.example' })).statusCode).toBe(403);
  });
});
