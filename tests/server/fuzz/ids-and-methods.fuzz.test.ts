// Fuzzes every /api route's path: ids that try path traversal or SQL, odd encodings, unknown ids, wrong methods,
// overlong URLs and unknown paths. Each must get its exact 4xx, in the contract's error shape, and change nothing.
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { IdParamsSchema } from '../../../src/contract/api';
import { ATTACK_STRINGS, encodeAll, encodeText, makeHarness, nastyString, runs, toWellFormed, type Harness } from './fuzz-kit';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => {
  h.report('ids-and-methods');
  await h.close();
});

type Method = NonNullable<InjectOptions['method']>;
// TRACE is missing from light-my-request's type, but it sends any method as is.
const METHODS: readonly Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE' as Method];

interface IdRoute {
  label: string;
  method: Method;
  url: (id: string) => string;
  /** Status for a well-formed id no asset has, with no body: 404, except where the body is checked first. */
  unknownStatus: number;
}

const ID_ROUTES: readonly IdRoute[] = [
  { label: 'GET /assets/:id', method: 'GET', url: (id) => `/api/assets/${id}`, unknownStatus: 404 },
  { label: 'DELETE /assets/:id', method: 'DELETE', url: (id) => `/api/assets/${id}`, unknownStatus: 404 },
  { label: 'POST approve', method: 'POST', url: (id) => `/api/assets/${id}/approve`, unknownStatus: 404 },
  { label: 'POST next-step', method: 'POST', url: (id) => `/api/assets/${id}/next-step`, unknownStatus: 404 },
  { label: 'DELETE next-step', method: 'DELETE', url: (id) => `/api/assets/${id}/next-step`, unknownStatus: 404 },
  // The note is read before the asset is looked up: no body is a 400 whatever the id.
  { label: 'POST revisions', method: 'POST', url: (id) => `/api/assets/${id}/revisions`, unknownStatus: 400 },
  { label: 'POST versions', method: 'POST', url: (id) => `/api/assets/${id}/versions`, unknownStatus: 404 },
  { label: 'POST retry', method: 'POST', url: (id) => `/api/assets/${id}/retry`, unknownStatus: 404 },
  { label: 'GET model.glb', method: 'GET', url: (id) => `/api/assets/${id}/versions/1/model.glb`, unknownStatus: 404 },
  { label: 'GET thumbnail', method: 'GET', url: (id) => `/api/assets/${id}/thumbnail.jpg`, unknownStatus: 404 },
  { label: 'GET download', method: 'GET', url: (id) => `/api/assets/${id}/download`, unknownStatus: 404 },
];

/** The methods each path answers; any other is an unknown endpoint (a JSON 404). HEAD comes with every GET. */
const PATHS: readonly { path: (id: string) => string; methods: readonly Method[] }[] = [
  { path: () => '/api/health', methods: ['GET', 'HEAD'] },
  { path: () => '/api/assets', methods: ['GET', 'HEAD', 'POST'] },
  { path: (id) => `/api/assets/${id}`, methods: ['GET', 'HEAD', 'DELETE'] },
  { path: (id) => `/api/assets/${id}/approve`, methods: ['POST'] },
  { path: (id) => `/api/assets/${id}/next-step`, methods: ['POST', 'DELETE'] },
  { path: (id) => `/api/assets/${id}/revisions`, methods: ['POST'] },
  { path: (id) => `/api/assets/${id}/versions`, methods: ['POST'] },
  { path: (id) => `/api/assets/${id}/retry`, methods: ['POST'] },
  { path: (id) => `/api/assets/${id}/versions/1/model.glb`, methods: ['GET', 'HEAD'] },
  { path: (id) => `/api/assets/${id}/thumbnail.jpg`, methods: ['GET', 'HEAD'] },
  { path: (id) => `/api/assets/${id}/download`, methods: ['GET', 'HEAD'] },
];

/** The router refuses a path parameter longer than this (once decoded) with 414 before any route runs. */
const MAX_PARAM_LENGTH = 100;

/** Ids as the URL carries them: every byte percent-encoded, or only what must be. */
const encodedId = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
      { weight: 3, arbitrary: nastyString({ minLength: 1, maxLength: 24 }) },
      // Well-formed ids that no asset has, at the edges of the allowed length.
      { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{65,80}$/) },
      { weight: 1, arbitrary: fc.constantFrom('a'.repeat(64), 'a'.repeat(65), 'a'.repeat(100), 'a'.repeat(101), 'A-_z09', '-', '_') },
    ),
    fc.boolean(),
  )
  // Either way the router decodes the parameter to the id as UTF-8 carries it.
  .map(([id, all]) => ({ decoded: toWellFormed(id), encoded: all ? encodeAll(id) : encodeText(id) }))
  // "." and ".." are dot segments: the URL parser resolves them before routing (covered by the table below).
  .filter(({ decoded }) => !['.', '..'].includes(decoded));

function statusFor(route: IdRoute, id: string): number {
  if (id.length > MAX_PARAM_LENGTH) return 414;
  return IdParamsSchema.safeParse({ id }).success ? route.unknownStatus : 400;
}

/** Percent signs that start no valid escape, or escapes of bytes that are not UTF-8. */
const MALFORMED_ESCAPES = ['%', '%%', '%G1', '%E0%A4%A', '%u202e', '%C0', '%FF', '%ED%A0%80', '%C0%AE%C0%AE', 'abc%', '%2'] as const;

describe('ids', () => {
  it('refuses malformed ids with 400 and unknown ones with 404, on every route', async () => {
    await fc.assert(
      fc.asyncProperty(encodedId, fc.constantFrom(...ID_ROUTES), async ({ decoded, encoded }, route) => {
        await h.send(route.label, { method: route.method, url: route.url(encoded) }, { status: statusFor(route, decoded) });
      }),
      runs(250),
    );
  });

  it('refuses an id with a malformed percent-escape with 400, on every route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MALFORMED_ESCAPES),
        fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/),
        fc.constantFrom(...ID_ROUTES),
        async (bad, around, route) => {
          await h.send(route.label, { method: route.method, url: route.url(`${around}${bad}${around}`) }, { status: 400 });
        },
      ),
      runs(60),
    );
  });

  it('never finds an existing asset under its id with anything appended or prepended', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('review', 'completed', 'failed') as fc.Arbitrary<'review' | 'completed' | 'failed'>,
        fc.constantFrom(...ATTACK_STRINGS, ' ', '\u0000', '%', '.glb', '/', '?', '#'),
        fc.boolean(),
        fc.constantFrom(...ID_ROUTES),
        async (kind, extra, before, route) => {
          const id = before ? `${extra}${h.ids[kind]}` : `${h.ids[kind]}${extra}`;
          const encoded = encodeAll(id);
          // Some additions ("-1", "_") keep the id well-formed: then it names no asset.
          await h.send(route.label, { method: route.method, url: route.url(encoded) }, { status: statusFor(route, toWellFormed(id)) });
        },
      ),
      runs(80),
    );
  });

  // Raw (not fully encoded) traversal and injection attempts, with the status each must get. light-my-request,
  // like a browser, resolves literal dot segments ("..", "%2e%2e") before the router sees the path.
  it.each([
    ['GET', '/api/assets/..%2f..%2fetc%2fpasswd', 400],
    ['GET', '/api/assets/..%2F..%2F..%2Fpackage.json', 400],
    ['GET', '/api/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd', 400],
    ['GET', '/api/assets/..%5c..%5cwindows%5cwin.ini', 400],
    ['GET', '/api/assets/..%255c..%255cetc', 400],
    ['GET', '/api/assets/%2Fetc%2Fpasswd', 400],
    ['GET', '/api/assets/C:%5CWindows%5Cwin.ini', 400],
    ['GET', '/api/assets/%00', 400],
    ['GET', '/api/assets/abc%00.glb', 400],
    ['GET', "/api/assets/'%20OR%201=1%20--", 400],
    ['GET', '/api/assets/x%27%20OR%20%271%27=%271', 400],
    ['GET', '/api/assets/%22%3B%20DROP%20TABLE%20assets%3B', 400],
    ['GET', '/api/assets/1;DROP%20TABLE%20assets', 400],
    ['GET', '/api/assets/*', 400],
    ['GET', '/api/assets/%25', 400],
    ['POST', '/api/assets/..%2f..%2fetc%2fpasswd/approve', 400],
    ['POST', '/api/assets/%2e%2e%2fx/retry', 400],
    ['DELETE', '/api/assets/..%2F..%2F', 400],
    ['DELETE', "/api/assets/'%20OR%201=1%20--", 400],
    ['GET', '/api/assets/abc/versions/..%2f..%2f1/model.glb', 400],
    ['GET', '/api/assets/abc/versions/1%00/model.glb', 400],
    ['GET', '/api/assets/abc/versions/-1/model.glb', 400],
    ['GET', '/api/assets/abc/versions/0/model.glb', 400],
    ['GET', '/api/assets/abc/versions/1e3/model.glb', 400],
    ['GET', '/api/assets/abc/versions/9999999999/model.glb', 400],
    ['GET', '/api/assets/abc/download?format=../../etc/passwd', 400],
    ['GET', '/api/assets/abc/download?version=1%00', 400],
    ['GET', '/api/assets/abc/download?version=1%20OR%201=1', 400],
    // Dot segments are resolved first, so these leave /api/assets/:id for paths nothing answers.
    ['GET', '/api/assets/../../etc/passwd', 404],
    ['GET', '/api/assets/%2e%2e/%2e%2e/etc/passwd', 404],
    ['GET', '/api/assets/%2E%2E', 404],
    ['GET', '/api/assets/abc/versions/1/..%2f..%2fmodel.glb', 404],
    ['GET', '/api/assets//etc/passwd', 404],
    ['GET', '/api/assets/abc/../../../etc/passwd', 404],
    // Resolves to /api/assets/ with an empty id.
    ['DELETE', '/api/assets/abc/..', 400],
    ['POST', '/api/assets/abc/approve/../../..', 404],
  ] as const)('%s %s -> %i', async (method, url, status) => {
    await h.send('traversal table', { method, url }, { status });
  });

  // Both were answered in Fastify's own shape ({"error":"Bad Request","code":"FST_ERR_BAD_URL",…}) until app.ts
  // handled the router's errors (frameworkErrors).
  it.each([
    ['/api/assets/%E0%A4%A', 400],
    ['/api/assets/abc%ZZ/approve', 400],
    [`/api/assets/${'a'.repeat(MAX_PARAM_LENGTH + 1)}`, 414],
    [`/api/assets/${'a'.repeat(MAX_PARAM_LENGTH + 1)}/versions/1/model.glb`, 414],
  ] as const)('answers the router-level refusal GET %s with a JSON %i', async (url, status) => {
    await h.send('router refusals', { method: 'GET', url }, { status });
  });
});

describe('methods and paths', () => {
  it('answers a method a path does not have with a JSON 404, on every path', async () => {
    const cases = PATHS.flatMap((p) => METHODS.filter((m) => !p.methods.includes(m)).map((m) => ({ p, m })));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), fc.constantFrom('review', 'failed', 'unknown'), async ({ p, m }, who) => {
        const id = who === 'unknown' ? 'no_such_asset' : h.ids[who];
        await h.send(`wrong method`, { method: m, url: p.path(id) }, { status: 404 });
      }),
      runs(100),
    );
  });

  it('answers unknown /api paths with a JSON 404, however long or odd', async () => {
    const segment = fc.oneof(
      fc.stringMatching(/^x-[A-Za-z0-9._~-]{0,20}$/),
      nastyString({ minLength: 1, maxLength: 12 }).map((s) => `x-${encodeAll(s)}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/', '/api/assets/abc/', '/api/assets/abc/versions/1/'),
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('GET', 'POST', 'DELETE') as fc.Arbitrary<Method>,
        async (prefix, segments, method) => {
          await h.send('unknown path', { method, url: `${prefix}${segments.join('/')}` }, { status: 404 });
        },
      ),
      runs(80),
    );
  });

  it.each([
    ['GET', `/api/${'x'.repeat(100_000)}`, 404],
    ['GET', `/api/assets/abc/${'a/'.repeat(20_000)}x`, 404],
    ['GET', `/api/assets?q=${'q'.repeat(100_000)}`, 400],
    ['GET', `/api/assets?cursor=${'c'.repeat(100_000)}`, 400],
    ['GET', `/api/assets?${'k'.repeat(50_000)}=1`, 400],
    ['GET', `/api/assets?${Array.from({ length: 2000 }, (_, i) => `k${i}=${i}`).join('&')}`, 400],
    ['GET', `/api/assets/abc?pad=${'p'.repeat(100_000)}`, 400],
    ['POST', `/api/assets/abc/approve?pad=${'p'.repeat(100_000)}`, 400],
    ['GET', `/api/assets/abc/download?format=${'g'.repeat(100_000)}`, 400],
  ] as const)('answers an overlong URL (%s %#) with its exact 4xx', async (method, url, status) => {
    await h.send('overlong url', { method, url }, { status });
  });
});
