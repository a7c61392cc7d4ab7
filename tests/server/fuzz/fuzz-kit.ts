// The harness the API fuzz tests share: an app with a stable set of assets, and `send`, which makes one request and
// checks the invariants every hostile request must keep (exact status, contract error shape, nothing changed, no
// leaked internals, the server still answers).
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ErrorBodySchema, type ErrorCode } from '../../../src/contract/api';
import { DEFAULT_PIPELINE, type Phase } from '../../../src/contract/asset';
import type { AppDeps } from '../../../src/server/app';
import type { Generator, StepResult } from '../../../src/server/pipeline/generator';
import { newAssetId } from '../../../src/server/services/asset-service';
import { boxGlb } from '../helpers/images';
import { makeTestApp, objectPng, type TestApp } from '../helpers/test-app';

/** One seed for every fuzz file, so a failure repeats exactly; change it to explore other inputs. */
export const FUZZ_SEED = 0x5eed_f022;

/** fast-check settings: fixed seed, and no shrinking past a few seconds (each shrink step is a real request). */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true };
}

/** The status → code pairs of SPEC §3; a 4xx on /api must use the code of its status. */
export const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  404: 'not_found',
  409: 'wrong_stage',
  // An address with an overlong part: the router refuses it before any route runs.
  414: 'bad_request',
  413: 'too_large',
  415: 'unsupported_type',
  422: 'unprocessable',
};

/**
 * Seeded assets in the stages that do not move on their own (no step running):
 * - review: For Review on the first step, one version;
 * - failed: Generation Failed on the first step, no version;
 * - approved: Approved on the second step with the countdown off (Back was pressed), two versions;
 * - counting: Approved on the first step with the countdown running (an hour away), one version;
 * - completed: Completed on the last step, five versions.
 */
export const FIXTURES = ['review', 'failed', 'approved', 'counting', 'completed'] as const;
export type Fixture = (typeof FIXTURES)[number];

/** Names chosen to trip naive search and escaping: SQL quotes, LIKE wildcards, HTML, bidi and zero-width text. */
export const FIXTURE_NAMES: Record<Fixture, string> = {
  review: 'Ceramic vase',
  failed: "O'Brien's 100% cotton_bag",
  approved: '<img src=x onerror=alert(1)>',
  counting: 'Ünïcödé 花瓶 \u202eRTL',
  completed: 'Zero\u200bwidth "lamp"',
};

const FIXTURE_SHAPE: Record<Fixture, { phase: Phase; step: number; versions: number; nextStepAt: boolean; error?: string }> = {
  review: { phase: 'for_review', step: 0, versions: 1, nextStepAt: false },
  failed: { phase: 'failed', step: 0, versions: 0, nextStepAt: false, error: 'The image is blank: there is no object to build.' },
  approved: { phase: 'completed', step: 1, versions: 2, nextStepAt: false },
  counting: { phase: 'completed', step: 0, versions: 1, nextStepAt: true },
  completed: { phase: 'completed', step: 4, versions: 5, nextStepAt: false },
};

/** A generator whose steps never finish: an accepted request leaves its asset Processing and nothing else moves. */
const never = () => new Promise<StepResult>(() => undefined);
export const stillGenerator: Generator = { geometry: never, optimise: never, uv: never, texture: never, lod: never };

export interface Expected {
  status: number;
  /** A 2xx that changes state (create, approve, upload…): checked by `check`, then every fixture is re-made. */
  mutates?: boolean;
  /** Extra checks on the response (for the 2xx/3xx answers). */
  check?: (res: LightMyRequestResponse) => void | Promise<void>;
}

interface Snapshot {
  rows: Record<string, number>;
  changeSeq: number;
  files: string[];
  assets: Record<string, string>;
}

export interface Harness {
  t: TestApp;
  /** Current ids of the fixtures (they change when `reset` re-makes them). */
  ids: Record<Fixture, string>;
  /** The fixtures' stored bytes, for comparing downloads. */
  glb: Uint8Array;
  /**
   * Makes one request and checks every invariant; `label` groups the count in the report. `target` names the
   * fixture the request acts on: its JSON from GET must then be unchanged too.
   */
  send(label: string, req: InjectOptions, expected: Expected, target?: Fixture): Promise<LightMyRequestResponse>;
  /** Deletes every asset and seeds the fixtures again. */
  reset(): Promise<void>;
  /** One console line: how many requests were fuzzed, per label and in total. */
  report(file: string): void;
  close(): Promise<void>;
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

export async function makeHarness(deps: Partial<AppDeps> = {}): Promise<Harness> {
  const started = Date.now();
  const t = await makeTestApp({ generator: stillGenerator, ...deps });
  const png = await objectPng(64);
  const thumbnail = await sharp(png).flatten({ background: '#f4f4f5' }).jpeg().toBuffer();
  const glb = await boxGlb();
  const ids = {} as Record<Fixture, string>;
  const counts = new Map<string, Map<number, number>>();
  let accepted = 0;
  let baseline: Snapshot;

  /** Writes a fixture's file where the file store keeps it (without the store's fsync: re-seeding is frequent). */
  function put(id: string, name: string, bytes: Uint8Array): string {
    const rel = `${id}/${name}`;
    const abs = t.files.absolute(rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, bytes);
    return rel;
  }

  function seed(kind: Fixture): string {
    const shape = FIXTURE_SHAPE[kind];
    const id = newAssetId();
    const createdAt = Date.UTC(2025, 0, 1) + FIXTURES.indexOf(kind) * 60_000;
    const image = put(id, 'input-0.png', png);
    put(id, 'thumbnail.jpg', thumbnail);
    t.repo.insert({
      id,
      name: FIXTURE_NAMES[kind],
      createdAt,
      pipeline: DEFAULT_PIPELINE,
      polycount: kind === 'review' ? 5000 : null,
      hasThumbnail: true,
      images: [{ file: image, mime: 'image/png' }],
    });
    for (let n = 1; n <= shape.versions; n++) {
      const file = put(id, `v${n}-seed.glb`, glb);
      t.repo.addVersion({
        asset_id: id,
        n,
        step_key: DEFAULT_PIPELINE[n - 1]?.key ?? 'geometry',
        source: 'generated',
        created_at: createdAt + n,
        note: null,
        file,
        size_bytes: glb.byteLength,
        triangles: 12,
      });
    }
    t.db.transaction(() => {
      const row = t.repo.get(id);
      if (!row) throw new Error('seeded row vanished');
      t.repo.updateState(
        row,
        {
          phase: shape.phase,
          step_index: shape.step,
          progress: null,
          error_message: shape.error ?? null,
          next_step_at: shape.nextStepAt ? Date.now() + 3_600_000 : null,
          job_source: null,
          job_note: null,
        },
        createdAt + 1000,
      );
    })();
    return id;
  }

  async function snapshot(): Promise<Snapshot> {
    const rows: Record<string, number> = {};
    for (const table of ['assets', 'images', 'versions', 'revisions']) {
      rows[table] = (t.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    const changeSeq = (t.db.prepare(`SELECT value FROM meta WHERE key = 'change_seq'`).get() as { value: number }).value;
    const root = path.join(t.dataDir, 'files');
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      // Cached downloads (<version>__<format>-<hash>.zip) are a cache a GET may fill.
      .filter((e) => e.isFile() && !e.name.includes('__'))
      .map((e) => {
        const full = path.join(e.parentPath, e.name);
        return `${path.relative(root, full)}:${statSync(full).size}`;
      })
      .sort();
    // Every asset as the API shows it (the service's view, which GET serialises; see `gets` for GET itself).
    const assets: Record<string, string> = {};
    for (const { id } of t.db.prepare(`SELECT id FROM assets ORDER BY id`).all() as { id: string }[]) {
      assets[id] = JSON.stringify(t.app.assets.get(id));
    }
    return { rows, changeSeq, files, assets };
  }

  /** Each fixture's answer to GET /api/assets/:id, taken when the fixtures are made. */
  const gets = {} as Record<Fixture, string>;
  async function getFixture(kind: Fixture): Promise<string> {
    const res = await t.app.inject({ method: 'GET', url: `/api/assets/${ids[kind]}` });
    return `${res.statusCode} ${res.body}`;
  }

  /** Makes the fixtures again: all of them, or (after an accepted change) only those it touched. */
  async function reset(onlyChanged = false): Promise<void> {
    const now = onlyChanged ? await snapshot() : undefined;
    const kinds = FIXTURES.filter((k) => !now || now.assets[ids[k]] === undefined || now.assets[ids[k]] !== baseline.assets[ids[k]]);
    const keep = new Set(FIXTURES.filter((k) => !kinds.includes(k)).map((k) => ids[k]));
    for (const { id } of t.db.prepare(`SELECT id FROM assets`).all() as { id: string }[]) {
      if (!keep.has(id)) await t.app.assets.delete(id);
    }
    for (const kind of kinds) {
      ids[kind] = seed(kind);
      gets[kind] = await getFixture(kind);
    }
    baseline = await snapshot();
  }

  const leakMarkers = [t.dataDir, tmpdir(), process.cwd(), 'node_modules', 'SQLITE', 'sqlite3', 'better-sqlite', 'at async '];

  function describe(req: InjectOptions, res: LightMyRequestResponse): string {
    const body = typeof req.payload === 'string' ? req.payload : Buffer.isBuffer(req.payload) ? `<${req.payload.length} bytes>` : JSON.stringify(req.payload);
    return `${req.method ?? 'GET'} ${String(req.url).slice(0, 300)} headers=${JSON.stringify(req.headers ?? {}).slice(0, 300)} body=${String(body).slice(0, 300)}\n  -> ${res.statusCode} ${res.body.slice(0, 500)}`;
  }

  async function send(label: string, req: InjectOptions, expected: Expected, target?: Fixture): Promise<LightMyRequestResponse> {
    const res = await t.app.inject(req);
    const byStatus = counts.get(label) ?? new Map<number, number>();
    byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
    counts.set(label, byStatus);
    try {
      await verify(req, res, expected, target);
    } catch (err) {
      // A failed check may leave a change behind: undo it, so that the shrinking that follows starts clean.
      await reset(true).catch(() => undefined);
      throw err;
    }
    return res;
  }

  async function verify(req: InjectOptions, res: LightMyRequestResponse, expected: Expected, target?: Fixture): Promise<void> {
    const what = describe(req, res);
    const url = String(req.url);
    const isApi = url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

    // 4. Never an internal detail, in any answer from the API, whatever its status.
    if (isApi || res.statusCode >= 500) {
      for (const marker of leakMarkers) expect(res.body, `leaks ${marker}: ${what}`).not.toContain(marker);
      expect(res.body, `leaks a stack trace: ${what}`).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
    // 1. The exact status this input must get; never a 5xx.
    expect(res.statusCode, what).toBeLessThan(500);
    expect(res.statusCode, what).toBe(expected.status);
    if (isApi && res.statusCode >= 400) {
      expect(res.headers['content-type'], what).toMatch(/^application\/json/);
    }
    // A HEAD answer has the headers of the GET answer, but no body to check.
    if (isApi && res.statusCode >= 400 && String(req.method ?? 'GET').toUpperCase() !== 'HEAD') {
      const body = ErrorBodySchema.parse(res.json());
      expect(body.error.code, what).toBe(CODE_OF_STATUS[res.statusCode]);
      expect(body.error.message.length, what).toBeGreaterThan(0);
      // Messages may quote the request, but briefly, and as well-formed text.
      expect(body.error.message.length, what).toBeLessThanOrEqual(1000);
      expect(isWellFormed(body.error.message), `ill-formed message: ${what}`).toBe(true);
    }
    if (res.statusCode < 400) await expected.check?.(res);

    // 2. A refused (or read-only) request changes nothing at all; an accepted change is undone by re-seeding.
    if (expected.mutates && res.statusCode < 400) {
      accepted++;
      await reset(true);
    } else {
      expect(await snapshot(), `state changed after: ${what}`).toEqual(baseline);
      if (target) expect(await getFixture(target), `GET of the ${target} asset changed after: ${what}`).toBe(gets[target]);
    }
    // 3. The server still answers, and no request reached Object.prototype.
    const health = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode, `health after: ${what}`).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    expect(Object.getOwnPropertyNames(Object.prototype).sort().join(','), `prototype polluted by: ${what}`).toBe(PROTO_KEYS);
  }

  await reset();
  return {
    t,
    ids,
    glb,
    send,
    reset,
    report(file) {
      const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      const total = [...counts.values()].reduce((a, m) => a + sum(m), 0);
      const per = [...counts.entries()]
        .map(([k, m]) => `${k}: ${sum(m)} [${[...m.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}]`)
        .join(', ');
      console.log(
        `[fuzz] ${file}: ${total} requests (${accepted} accepted changes) in ${((Date.now() - started) / 1000).toFixed(1)} s (${per})`,
      );
    },
    close: () => t.close(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile text.

/** Characters that break naive handling: NUL and other controls, bidi overrides, zero-width, lone surrogates… */
export const NASTY_CHARS = [
  '\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\t', '\n', '\r', ' ', '\u00a0',
  '\u200b', '\u200d', '\u2028', '\u2029', '\u202e', '\u2066', '\ufeff', '\ufffd', '\uffff',
  '\ud800', '\udbff', '\udc00', '\udfff', '😀', '👩‍👩‍👧', 'é', 'e\u0301', 'ß', 'İ', '花',
  '<', '>', '"', "'", '`', '&', '\\', '/', '%', '_', '*', '?', '#', ';', '=', '+', '.', '..',
] as const;

/** Strings made of hostile characters, ordinary text, or both. */
export function nastyString(o: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  // Any code point, lone surrogates included. (A nested fc.string as the unit is ~50× slower to generate.)
  const anyChar = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));
  const unit = fc.oneof(fc.constantFrom(...NASTY_CHARS), anyChar, fc.constantFrom('a', 'B', '7'));
  return fc.string({ unit, ...o });
}

/** Famous attack strings, for every text the API takes. */
export const ATTACK_STRINGS = [
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%5c..%5cwindows%5cwin.ini',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'C:\\Windows\\win.ini',
  'file:///etc/passwd',
  'abc\u0000def',
  "' OR 1=1 --",
  '"; DROP TABLE assets;',
  "'); DELETE FROM versions; --",
  '%',
  '_',
  '%%',
  '\\',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '１２３',
  '\u202egnp.exe',
] as const;

/** Percent-encodes every byte of `s` (as UTF-8), so the path parameter decodes back to exactly `s`. */
export function encodeAll(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** `s` as UTF-8 carries it: each lone surrogate becomes U+FFFD. */
export function toWellFormed(s: string): string {
  return s.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
}

/** encodeURIComponent for any string: lone surrogates become U+FFFD first (as UTF-8 would carry them). */
export function encodeText(s: string): string {
  return encodeURIComponent(toWellFormed(s));
}

// ---------------------------------------------------------------------------------------------------------------
// Multipart bodies, written byte by byte so that any of them can be malformed on purpose.

export interface Part {
  field: string;
  /** A file part when set (even ""), a text field otherwise. */
  filename?: string;
  /** The part's own Content-Type header. */
  type?: string;
  bytes: Uint8Array | string;
}

/**
 * Quotes a header parameter the way browsers do: ", CR and LF percent-encoded; the rest sent as UTF-8. A backslash
 * is encoded too, since the parser reads it as an escape (so the field name it sees is still the one we meant).
 */
const quoteParam = (s: string) =>
  toWellFormed(s).replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/\\/g, '%5C');

export function multipartBody(parts: readonly Part[], boundary = 'fuzz-boundary-7MA4YWxkTrZu0gW'): { payload: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(p.field)}"`;
    if (p.filename !== undefined) head += `; filename="${quoteParam(p.filename)}"`;
    head += '\r\n';
    if (p.type !== undefined) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.from(typeof p.bytes === 'string' ? Buffer.from(p.bytes, 'utf8') : p.bytes), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
