// Fuzzes GET /api/assets: every query parameter of the contract (phase, q, sort, limit, cursor) from valid values
// and corrupted ones, unknown and repeated keys, and cursors that are real, forged or garbled. A valid query must
// list exactly what a model of the seeded assets predicts; anything else is a 400 that changes nothing.
import fc from 'fast-check';
import { AssetListSchema, LIMITS, ListQuerySchema, SORTS, type Sort } from '../../../src/contract/api';
import { PHASES, type Asset } from '../../../src/contract/asset';
import { ATTACK_STRINGS, FIXTURE_NAMES, FIXTURES, encodeText, makeHarness, nastyString, runs, toWellFormed, type Harness } from './fuzz-kit';

let h: Harness;
/** The seeded assets as the API shows them (the list tests never change them). */
let assets: Asset[];
/** Cursors the server itself handed out, for every sort. */
let realCursors: string[];

beforeAll(async () => {
  h = await makeHarness();
  assets = FIXTURES.map((k) => h.t.app.assets.get(h.ids[k]));
  realCursors = [];
  for (const sort of SORTS) {
    for (const limit of [1, 2, 3]) {
      const res = await h.t.app.inject({ method: 'GET', url: `/api/assets?sort=${sort}&limit=${limit}` });
      const next = AssetListSchema.parse(res.json()).next_cursor;
      if (next) realCursors.push(next);
    }
  }
});
afterAll(async () => {
  h.report('list-query');
  await h.close();
});

// ---------------------------------------------------------------------------------------------------------------
// The model: what a valid query must return.

const utf8 = (s: string) => Buffer.from(toWellFormed(s), 'utf8');
const ID = /^[A-Za-z0-9_-]{1,64}$/;

type Cursor = [string | number, string];

/** The cursor a server would accept for `sort`, decoded; null when it must be refused. */
function modelCursor(raw: string, sort: Sort): Cursor | null {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 3) return null;
  const [s, value, id] = v as unknown[];
  if (s !== sort || typeof id !== 'string' || !ID.test(id)) return null;
  if (sort === 'name') return typeof value === 'string' && value.length <= 512 ? [value, id] : null;
  return Number.isSafeInteger(value) ? [value as number, id] : null;
}

function sortKey(a: Asset, sort: Sort): string | number {
  return sort === 'newest' ? a.created_at : sort === 'updated' ? a.status.updated_at : a.name.toLowerCase();
}

/** Compares like SQLite: numbers as numbers, text by its UTF-8 bytes. */
function compare(x: string | number, y: string | number): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') return Buffer.compare(utf8(x), utf8(y));
  // SQLite orders every number before any text.
  return typeof x === 'number' ? -1 : 1;
}

function expectedList(q: { phase?: string; q?: string; sort: Sort; limit: number; after?: Cursor }) {
  const needle = q.q?.trim().toLowerCase() ?? '';
  const named = assets.filter((a) => !needle || a.name.toLowerCase().includes(needle));
  const asc = q.sort === 'name';
  const ordered = named
    .filter((a) => !q.phase || a.status.phase === q.phase)
    .sort((a, b) => {
      const c = compare(sortKey(a, q.sort), sortKey(b, q.sort)) || compare(a.id, b.id);
      return asc ? c : -c;
    })
    .filter((a) => {
      if (!q.after) return true;
      const c = compare(sortKey(a, q.sort), q.after[0]) || compare(a.id, q.after[1]);
      return asc ? c > 0 : c < 0;
    });
  const counts = { processing: 0, for_review: 0, completed: 0, failed: 0 };
  for (const a of named) counts[a.status.phase]++;
  return { ids: ordered.slice(0, q.limit).map((a) => a.id), more: ordered.length > q.limit, counts };
}

// ---------------------------------------------------------------------------------------------------------------
// Query strings: valid values from the contract, then corrupted.

const corrupt = fc.oneof(
  fc.constantFrom(...ATTACK_STRINGS),
  nastyString({ maxLength: 16 }),
  fc.constantFrom('', ' ', 'PROCESSING', 'For_Review', 'processing ', 'processing\u0000', 'newest,name', 'NAME', '[]', '{}', 'true'),
);

const limitValue = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: LIMITS.listLimitMax }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: LIMITS.listLimitMax }).map((n) => `000${n}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('0', '101', '-1', '+5', '1e2', '1.0', '5.', ' 5', '5 ', '0x10', '١٢', '５', '9999999999', 'Infinity', 'NaN', ''),
  },
  { weight: 1, arbitrary: corrupt },
);

/** A substring of a seeded name, in another case: a search that finds something. */
const nameSlice = fc
  .tuple(fc.constantFrom(...Object.values(FIXTURE_NAMES)), fc.nat(), fc.nat(), fc.boolean())
  .map(([name, a, b, upper]) => {
    const chars = Array.from(name);
    const start = a % chars.length;
    const slice = chars.slice(start, start + 1 + (b % 8)).join('');
    return upper ? slice.toUpperCase() : slice;
  });

const qValue = fc.oneof(
  { weight: 3, arbitrary: nameSlice },
  { weight: 2, arbitrary: fc.constantFrom(...ATTACK_STRINGS, '%', '_', '\\', "'", '"', '100%', 'cotton_', ' vase ', '%vase%', 'va_e') },
  { weight: 2, arbitrary: nastyString({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.tuple(nameSlice, fc.constantFrom('\u0000', '\u0000zzz', '%', '_')).map(([s, x]) => s + x) },
  { weight: 1, arbitrary: fc.string({ minLength: LIMITS.nameMax - 2, maxLength: LIMITS.nameMax + 3 }) },
);

/** Cursors: the server's own, forged from JSON, garbled, or plain junk. */
const cursorValue = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...realCursors)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom<unknown>(...SORTS, 'NEWEST', 'oldest', null, 1),
        fc.oneof(
          fc.integer(),
          fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 53, -(2 ** 53), 1e308, Date.UTC(2025, 0, 1) + 120_000, null, true, [], {}),
          fc.constantFrom(...Object.values(FIXTURE_NAMES)).map((n) => n.toLowerCase()),
          nastyString({ maxLength: 20 }),
          fc.constant('z'.repeat(513)),
        ),
        fc.oneof(fc.stringMatching(ID), fc.constantFrom<unknown>(...ATTACK_STRINGS, '', 'a'.repeat(65), 7, null)),
        fc.constantFrom<'none' | 'extra' | 'short'>('none', 'none', 'none', 'extra', 'short'),
      )
      .map(([s, v, id, shape]) => {
        const tuple = shape === 'extra' ? [s, v, id, 'x'] : shape === 'short' ? [s, v] : [s, v, id];
        return Buffer.from(JSON.stringify(tuple)).toString('base64url');
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constant(null).chain(() => fc.constantFrom(...realCursors)), fc.nat(), fc.constantFrom('cut', 'flip', 'append', 'upper', 'pad'))
      .map(([c, n, how]) => {
        const i = n % c.length;
        if (how === 'cut') return c.slice(0, i);
        if (how === 'flip') return c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
        if (how === 'append') return `${c}!*$`;
        if (how === 'upper') return c.toUpperCase();
        return `${c}==`;
      }),
  },
  { weight: 1, arbitrary: fc.oneof(corrupt, fc.base64String({ maxLength: 40 }), fc.constant('c'.repeat(600))) },
);

const KNOWN_KEYS = Object.keys(ListQuerySchema.shape) as (keyof typeof ListQuerySchema.shape)[];
const valueFor: Record<(typeof KNOWN_KEYS)[number], fc.Arbitrary<string>> = {
  phase: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PHASES) }, { weight: 1, arbitrary: corrupt }),
  q: qValue,
  sort: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SORTS) }, { weight: 1, arbitrary: corrupt }),
  limit: limitValue,
  cursor: cursorValue,
};

const unknownKey = fc.oneof(
  fc.constantFrom('page', 'offset', 'Phase', 'LIMIT', 'sort[]', 'q[]', '__proto__', 'constructor', 'prototype', 'toString', '', ' q', 'q '),
  nastyString({ minLength: 1, maxLength: 8 }),
);

interface Pair {
  key: string;
  value: string;
  /** Sent as a bare key ("?phase") rather than "phase=value". */
  bare: boolean;
}

const pair: fc.Arbitrary<Pair> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...KNOWN_KEYS).chain((key) => valueFor[key].map((value) => ({ key, value, bare: false }))) },
  { weight: 1, arbitrary: fc.constantFrom(...KNOWN_KEYS).map((key) => ({ key, value: '', bare: true })) },
  { weight: 1, arbitrary: fc.tuple(unknownKey, corrupt).map(([key, value]) => ({ key, value, bare: false })) },
);

/** Mostly distinct known keys (so the query is often valid), sometimes repeated or unknown ones. */
const query = fc.oneof(
  { weight: 4, arbitrary: fc.uniqueArray(pair, { maxLength: 5, selector: (p) => p.key }) },
  { weight: 1, arbitrary: fc.array(pair, { maxLength: 6 }) },
);

/** What Fastify's query parser makes of the pairs: repeated keys become arrays; lone surrogates travel as U+FFFD. */
function parsedQuery(pairs: Pair[]): Record<string, string | string[]> {
  const m = new Map<string, string[]>();
  for (const p of pairs) {
    const key = toWellFormed(p.key);
    m.set(key, [...(m.get(key) ?? []), toWellFormed(p.value)]);
  }
  return Object.fromEntries([...m].map(([k, v]) => [k, v.length === 1 ? (v[0] as string) : v]));
}

function expectedStatus(pairs: Pair[]): { status: 200 | 400; list?: ReturnType<typeof expectedList> } {
  const parsed = ListQuerySchema.safeParse(parsedQuery(pairs));
  if (!parsed.success) return { status: 400 };
  const q = parsed.data;
  const sort = q.sort ?? 'newest';
  let after: Cursor | undefined;
  if (q.cursor) {
    const c = modelCursor(q.cursor, sort);
    if (!c) return { status: 400 };
    after = c;
  }
  return {
    status: 200,
    list: expectedList({ sort, limit: q.limit ?? LIMITS.listLimitDefault, ...(q.phase ? { phase: q.phase } : {}), ...(q.q ? { q: q.q } : {}), ...(after ? { after } : {}) }),
  };
}

const toUrl = (pairs: Pair[]) =>
  `/api/assets${pairs.length ? '?' : ''}${pairs.map((p) => (p.bare ? encodeText(p.key) : `${encodeText(p.key)}=${encodeText(p.value)}`)).join('&')}`;

describe('GET /api/assets', () => {
  it('lists exactly what the query asks for, or refuses it with 400', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (pairs) => {
        const want = expectedStatus(pairs);
        await h.send('GET /assets', { method: 'GET', url: toUrl(pairs) }, {
          status: want.status,
          check(res) {
            const list = AssetListSchema.parse(res.json());
            expect(list.items.map((a) => a.id)).toEqual(want.list?.ids);
            expect(list.next_cursor !== null).toBe(want.list?.more);
            expect(list.counts).toEqual(want.list?.counts);
          },
        });
      }),
      runs(450),
    );
  });

  it('answers If-None-Match with 304 only for the tag it gave out', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom('exact', 'among', 'garbage', 'weak-stripped'), nastyString({ maxLength: 20 }), async (pairs, how, junk) => {
        const want = expectedStatus(pairs);
        fc.pre(want.status === 200);
        const url = toUrl(pairs);
        const first = await h.t.app.inject({ method: 'GET', url });
        const tag = String(first.headers.etag);
        const header =
          how === 'exact' ? tag : how === 'among' ? `"x", ${tag}, W/"y"` : how === 'weak-stripped' ? tag.replace(/^W\//, '') : encodeText(junk);
        const notModified = how === 'exact' || how === 'among';
        await h.send('GET /assets If-None-Match', { method: 'GET', url, headers: { 'if-none-match': header } }, {
          status: notModified ? 304 : 200,
          check(res) {
            if (notModified) expect(res.body).toBe('');
          },
        });
      }),
      runs(50),
    );
  });

  it.each([
    ['a search with SQL in it matches names, never rows', `q=${encodeURIComponent("' OR 1=1 --")}`, []],
    ['% is a literal character, not a wildcard', 'q=%25', ['failed']],
    ['_ is a literal character, not a wildcard', 'q=_', ['failed']],
    ['a quote matches the name that has one', `q=${encodeURIComponent("o'b")}`, ['failed']],
    ['HTML in a search is plain text', `q=${encodeURIComponent('<img')}`, ['approved']],
    ['a NUL in a search matches no name (names have none)', 'q=vase%00', []],
    ['a NUL cuts nothing short', 'q=vase%00zzz', []],
  ] as const)('%s', async (_, qs, kinds) => {
    await h.send('GET /assets examples', { method: 'GET', url: `/api/assets?${qs}` }, {
      status: 200,
      check(res) {
        const ids = AssetListSchema.parse(res.json()).items.map((a) => a.id);
        expect(ids.sort()).toEqual(kinds.map((k) => h.ids[k]).sort());
      },
    });
  });
});
