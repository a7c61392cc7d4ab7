import { errorOf, makeTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('HTTP basics', () => {
  it('answers health', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('sends the server clock so clients can correct countdowns for clock offset', async () => {
    const before = Date.now();
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    const serverTime = Number(res.headers['x-server-time']);
    expect(serverTime).toBeGreaterThanOrEqual(before);
    expect(serverTime).toBeLessThanOrEqual(Date.now());
  });

  it('sends security headers: a CSP without inline or eval script, no framing, no sniffing', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });

  it.each(['/api/nope', '/api/assets/abc/nope', '/api'])('answers an unknown API path %s with a JSON 404', async (url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
    expect(errorOf(res).code).toBe('not_found');
  });

  it.each([
    ['GET', '/api/assets/missing123'],
    ['DELETE', '/api/assets/missing123'],
    ['POST', '/api/assets/missing123/approve'],
    ['POST', '/api/assets/missing123/retry'],
    ['GET', '/api/assets/missing123/download'],
  ] as const)('answers %s %s for an unknown id with 404', async (method, url) => {
    const res = await t.app.inject({ method, url });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res)).toEqual({ code: 'not_found', message: 'No asset with that id.' });
  });

  it.each(['..%2F..%2Fetc%2Fpasswd', "x'%20OR%20'1'%3D'1", 'a'.repeat(65)])('refuses the id %s with 400', async (id) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${id}` });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('not a valid asset id');
  });

  it.each(['/api/assets/abc?x=1', '/api/assets/abc/versions/1/model.glb?x=1', '/api/assets/abc/thumbnail.jpg?x=1'])(
    'refuses unknown query parameters on %s with 400',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toBe('Unknown query field: x.');
    },
  );

  it('refuses malformed JSON with 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/assets/abc/revisions',
      headers: { 'content-type': 'application/json' },
      payload: '{"note": ',
    });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toBe('The body is not valid JSON.');
  });

  it('hides internals of an unexpected error behind a plain 500', async () => {
    const { buildApp } = await import('../../../src/server/app');
    const broken = await buildApp({
      auth: { mode: 'off' },
      repo: {
        ...t.repo,
        changeSeq: () => {
          throw new Error('SQLITE_CORRUPT at /var/secret/db');
        },
      },
      files: t.files,
      generator: (await import('../../../src/server/pipeline/builtin-generator')).createBuiltinGenerator(),
      stepMs: 0,
      countdownMs: 1000,
      stepTimeoutMs: 1000,
      workers: 1,
    });
    const res = await broken.inject({ method: 'GET', url: '/api/assets' });
    await broken.close();
    expect(res.statusCode).toBe(500);
    expect(errorOf(res)).toEqual({ code: 'internal', message: 'Something went wrong on our side. Try again in a moment.' });
    expect(res.body).not.toContain('secret');
  });
});
