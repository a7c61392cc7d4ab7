// Fuzzes the review actions and delete — approve, next-step (POST and DELETE), retry, revisions, DELETE asset — with
// JSON bodies of every shape (arrays, null, numbers, deep nesting, prototype keys, invalid or oversized JSON), other
// content types, stray query parameters, and every stage. Each answer is the exact status the contract gives;
// a refused request changes nothing, an accepted one does exactly its transition.
import fc from 'fast-check';
import { LIMITS, RevisionRequestSchema } from '../../../src/contract/api';
import { AssetSchema, type Asset } from '../../../src/contract/asset';
import { ATTACK_STRINGS, FIXTURES, isWellFormed, makeHarness, nastyString, runs, type Fixture, type Harness } from './fuzz-kit';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => {
  h.report('actions');
  await h.close();
});

type RouteKey = 'approve' | 'next-step' | 'cancel' | 'retry' | 'delete' | 'revisions';

interface Route {
  key: RouteKey;
  label: string;
  method: 'POST' | 'DELETE';
  url: (id: string) => string;
  /** The answer for each seeded stage when the request itself is fine. */
  onStage: Record<Fixture, number>;
  /** What an accepted request did, checked on its answer. */
  accepted: (before: Asset, res: { statusCode: number; body: string; json: () => unknown }, note?: string) => void;
}

const asset = (res: { json: () => unknown }) => AssetSchema.parse(res.json());

const ROUTES: readonly Route[] = [
  {
    key: 'approve',
    label: 'POST approve',
    method: 'POST',
    url: (id) => `/api/assets/${id}/approve`,
    onStage: { review: 200, failed: 409, approved: 409, counting: 409, completed: 409 },
    accepted(before, res) {
      const a = asset(res);
      expect(a.status.phase).toBe('completed');
      expect(a.step_index).toBe(before.step_index);
      expect(a.next_step_at).toEqual(expect.any(Number));
    },
  },
  {
    key: 'next-step',
    label: 'POST next-step',
    method: 'POST',
    url: (id) => `/api/assets/${id}/next-step`,
    onStage: { review: 409, failed: 409, approved: 200, counting: 200, completed: 409 },
    accepted(before, res) {
      const a = asset(res);
      expect(a.status.phase).toBe('processing');
      expect(a.step_index).toBe(before.step_index + 1);
      expect(a.next_step_at).toBeNull();
    },
  },
  {
    key: 'cancel',
    label: 'DELETE next-step',
    method: 'DELETE',
    url: (id) => `/api/assets/${id}/next-step`,
    onStage: { review: 409, failed: 409, approved: 409, counting: 200, completed: 409 },
    accepted(before, res) {
      const a = asset(res);
      expect(a.status.phase).toBe('completed');
      expect(a.step_index).toBe(before.step_index);
      expect(a.next_step_at).toBeNull();
    },
  },
  {
    key: 'retry',
    label: 'POST retry',
    method: 'POST',
    url: (id) => `/api/assets/${id}/retry`,
    onStage: { review: 409, failed: 200, approved: 409, counting: 409, completed: 409 },
    accepted(before, res) {
      const a = asset(res);
      expect(a.status.phase).toBe('processing');
      expect(a.step_index).toBe(before.step_index);
      expect(a.status.error_message).toBeUndefined();
    },
  },
  {
    key: 'delete',
    label: 'DELETE /assets/:id',
    method: 'DELETE',
    url: (id) => `/api/assets/${id}`,
    onStage: { review: 204, failed: 204, approved: 204, counting: 204, completed: 204 },
    accepted(_before, res) {
      expect(res.body).toBe('');
    },
  },
  {
    key: 'revisions',
    label: 'POST revisions',
    method: 'POST',
    url: (id) => `/api/assets/${id}/revisions`,
    onStage: { review: 200, failed: 409, approved: 409, counting: 409, completed: 409 },
    accepted(before, res, note) {
      const a = asset(res);
      expect(a.status.phase).toBe('processing');
      expect(a.revisions).toHaveLength(before.revisions.length + 1);
      // Stored and returned verbatim (only trimmed).
      expect(a.revisions.at(-1)?.note).toBe(note);
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Bodies.

interface Body {
  /** The Content-Type header, or none. */
  type?: string;
  payload?: string;
}

/** JSON values that are not an object with the right fields, and objects that carry extra or hostile keys. */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>({}, null, [], [{}], 0, -1, 1.5, 1e308, '', 'note', true, false, { a: 1 }, { note: null }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('note', 'Note', 'notes', 'constructor', 'toString', 'valueOf', ''), nastyString({ maxLength: 6 })), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
);

/** Notes: valid ones (1–2000 characters once trimmed), and every way to miss. */
const noteText = fc.oneof(
  { weight: 3, arbitrary: nastyString({ minLength: 1, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t ', '\u00a0', '\u200b', 'x'.repeat(LIMITS.noteMax), ` ${'y'.repeat(LIMITS.noteMax)} `, 'z'.repeat(LIMITS.noteMax + 1)) },
  { weight: 1, arbitrary: fc.constantFrom('a\ud800b', '\udfff', 'ok \ud83d', '\u0000', 'Make it <b>taller</b>') },
);

const noteBody = fc.oneof(
  { weight: 4, arbitrary: noteText.map((note) => ({ note })) },
  { weight: 1, arbitrary: fc.tuple(noteText, fc.constantFrom('urgent', 'step_key', 'Note', 'note ', 'id')).map(([note, k]) => ({ note, [k]: true })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((note) => ({ note })) },
);

/** Deep nesting (as text: far deeper than any recursive walker's stack would survive if it recursed). */
const deep = fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean()).map(([n, arrays]) =>
  arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}null${'}'.repeat(n)}`,
);

const rawJson = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"note":',
    "{'note':'x'}",
    '{"note":"x",}',
    'NaN',
    'undefined',
    '\u0000',
    '{"note":"x"}garbage',
    '{"__proto__":{"polluted":true}}',
    '{"note":"x","__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"note":"x","constructor":{"prototype":{"polluted":true}}}',
    '[{"__proto__":{"polluted":true}}]',
    '{"note":"first","note":"second"}',
    '{"note":"\\ud800"}',
    '\ufeff{}',
    '{}',
    'null',
  ),
  deep,
  fc.integer({ min: 64 * 1024 - 20, max: 64 * 1024 + 20 }).map((n) => JSON.stringify({ note: 'n'.repeat(n) })),
);

const otherTypes = fc.constantFrom(
  { type: 'text/plain', payload: '{}' },
  { type: 'text/plain', payload: 'note=hello' },
  { type: 'text/plain; charset=utf-8', payload: '' },
  { type: 'application/x-www-form-urlencoded', payload: 'note=hello' },
  { type: 'application/xml', payload: '<note>hi</note>' },
  { type: 'multipart/form-data; boundary=X', payload: '--X\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--X--\r\n' },
  { type: 'multipart/form-data; boundary=X', payload: '' },
  { type: 'image/png', payload: '\u0089PNG' },
  { type: '', payload: '{}' },
  { type: 'application/json-patch+json', payload: '{}' },
  { type: 'Application/JSON; charset=UTF-8', payload: '{}' },
  { type: 'application/json; charset=utf-16', payload: 'null' },
  { payload: '{}' },
);

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: jsonValue.map((v) => ({ type: 'application/json', payload: JSON.stringify(v) ?? 'null' })) },
  { weight: 4, arbitrary: noteBody.map((v) => ({ type: 'application/json', payload: JSON.stringify(v) })) },
  { weight: 2, arbitrary: rawJson.map((payload) => ({ type: 'application/json', payload })) },
  { weight: 2, arbitrary: otherTypes },
);

const query = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('?x=1', '?note=hi', '?__proto__=1', '?force=true', '?', '?&', '?id=other') },
);

// ---------------------------------------------------------------------------------------------------------------
// The oracle.

function hasPoisonKey(v: unknown): boolean {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null) continue;
    if (Object.hasOwn(x, '__proto__')) return true;
    const ctor = (x as Record<string, unknown>)['constructor'];
    if (Object.hasOwn(x, 'constructor') && typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) return true;
    stack.push(...Object.values(x));
  }
  return false;
}

function hasLoneSurrogate(v: unknown): boolean {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') {
      if (!isWellFormed(x)) return true;
    } else if (typeof x === 'object' && x !== null) {
      for (const [k, child] of Object.entries(x)) {
        if (!isWellFormed(k)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

const isJsonType = (t: string) => /^\s*application\/json\s*(;|$)/i.test(t);

/** The status for `route` on a `target` asset with this query and body, and the note an accepted revision stores. */
function expected(route: Route, target: Fixture | 'unknown', query: string, b: Body): { status: number; note?: string } {
  const bytes = Buffer.byteLength(b.payload ?? '');
  // Fastify reads the body before any route code runs.
  let value: unknown;
  if (b.type === undefined) {
    if (bytes > 0) return { status: 415 };
  } else if (isJsonType(b.type)) {
    if (bytes > 64 * 1024) return { status: 413 };
    if (bytes === 0) return { status: 400 };
    try {
      value = JSON.parse((b.payload ?? '').replace(/^\ufeff/, ''));
    } catch {
      return { status: 400 };
    }
    if (hasPoisonKey(value)) return { status: 400 };
  } else if (b.type.startsWith('text/plain')) {
    if (bytes > 64 * 1024) return { status: 413 };
  } else if (!b.type.startsWith('multipart/form-data')) {
    return { status: 415 };
  }
  // Then the route: query, content type, body, and only then the asset.
  if (query.replace(/^\?&?/, '') !== '') return { status: 400 };
  if (b.type !== undefined && !isJsonType(b.type)) return { status: 415 };
  let note: string | undefined;
  if (route.key === 'revisions') {
    if (hasLoneSurrogate(value)) return { status: 400 };
    const parsed = RevisionRequestSchema.safeParse(value ?? {});
    if (!parsed.success) return { status: 400 };
    note = parsed.data.note;
  } else {
    const empty = value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
    if (!empty) return { status: 400 };
  }
  if (target === 'unknown') return { status: 404 };
  return { status: route.onStage[target], ...(note !== undefined ? { note } : {}) };
}

function inject(route: Route, id: string, query: string, b: Body) {
  return {
    method: route.method,
    url: `${route.url(id)}${query}`,
    ...(b.type !== undefined ? { headers: { 'content-type': b.type } } : {}),
    ...(b.payload !== undefined ? { payload: b.payload } : {}),
  };
}

describe('actions', () => {
  it('gives every action, body and stage its exact answer, and changes nothing unless accepted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.constantFrom<Fixture | 'unknown'>(...FIXTURES, 'unknown'),
        query,
        body,
        async (route, target, q, b) => {
          const want = expected(route, target, q, b);
          const id = target === 'unknown' ? 'no_such_asset_1' : h.ids[target];
          const before = target === 'unknown' ? undefined : h.t.app.assets.get(id);
          await h.send(route.label, inject(route, id, q, b), {
            status: want.status,
            mutates: true,
            check(res) {
              if (!before) throw new Error('an unknown id was accepted');
              route.accepted(before, res, want.note);
            },
          }, target === 'unknown' ? undefined : target);
        },
      ),
      runs(500),
    );
  });

  it('stores a revision note verbatim, whatever its characters', async () => {
    await fc.assert(
      fc.asyncProperty(nastyString({ minLength: 1, maxLength: 60 }), async (raw) => {
        const revisions = ROUTES.find((r) => r.key === 'revisions') as Route;
        const b = { type: 'application/json', payload: JSON.stringify({ note: raw }) };
        const want = expected(revisions, 'review', '', b);
        const before = h.t.app.assets.get(h.ids.review);
        await h.send('POST revisions (verbatim)', inject(revisions, h.ids.review, '', b), {
          status: want.status,
          mutates: true,
          check: (res) => revisions.accepted(before, res, want.note),
        }, 'review');
      }),
      runs(40),
    );
  });

  // Regressions found by this fuzzing, kept as plain examples.
  it.each([
    ['a form body sent to an action is refused, not ignored', 'approve', 'review', '', { type: 'multipart/form-data; boundary=X', payload: '--X\r\nContent-Disposition: form-data; name="force"\r\n\r\n1\r\n--X--\r\n' }, 415],
    ['a form body sent to revisions is refused as the wrong type', 'revisions', 'review', '', { type: 'multipart/form-data; boundary=X', payload: '--X\r\nContent-Disposition: form-data; name="note"\r\n\r\nTaller\r\n--X--\r\n' }, 415],
    ['a text body sent to an action is the wrong type', 'retry', 'failed', '', { type: 'text/plain', payload: '' }, 415],
    ['a query parameter on an action is refused', 'approve', 'review', '?x=1', {}, 400],
    ['a query parameter on delete is refused', 'delete', 'review', '?force=true', {}, 400],
    ['a body on delete is refused', 'delete', 'review', '', { type: 'application/json', payload: '{"cascade":true}' }, 400],
    ['a note with a lone surrogate is refused, not stored altered', 'revisions', 'review', '', { type: 'application/json', payload: '{"note":"taller \\ud800"}' }, 400],
  ] as const)('%s', async (_, key, target, q, b, status) => {
    const route = ROUTES.find((r) => r.key === key) as Route;
    expect(expected(route, target, q, b).status).toBe(status);
    await h.send(`${route.label} (regressions)`, inject(route, h.ids[target], q, b), { status, mutates: true }, target);
  });
});
