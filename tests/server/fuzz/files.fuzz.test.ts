// Fuzzes the file routes — a version's model.glb, the thumbnail, and downloads (format, version) — with odd ids,
// version numbers and query strings, on assets in every stage. They only read: every answer is exact, and nothing
// ever changes.
import fc from 'fast-check';
import { DOWNLOAD_FORMATS, DownloadQuerySchema, IdParamsSchema, VersionParamsSchema } from '../../../src/contract/api';
import { ATTACK_STRINGS, FIXTURES, encodeText, makeHarness, nastyString, runs, toWellFormed, type Fixture, type Harness } from './fuzz-kit';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => {
  h.report('files');
  await h.close();
});

/** How many versions each seeded asset has (see FIXTURES). */
const VERSIONS: Record<Fixture, number> = { review: 1, failed: 0, approved: 2, counting: 1, completed: 5 };

const target = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<Fixture | 'unknown'>(...FIXTURES) },
  { weight: 1, arbitrary: fc.constant<Fixture | 'unknown'>('unknown') },
  { weight: 1, arbitrary: fc.constantFrom(...ATTACK_STRINGS, 'a'.repeat(65)) },
);

const idOf = (t: string) => (t === 'unknown' ? 'no_such_asset_3' : (FIXTURES as readonly string[]).includes(t) ? h.ids[t as Fixture] : t);

const versionText = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('0', '-1', '01', '001', '1.0', '1e0', ' 1', '1 ', '+1', '١', '１', '1000000', '1000001', '999999999', '9999999999', 'latest', '', 'NaN') },
  { weight: 1, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
  { weight: 1, arbitrary: nastyString({ maxLength: 6 }) },
);

const stray = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('x=1', '__proto__=1', 'format=glb', 'version=1', 'v=2', 'download=1') },
);

const method = fc.constantFrom<'GET' | 'HEAD'>('GET', 'GET', 'GET', 'HEAD');

function exists(t: string): t is Fixture {
  return (FIXTURES as readonly string[]).includes(t);
}

describe('GET /api/assets/:id/versions/:n/model.glb', () => {
  it('serves exactly the stored version, or refuses with the exact status', async () => {
    await fc.assert(
      fc.asyncProperty(target, versionText, stray, method, async (t, n, query, m) => {
        const id = idOf(t);
        const params = VersionParamsSchema.safeParse({ id: toWellFormed(id), n: toWellFormed(n) });
        const status = !params.success
          ? 400
          : query
            ? 400
            : !exists(t)
              ? 404
              : params.data.n > VERSIONS[t]
                ? 404
                : 200;
        await h.send('GET model.glb', { method: m, url: `/api/assets/${encodeText(id)}/versions/${encodeText(n)}/model.glb${query ? `?${query}` : ''}` }, {
          status,
          check(res) {
            expect(res.headers['content-type']).toBe('model/gltf-binary');
            expect(Number(res.headers['content-length'])).toBe(h.glb.byteLength);
            if (m === 'GET') expect(Buffer.compare(res.rawPayload, Buffer.from(h.glb))).toBe(0);
          },
        }, exists(t) ? t : undefined);
      }),
      runs(180),
    );
  });
});

describe('GET /api/assets/:id/thumbnail.jpg', () => {
  it('serves the thumbnail, or refuses with the exact status', async () => {
    await fc.assert(
      fc.asyncProperty(target, stray, method, async (t, query, m) => {
        const id = idOf(t);
        const valid = IdParamsSchema.safeParse({ id: toWellFormed(id) }).success;
        const status = !valid || query ? 400 : exists(t) ? 200 : 404;
        await h.send('GET thumbnail', { method: m, url: `/api/assets/${encodeText(id)}/thumbnail.jpg${query ? `?${query}` : ''}` }, {
          status,
          check(res) {
            expect(res.headers['content-type']).toBe('image/jpeg');
            if (m === 'GET') expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
          },
        }, exists(t) ? t : undefined);
      }),
      runs(60),
    );
  });
});

describe('GET /api/assets/:id/download', () => {
  const formatText = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...DOWNLOAD_FORMATS) },
    { weight: 2, arbitrary: fc.constantFrom('GLB', 'fbx', 'zip', 'glb ', '', 'obj,glb', 'gltf\u0000', '../glb', 'usdz') },
    { weight: 1, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
  );
  /** Query pairs: format and version (either, both, repeated or absent), sometimes an unknown key. */
  const query = fc
    .tuple(
      fc.option(formatText, { nil: undefined }),
      fc.option(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 6 }).map(String) }, { weight: 1, arbitrary: versionText }), { nil: undefined }),
      fc.oneof(
        { weight: 8, arbitrary: fc.constant('' as const) },
        { weight: 1, arbitrary: fc.constantFrom<'repeat-format' | 'repeat-version' | 'unknown'>('repeat-format', 'repeat-version', 'unknown') },
      ),
    )
    .map(([format, version, twist]) => {
      const pairs: [string, string][] = [];
      if (format !== undefined) pairs.push(['format', format]);
      if (version !== undefined) pairs.push(['version', version]);
      if (twist === 'repeat-format') pairs.push(['format', 'glb']);
      if (twist === 'repeat-version') pairs.push(['version', '1']);
      if (twist === 'unknown') pairs.push(['filename', '../../etc/passwd']);
      return pairs;
    });

  it('serves the chosen format and version as an attachment, or refuses with the exact status', async () => {
    await fc.assert(
      fc.asyncProperty(target, query, method, async (t, pairs, m) => {
        const id = idOf(t);
        const parsedQuery: Record<string, string | string[]> = {};
        for (const [k, v] of pairs) {
          const prev = parsedQuery[k];
          parsedQuery[k] = prev === undefined ? toWellFormed(v) : [...(Array.isArray(prev) ? prev : [prev]), toWellFormed(v)];
        }
        const q = DownloadQuerySchema.safeParse(parsedQuery);
        const validId = IdParamsSchema.safeParse({ id: toWellFormed(id) }).success;
        let status: number;
        if (!validId || !q.success) status = 400;
        else if (!exists(t)) status = 404;
        else if (q.data.version !== undefined) status = q.data.version > VERSIONS[t] ? 404 : 200;
        else status = VERSIONS[t] === 0 ? 409 : 200;
        const format = q.success ? (q.data.format ?? 'glb') : 'glb';
        const url = `/api/assets/${encodeText(id)}/download${pairs.length ? '?' : ''}${pairs.map(([k, v]) => `${k}=${encodeText(v)}`).join('&')}`;
        await h.send('GET download', { method: m, url }, {
          status,
          check(res) {
            expect(res.headers['content-type']).toBe(format === 'glb' ? 'model/gltf-binary' : 'application/zip');
            // An attachment, with an ASCII file name and the asset's own name percent-encoded: nothing to inject.
            expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
            if (m === 'GET' && format === 'glb') expect(Buffer.compare(res.rawPayload, Buffer.from(h.glb))).toBe(0);
            if (m === 'GET' && format !== 'glb') expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
          },
        }, exists(t) ? t : undefined);
      }),
      runs(180),
    );
  });
});
