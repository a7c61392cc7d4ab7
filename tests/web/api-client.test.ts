// The API client on its own: contract parsing, typed errors, conditional GETs and the server clock.
import { http, HttpResponse } from 'msw';
import { AssetListSchema, HealthSchema, SERVER_TIME_HEADER } from '../../src/contract/api';
import { AssetSchema } from '../../src/contract/asset';
import { ApiError, apiGet, apiSend, apiUpload, isUnreachable, setCsrfToken } from '../../src/web/lib/api-client';
import { serverNow } from '../../src/web/lib/server-time';
import { buildAsset, buildList } from './factories';
import { server } from './msw-server';

describe('apiGet', () => {
  it('parses the body with the contract schema', async () => {
    const asset = buildAsset({ name: 'Cup' });
    server.use(http.get('/api/assets/:id', () => HttpResponse.json(asset)));
    await expect(apiGet(`/api/assets/${asset.id}`, AssetSchema)).resolves.toEqual(asset);
  });

  it('refuses a body that does not match the contract', async () => {
    server.use(http.get('/api/assets/x', () => HttpResponse.json({ id: 'x', name: 'Cup', surprise: true })));
    const error = await apiGet('/api/assets/x', AssetSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 200, code: 'invalid_response' });
  });

  it('turns an error body into an ApiError with status, code and message', async () => {
    server.use(
      http.get('/api/assets/nope', () => HttpResponse.json({ error: { code: 'not_found', message: 'No asset with that id.' } }, { status: 404 })),
    );
    const error = await apiGet('/api/assets/nope', AssetSchema).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', status: 404, code: 'not_found', message: 'No asset with that id.' });
    expect(isUnreachable(error)).toBe(false);
  });

  it('reports a network failure as an unreachable server', async () => {
    server.use(http.get('/api/assets', () => HttpResponse.error()));
    const error = await apiGet('/api/assets', AssetListSchema).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'network' });
    expect(isUnreachable(error)).toBe(true);
  });

  it('sends the last ETag and returns the same parsed object on 304, per URL', async () => {
    const seen: (string | null)[] = [];
    const list = buildList([buildAsset()]);
    server.use(
      http.get('/api/assets', ({ request }) => {
        const inm = request.headers.get('if-none-match');
        seen.push(inm);
        if (inm === 'W/"7"') return new HttpResponse(null, { status: 304, headers: { etag: 'W/"7"' } });
        return HttpResponse.json(list, { headers: { etag: 'W/"7"' } });
      }),
    );
    const first = await apiGet('/api/assets?phase=failed', AssetListSchema);
    const second = await apiGet('/api/assets?phase=failed', AssetListSchema);
    await apiGet('/api/assets?phase=processing', AssetListSchema);
    expect(second).toBe(first);
    expect(seen).toEqual([null, 'W/"7"', null]);
  });

  it('estimates the server clock from x-server-time', async () => {
    const ahead = 90_000;
    server.use(http.get('/api/health', () => HttpResponse.json({ status: 'ok' }, { headers: { [SERVER_TIME_HEADER]: String(Date.now() + ahead) } })));
    await apiGet('/api/health', HealthSchema);
    expect(Math.abs(serverNow() - (Date.now() + ahead))).toBeLessThan(1000);
  });
});

describe('apiUpload', () => {
  it('posts the form and parses the created asset', async () => {
    const asset = buildAsset({ name: 'Uploaded' });
    let name: FormDataEntryValue | null = null;
    server.use(
      http.post('/api/assets', async ({ request }) => {
        name = (await request.formData()).get('name');
        return HttpResponse.json(asset, { status: 201 });
      }),
    );
    const form = new FormData();
    form.append('name', 'Uploaded');
    await expect(apiUpload('/api/assets', form, AssetSchema)).resolves.toEqual(asset);
    expect(name).toBe('Uploaded');
  });

  it('rejects with the server error as an ApiError', async () => {
    server.use(
      http.post('/api/assets', () =>
        HttpResponse.json({ error: { code: 'unsupported_type', message: '“a.gif” is not a PNG or JPEG image.' } }, { status: 415 }),
      ),
    );
    const error = await apiUpload('/api/assets', new FormData(), AssetSchema).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 415, code: 'unsupported_type', message: '“a.gif” is not a PNG or JPEG image.' });
  });
});

describe('the CSRF header', () => {
  function recordHeaders() {
    const seen: { method: string; csrf: string | null }[] = [];
    server.use(
      http.all('/api/anything', ({ request }) => {
        seen.push({ method: request.method, csrf: request.headers.get('x-csrf-token') });
        return request.method === 'POST' && request.headers.get('content-type')?.includes('multipart')
          ? HttpResponse.json(buildAsset(), { status: 201 })
          : new HttpResponse(null, { status: 204 });
      }),
    );
    return seen;
  }

  it('goes with every write (JSON and upload) once the session has a token, never with a GET', async () => {
    const seen = recordHeaders();
    setCsrfToken('tok-1');
    await apiSend('POST', '/api/anything');
    await apiSend('PATCH', '/api/anything', undefined, { role: 'viewer' });
    await apiSend('DELETE', '/api/anything');
    await apiUpload('/api/anything', new FormData(), AssetSchema);
    await apiGet('/api/anything', HealthSchema).catch(() => undefined);
    expect(seen).toEqual([
      { method: 'POST', csrf: 'tok-1' },
      { method: 'PATCH', csrf: 'tok-1' },
      { method: 'DELETE', csrf: 'tok-1' },
      { method: 'POST', csrf: 'tok-1' },
      { method: 'GET', csrf: null },
    ]);
  });

  it('is left out when there is no token (signed out, single-user mode)', async () => {
    const seen = recordHeaders();
    setCsrfToken('tok-1');
    setCsrfToken(null);
    await apiSend('POST', '/api/anything');
    expect(seen).toEqual([{ method: 'POST', csrf: null }]);
  });
});

describe('Retry-After', () => {
  it('is read from a 429, in seconds or as a date', async () => {
    server.use(
      http.post('/api/session', () =>
        HttpResponse.json({ error: { code: 'rate_limited', message: 'Slow down.' } }, { status: 429, headers: { 'retry-after': '90' } }),
      ),
      http.post('/api/other', () =>
        HttpResponse.json(
          { error: { code: 'rate_limited', message: 'Slow down.' } },
          { status: 429, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() } },
        ),
      ),
    );
    const seconds = await apiSend('POST', '/api/session').catch((e: unknown) => e);
    expect(seconds).toMatchObject({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 90 });
    const date = (await apiSend('POST', '/api/other').catch((e: unknown) => e)) as ApiError;
    expect(date.retryAfterSeconds).toBeGreaterThan(110);
    expect(date.retryAfterSeconds).toBeLessThanOrEqual(120);
  });
});
