// Hostile clients against the real server process while people use it: signed-in editors trickle uploads a
// byte a second (and one stops sending altogether), while 50 pages poll the asset list and a prober times
// /api/health. The server must keep /api/health's p99 within 100 ms, take a normal upload promptly, and stay up.
// HOSTILE_SECONDS sets the length (default 30; at least the body idle timeout plus a few seconds).
//
// Editors also upload model bombs, and viewers ask for OBJ and glTF conversions of a large model, several at a
// time. Attackers are listed in attackers() below; each is a function that runs for the whole run and returns
// what it saw and what went wrong.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UPLOAD_LIMITS } from '../../src/server/routes/uploads';
import { gridGlb } from '../server/exports/big-model';
import { instancingBomb, textureBomb } from '../server/helpers/model-bombs';
import { objectPng } from '../server/helpers/test-app';
import { startServer, type ServerProcess } from '../support/server-process';
import { after, assetForm, rawRequest, type RawAnswer, type RawRequest } from '../server/uploads/raw-upload';

const HOSTILE_SECONDS = Number(process.env.HOSTILE_SECONDS ?? 30);
const POLLERS = 50;
const HEALTH_EVERY_MS = 100;
const P99_LIMIT_MS = 100;
/** A normal upload must be answered within this, however many slow ones are open. */
const NORMAL_UPLOAD_LIMIT_MS = 10_000;

const ADMIN = { email: 'lead@studio.example', password: `Quartz-${randomBytes(12).toString('hex')}` };

type Credentials = Record<string, string>;

type Kind = 'health' | 'list' | 'normal-upload';

interface Sample {
  kind: Kind;
  status: number; // 0 when the request failed without a response
  ms: number;
  error?: string;
}

const EXPECTED: Record<Kind, readonly number[]> = { health: [200], list: [200, 304], 'normal-upload': [201] };

/** What an attacker saw: one line for the log, and anything that did not go as it should (empty when all did). */
interface AttackReport {
  summary: string;
  problems: string[];
}

/** What an attacker may use: the server, the end of the run, and new signed-in people of its own. */
interface RunContext {
  url: string;
  port: number;
  /** performance.now() at which the run ends; an attacker stops by then. */
  until: number;
  /** Adds a person with `role` and signs them in (a browser's cookie and CSRF token). */
  signUp(role: 'viewer' | 'editor' | 'admin'): Promise<Credentials>;
  /** Sockets and timers to close when the run ends, whatever happened. */
  onCleanup(fn: () => void): void;
}

type Attacker = (ctx: RunContext) => Promise<AttackReport>;

/** The hostile clients of the run. Each runs from the start of the run to its end. */
function attackers(): Record<string, Attacker> {
  return {
    'slow uploads': slowUploads({ people: 4, perPerson: UPLOAD_LIMITS.perUser + 1, byteEveryMs: 1_000 }),
    'stalled upload': stalledUpload(),
    'model bombs': bombUploads(),
    'heavy exports': heavyExports({ people: 2, versions: 10, parallel: 3 }),
  };
}

/** An editor's asset, created from a photo and waited on until its first version is For Review. */
async function assetForReview(ctx: RunContext, who: Credentials, name: string): Promise<string> {
  const png = await objectPng(256);
  const created = await request(`${ctx.url}/api/assets`, { method: 'POST', ...(await formOf({ name }, [['images', png, 'photo.png']], who)) });
  if (created?.status !== 201) throw new Error(`creating ${name} failed: ${created?.status} ${created?.body}`);
  const id = (JSON.parse(created.body) as { id: string }).id;
  for (const deadline = performance.now() + 60_000; performance.now() < deadline; await sleep(200)) {
    const res = await request(`${ctx.url}/api/assets/${id}`, { headers: who });
    if (res?.status === 200 && (JSON.parse(res.body) as { status: { phase: string } }).status.phase === 'for_review') return id;
  }
  throw new Error(`${name} did not reach For Review within 60 s`);
}

async function formOf(fields: Record<string, string>, files: [string, Uint8Array, string][], who: Credentials) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [field, bytes, filename] of files) form.append(field, new Blob([new Uint8Array(bytes)]), filename);
  const encoded = new Response(form);
  return {
    headers: { ...who, 'content-type': encoded.headers.get('content-type') ?? '' },
    body: Buffer.from(await encoded.arrayBuffer()),
  };
}

/**
 * An editor uploading small files that describe enormous models (one mesh drawn by 20,000 nodes, 4 million
 * triangles by instancing, a texture claiming 400 megapixels), over and over: each is refused at once with a 422,
 * and the asset keeps the one version it had.
 */
function bombUploads(): Attacker {
  return async (ctx) => {
    const editor = await ctx.signUp('editor');
    const id = await assetForReview(ctx, editor, 'Bombed vase');
    const bombs = [await instancingBomb(20_000, 1_000), await instancingBomb(1_600, 2_500), await textureBomb(20_000, 20_000)];
    const answers: { status: number; ms: number }[] = [];
    for (let i = 0; performance.now() < ctx.until - 1_000; i++) {
      const started = performance.now();
      const res = await request(`${ctx.url}/api/assets/${id}/versions`, {
        method: 'POST',
        ...(await formOf({}, [['file', bombs[i % bombs.length] as Uint8Array, 'model.glb']], editor)),
      });
      answers.push({ status: res?.status ?? 0, ms: performance.now() - started });
      await sleep(100);
    }
    const problems: string[] = [];
    const wrong = answers.filter((a) => a.status !== 422);
    if (wrong.length > 0) problems.push(`bomb uploads answered ${wrong.map((a) => a.status).join(', ')}, not 422`);
    const slowest = Math.max(0, ...answers.map((a) => a.ms));
    if (slowest > 2_000) problems.push(`a bomb upload took ${slowest.toFixed(0)} ms to refuse`);
    const after = await request(`${ctx.url}/api/assets/${id}`, { headers: editor });
    const versions = after ? (JSON.parse(after.body) as { versions: unknown[] }).versions.length : -1;
    if (versions !== 1) problems.push(`the bombed asset has ${versions} versions, expected its 1`);
    return { summary: `${answers.length} bombs refused with 422, the slowest in ${slowest.toFixed(0)} ms`, problems };
  };
}

/**
 * People downloading OBJ and glTF conversions of a 200,000-triangle model, `parallel` at a time each and a second
 * apart, as fast as a person clicking through a list of versions. There are `versions` versions, so the conversion
 * worker stays busy for most of the run. A conversion beyond a person's cap is a 429, beyond the queue a 503;
 * anything else but a 200 with a zip is a problem.
 */
function heavyExports(o: { people: number; versions: number; parallel: number }): Attacker {
  return async (ctx) => {
    const editor = await ctx.signUp('editor');
    const id = await assetForReview(ctx, editor, 'Heavy grid');
    const grid = await gridGlb(317);
    for (let v = 0; v < o.versions; v++) {
      const res = await request(`${ctx.url}/api/assets/${id}/versions`, { method: 'POST', ...(await formOf({}, [['file', grid, 'grid.glb']], editor)) });
      if (res?.status !== 200) throw new Error(`uploading the grid failed: ${res?.status} ${res?.body}`);
    }
    const wanted = Array.from({ length: o.versions }, (_, v) => ['obj', 'gltf'].map((format) => `format=${format}&version=${v + 2}`)).flat();
    const statuses: number[] = [];
    const person = async (who: Credentials, offset: number) => {
      for (let i = offset; performance.now() < ctx.until - 2_000; i += o.parallel) {
        const batch = Array.from({ length: o.parallel }, (_, k) => wanted[(i + k) % wanted.length]);
        const answers = await Promise.all(
          batch.map((q) => request(`${ctx.url}/api/assets/${id}/download?${q}`, { headers: who, timeoutMs: 120_000 })),
        );
        for (const a of answers) statuses.push(a && a.status === 200 && a.body.startsWith('PK') ? 200 : (a?.status ?? 0) || -1);
        await sleep(1_000);
      }
    };
    const people = await Promise.all(Array.from({ length: o.people }, () => ctx.signUp('viewer')));
    await Promise.all(people.map((who, p) => person(who, p * Math.floor(wanted.length / o.people))));
    const count = (s: number) => statuses.filter((x) => x === s).length;
    const problems: string[] = [];
    const unexpected = statuses.filter((s) => ![200, 429, 503].includes(s));
    if (unexpected.length > 0) problems.push(`downloads answered ${unexpected.join(', ')}`);
    if (count(200) === 0) problems.push('no download succeeded');
    return { summary: `${statuses.length} downloads: ${count(200)} zips, ${count(429)} × 429, ${count(503)} × 503`, problems };
  };
}

/**
 * Editors who each open one more upload than they may have at once and trickle every body a byte at a time, never
 * idle long enough to be cut off. Each person's excess must get a 429 at once; the rest stay open, unanswered.
 */
function slowUploads(o: { people: number; perPerson: number; byteEveryMs: number }): Attacker {
  return async (ctx) => {
    const form = await assetForm('Trickled vase');
    const people = await Promise.all(Array.from({ length: o.people }, () => ctx.signUp('editor')));
    const uploads: { who: number; r: RawRequest; answer: RawAnswer | null }[] = [];
    for (const [who, creds] of people.entries()) {
      for (let i = 0; i < o.perPerson; i++) {
        const r = rawRequest(ctx.port, { path: '/api/assets', headers: { ...form.headers, ...creds }, body: form.body });
        ctx.onCleanup(() => r.destroy());
        r.send(64);
        r.trickle(o.byteEveryMs);
        const entry = { who, r, answer: null as RawAnswer | null };
        r.answer.then((a) => (entry.answer = a)).catch(() => undefined);
        uploads.push(entry);
      }
    }
    await sleep(Math.max(0, ctx.until - performance.now()));

    const problems: string[] = [];
    const refusedEarly = uploads.filter((u) => u.answer?.status === 429 && u.answer.ms < 2_000).length;
    const open = uploads.filter((u) => u.answer === null).length;
    const excess = Math.max(0, o.perPerson - UPLOAD_LIMITS.perUser) * o.people;
    if (refusedEarly !== excess) problems.push(`${refusedEarly} slow uploads got a prompt 429, expected ${excess}`);
    if (open !== uploads.length - excess) problems.push(`${open} slow uploads were still open at the end, expected ${uploads.length - excess}`);
    const others = uploads.filter((u) => u.answer !== null && u.answer.status !== 429).map((u) => u.answer?.status);
    if (others.length > 0) problems.push(`slow uploads answered with ${others.join(', ')}`);
    return { summary: `${uploads.length} slow uploads from ${o.people} editors: ${refusedEarly} refused (429), ${open} still trickling`, problems };
  };
}

/** An editor's upload that sends part of its body and then nothing: answered 408 after the idle timeout, and closed. */
function stalledUpload(): Attacker {
  return async (ctx) => {
    const form = await assetForm('Stalled vase');
    const creds = await ctx.signUp('editor');
    const r = rawRequest(ctx.port, { path: '/api/assets', headers: { ...form.headers, ...creds }, body: form.body });
    ctx.onCleanup(() => r.destroy());
    r.send(200);
    const deadline = UPLOAD_LIMITS.idleMs + 5_000;
    const answer = await Promise.race([r.answer, after(deadline, null)]).catch(() => null);
    const closedMs = await Promise.race([r.closed, after(2_000, -1)]);
    const problems: string[] = [];
    if (answer?.status !== 408) problems.push(`a stalled upload got ${answer?.status ?? 'no answer'} within ${deadline} ms, not a 408`);
    if (closedMs < 0) problems.push('the stalled upload\'s connection was left open after its answer');
    return { summary: `${answer?.status ?? 'no answer'} after ${((answer?.ms ?? 0) / 1000).toFixed(1)} s`, problems };
  };
}

// ---- the server process and the people using it ---------------------------------------------------------------

const samples: Sample[] = [];
let dataDir: string | undefined;
const cleanups: (() => void)[] = [];
const agent = new http.Agent({ keepAlive: true });

interface Reply {
  status: number;
  etag: string | undefined;
  setCookie: string[];
  body: string;
}

/** One request on a keep-alive connection; `kind` (when given) records it as a sample. */
async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer; kind?: Kind; timeoutMs?: number } = {},
): Promise<Reply | null> {
  const started = performance.now();
  const headers = { ...init.headers, ...(init.body ? { 'content-length': String(init.body.byteLength) } : {}) };
  try {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = http.request(url, { method: init.method ?? 'GET', headers, agent, timeout: init.timeoutMs ?? 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            etag: res.headers.etag,
            setCookie: res.headers['set-cookie'] ?? [],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${init.timeoutMs ?? 10_000} ms`)));
      req.on('error', reject);
      req.end(init.body);
    });
    if (init.kind) {
      const ok = EXPECTED[init.kind].includes(reply.status);
      samples.push({ kind: init.kind, status: reply.status, ms: performance.now() - started, ...(ok ? {} : { error: reply.body.slice(0, 200) }) });
    }
    return reply;
  } catch (err) {
    if (init.kind) samples.push({ kind: init.kind, status: 0, ms: performance.now() - started, error: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

async function signIn(url: string, email: string, password: string): Promise<Credentials> {
  const res = await request(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: json({ email, password }),
  });
  if (res?.status !== 200) throw new Error(`sign-in of ${email} failed: ${res?.status} ${res?.body}`);
  const cookie = (res.setCookie.find((c) => c.startsWith('af_session=')) ?? '').split(';')[0] ?? '';
  return { cookie, 'x-csrf-token': (JSON.parse(res.body) as { csrf_token: string }).csrf_token };
}

/** Makes people through the admin's account, as an admin would on the Users page. */
function peopleMaker(url: string, admin: Credentials): RunContext['signUp'] {
  let n = 0;
  return async (role) => {
    const email = `${role}-${++n}@studio.example`;
    const password = `Trickle-${randomBytes(12).toString('hex')}`;
    const res = await request(`${url}/api/users`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: json({ email, name: `Person ${n}`, role, password }),
    });
    if (res?.status !== 201) throw new Error(`adding ${email} failed: ${res?.status} ${res?.body}`);
    return signIn(url, email, password);
  };
}

/** One open Assets page: the list, polled every second with its last ETag. */
async function poller(url: string, who: Credentials, until: number): Promise<void> {
  let tag: string | undefined;
  await sleep(Math.random() * 1000);
  for (let tick = performance.now(); tick < until; tick += 1000) {
    const res = await request(`${url}/api/assets?limit=24`, { kind: 'list', headers: { ...who, ...(tag ? { 'if-none-match': tag } : {}) } });
    if (res?.etag) tag = res.etag;
    const wait = tick + 1000 - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

/** A monitoring probe: /api/health every HEALTH_EVERY_MS, each answer timed. */
async function healthProber(url: string, until: number): Promise<void> {
  for (let tick = performance.now(); tick < until; tick += HEALTH_EVERY_MS) {
    await request(`${url}/api/health`, { kind: 'health' });
    const wait = tick + HEALTH_EVERY_MS - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

/** A person's ordinary upload of a reference photo, after the attackers have settled in. */
async function normalUpload(url: string, who: Credentials, png: Buffer): Promise<number> {
  const form = new FormData();
  form.append('name', 'Ordinary vase');
  form.append('images', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'vase.png');
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const res = await request(`${url}/api/assets`, {
    method: 'POST',
    kind: 'normal-upload',
    headers: { ...who, 'content-type': encoded.headers.get('content-type') ?? '' },
    body,
    timeoutMs: NORMAL_UPLOAD_LIMIT_MS,
  });
  return res?.status ?? 0;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'asset-forge-hostile-'));
  server = await startServer(dataDir, {
    AUTH: 'on',
    ASSET_STEP_MS: '300',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
});

afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  await server?.stop();
  agent.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the server under hostile load', () => {
  it(
    `keeps /api/health p99 within ${P99_LIMIT_MS} ms and takes a normal upload while editors trickle, stall and bomb uploads and viewers pile up exports (${HOSTILE_SECONDS} s)`,
    async () => {
      const s = server as ServerProcess;
      const admin = await signIn(s.url, ADMIN.email, ADMIN.password);
      const signUp = peopleMaker(s.url, admin);
      const uploader = await signUp('editor');
      const png = await objectPng(512);

      const started = performance.now();
      const until = started + HOSTILE_SECONDS * 1000;
      const ctx: RunContext = { url: s.url, port: s.port, until, signUp, onCleanup: (fn) => cleanups.push(fn) };
      const attacks = Object.entries(attackers()).map(async ([name, attack]) => {
        const report = await attack(ctx).catch((err: unknown) => ({ summary: 'failed to run', problems: [String(err)] }));
        return { name, ...report };
      });
      const people = [
        healthProber(s.url, until),
        ...Array.from({ length: POLLERS }, () => poller(s.url, admin, until)),
        // Once the attackers are in place, one upload; another near the end, when any slot they could hold is held.
        sleep(3_000).then(() => normalUpload(s.url, uploader, png)),
        sleep(Math.max(3_000, HOSTILE_SECONDS * 1000 - 8_000)).then(() => normalUpload(s.url, uploader, png)),
      ];
      const [reports] = await Promise.all([Promise.all(attacks), Promise.all(people)]);
      for (const c of cleanups.splice(0)) c();
      const seconds = (performance.now() - started) / 1000;

      const of = (kind: Kind) => samples.filter((x) => x.kind === kind);
      const health = of('health').map((x) => x.ms).sort((a, b) => a - b);
      const lists = of('list').map((x) => x.ms).sort((a, b) => a - b);
      const uploads = of('normal-upload');
      const ms = (v: number) => v.toFixed(1);
      console.log(
        `hostile load: ${seconds.toFixed(0)} s; health ${health.length} probes, p50 ${ms(percentile(health, 50))} ms, ` +
          `p99 ${ms(percentile(health, 99))} ms, max ${ms(health.at(-1) ?? 0)} ms; list ${lists.length} polls, ` +
          `p99 ${ms(percentile(lists, 99))} ms; normal uploads ${uploads.map((u) => `${u.status} in ${ms(u.ms)} ms`).join(', ')}; ` +
          `server RSS ${Math.round(s.rss() / 2 ** 20)} MB; machine load ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores\n` +
          reports.map((r) => `  ${r.name}: ${r.summary}`).join('\n'),
      );

      // Nothing crashed: the process is up and answers.
      expect(s.running(), s.output().slice(-3000)).toBe(true);
      expect((await request(`${s.url}/api/health`))?.status).toBe(200);

      const failures = samples.filter((x) => x.error !== undefined).map((x) => `${x.kind} ${x.status} ${x.error ?? ''}`);
      expect(failures, `failed requests; the server printed:\n${s.output().slice(-3000)}`).toEqual([]);
      expect(uploads.map((u) => u.status)).toEqual([201, 201]);
      expect(Math.max(...uploads.map((u) => u.ms))).toBeLessThan(NORMAL_UPLOAD_LIMIT_MS);
      expect(Object.fromEntries(reports.map((r) => [r.name, r.problems]))).toEqual(
        Object.fromEntries(reports.map((r) => [r.name, []])),
      );
      expect(percentile(health, 99)).toBeLessThanOrEqual(P99_LIMIT_MS);
    },
    HOSTILE_SECONDS * 1000 + 120_000,
  );
});
