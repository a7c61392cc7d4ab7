// SIGKILL at random moments while steps, countdowns and writes are in flight, 20 rounds on one data folder. After
// each restart nothing acknowledged is lost, overdue countdowns fire, and every version's file is whole; after the
// last, everything settles by itself and no stray file is left. FAULTS_SEED replays a run; FAULTS_ROUNDS shortens it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { AssetListSchema } from '../../src/contract/api';
import { AssetSchema, type Asset } from '../../src/contract/asset';
import { checkGlb } from '../../src/server/models/glb-check';
import { createAssetRepository } from '../../src/server/storage/asset-repository';
import { seededRandom } from '../../src/server/seed/seeded-random';

const root = path.resolve(import.meta.dirname, '../..');
const ROUNDS = Number(process.env.FAULTS_ROUNDS ?? 20);
const SEED = Number(process.env.FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STEP_MS = 200;
const COUNTDOWN_MS = 500;
/** Enough assets to keep every kind of write in flight; few enough that the last start settles in about a minute. */
const MAX_ASSETS = 24;
const ACTORS = 3;

/**
 * The one place requests get credentials. Single-user mode (AUTH=off) needs none; with sign-in on, return the
 * signed-in editor's `authorization: Bearer …` (or cookie and CSRF) headers here.
 */
function authHeaders(): Record<string, string> {
  return {};
}

const SERVER_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  SEED: '0',
  WEB_BUILD: '0',
  AUTH: 'off',
  ASSET_STEP_MS: String(STEP_MS),
  ASSET_COUNTDOWN_MS: String(COUNTDOWN_MS),
  LOG_LEVEL: 'warn',
};

/** mulberry32: small, seedable, good enough to pick moments and actions. */
function prng(seed: number) {
  const next = seededRandom(seed);
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p: number) => next() < p };
}
const rand = prng(SEED);

// ---- the server process -------------------------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  url: string;
  spawnedAt: number;
  listeningAt: number;
  output: () => string;
  exited: Promise<void>;
}

let current: Server | undefined;

function startServer(dataDir: string): Promise<Server> {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: { ...process.env, ...SERVER_ENV, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Asset Forge is running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m?.[1] && !current) {
        clearTimeout(timer);
        current = { child, url: m[1], spawnedAt, listeningAt: Date.now(), output: () => out, exited };
        resolve(current);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening:\n${out}`));
    });
  });
}

async function kill(s: Server, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  s.child.kill(signal);
  await s.exited;
  if (current === s) current = undefined;
}

afterAll(async () => {
  if (current) await kill(current);
});

// ---- the API, as a client sees it ---------------------------------------------------------------------------

class ServerGone extends Error {}

async function api(url: string, pathname: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${url}${pathname}`, { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string>) } });
  } catch (err) {
    throw new ServerGone(String(err));
  }
}

async function readBody(res: Response): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw new ServerGone(String(err));
  }
}

async function json(res: Response): Promise<unknown> {
  return JSON.parse(new TextDecoder().decode(await readBody(res))) as unknown;
}

async function listAll(url: string): Promise<Asset[]> {
  const res = await api(url, '/api/assets?limit=100');
  expect(res.status).toBe(200);
  lastList = AssetListSchema.parse(await json(res)).items;
  return lastList;
}

function form(fields: Record<string, string>, files: { field: string; bytes: Uint8Array; name: string; type: string }[]): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const file of files) f.append(file.field, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return f;
}

// ---- what the client knows, and what must therefore still be true after a restart ----------------------------

interface Known {
  id: string;
  /** Every version ever seen, by number: a version never changes or disappears. */
  versions: Map<number, string>;
  /** The longest revision list seen: later lists must start with it. */
  revisions: string[];
  step: number;
  /** An approval seen with its countdown running: after a restart it is still running, or it has fired. */
  countdown: { step: number; at: number } | null;
  /** Made from a blank image, so its first step fails honestly. */
  blank: boolean;
  deleteSent: boolean;
  deleteAcked: boolean;
}

const known = new Map<string, Known>();
const blankNames = new Set<string>();
const problems: string[] = [];

const versionSig = (v: Asset['versions'][number]) => `${v.step_key}|${v.source}|${v.created_at}|${v.size_bytes}`;
const revisionSig = (r: Asset['revisions'][number]) => `${r.step_key}|${r.created_at}|${r.note}`;

function problem(msg: string): void {
  if (problems.length < 50) problems.push(msg);
}

/** Records what a response or a read showed: committed state, so it must survive any kill that follows. */
function observe(a: Asset): void {
  let k = known.get(a.id);
  if (!k) {
    k = { id: a.id, versions: new Map(), revisions: [], step: 0, countdown: null, blank: blankNames.has(a.name), deleteSent: false, deleteAcked: false };
    known.set(a.id, k);
  }
  for (const v of a.versions) {
    const sig = versionSig(v);
    const seen = k.versions.get(v.n);
    if (seen !== undefined && seen !== sig) problem(`${a.id} v${v.n} changed: ${seen} -> ${sig}`);
    k.versions.set(v.n, sig);
  }
  const revs = a.revisions.map(revisionSig);
  if (revs.length >= k.revisions.length) {
    if (k.revisions.some((r, i) => revs[i] !== r)) problem(`${a.id} revisions rewritten`);
    k.revisions = revs;
  }
  k.step = Math.max(k.step, a.step_index);
  if (a.status.phase === 'completed' && a.next_step_at !== null && (!k.countdown || a.step_index >= k.countdown.step)) {
    k.countdown = { step: a.step_index, at: a.next_step_at };
  }
}

/** After a restart: everything the client saw committed is still there. Returns the assets as they are now. */
async function checkNothingLost(url: string): Promise<Map<string, Asset>> {
  const now = new Map((await listAll(url)).map((a) => [a.id, a]));
  for (const k of known.values()) {
    const a = now.get(k.id);
    if (!a) {
      if (!k.deleteSent) problem(`asset ${k.id} is gone after a restart`);
      continue;
    }
    if (k.deleteAcked) problem(`asset ${k.id} came back after its delete was acknowledged`);
    const byN = new Map(a.versions.map((v) => [v.n, versionSig(v)]));
    for (const [n, sig] of k.versions) if (byN.get(n) !== sig) problem(`${k.id} v${n} lost or changed (${sig} -> ${byN.get(n)})`);
    const revs = a.revisions.map(revisionSig);
    if (k.revisions.some((r, i) => revs[i] !== r)) problem(`${k.id} lost an acknowledged revision request`);
    if (a.step_index < k.step) problem(`${k.id} went back from step ${k.step} to ${a.step_index}`);
    if (k.countdown && a.step_index === k.countdown.step && !(a.status.phase === 'completed' && a.next_step_at === k.countdown.at)) {
      problem(`${k.id} lost its countdown: ${JSON.stringify({ phase: a.status.phase, next_step_at: a.next_step_at })}`);
    }
  }
  for (const a of now.values()) observe(a);
  return now;
}

// ---- files: every version row's file is whole, and every GLB served is valid ------------------------------------

const validated = new Set<string>();

interface StoredRow {
  asset_id: string;
  n: number;
  file: string;
  size_bytes: number;
}

/**
 * Reads the database as it is on disk (a WAL reader does not disturb the running server): the version rows, and
 * every file a row points at, as the server's own sweep counts them.
 */
function readRows(dataDir: string) {
  const db = new Database(path.join(dataDir, 'asset-forge.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return {
      versions: db.prepare('SELECT asset_id, n, file, size_bytes FROM versions').all() as StoredRow[],
      stored: createAssetRepository(db).storedFiles(),
    };
  } finally {
    db.close();
  }
}

async function checkFiles(url: string, dataDir: string, revalidateAll = false): Promise<number> {
  const { versions, stored } = readRows(dataDir);
  const filesRoot = path.join(dataDir, 'files');
  for (const rel of stored) if (!existsSync(path.join(filesRoot, rel))) problem(`row points at a missing file ${rel}`);
  let checked = 0;
  for (const v of versions) {
    const abs = path.join(filesRoot, v.file);
    const size = existsSync(abs) ? statSync(abs).size : -1;
    if (size !== v.size_bytes) problem(`${v.file}: ${size} bytes on disk, the row says ${v.size_bytes}`);
    const key = `${v.asset_id}/${v.n}`;
    if (validated.has(key) && !revalidateAll) continue;
    const res = await api(url, `/api/assets/${v.asset_id}/versions/${v.n}/model.glb`);
    if (res.status === 404) continue; // deleted since the rows were read
    const body = await readBody(res);
    if (res.status !== 200 || body.byteLength !== v.size_bytes) {
      problem(`${key} served ${res.status} with ${body.byteLength} bytes, expected ${v.size_bytes}`);
      continue;
    }
    const glb = await checkGlb(body);
    if (!glb.ok) problem(`${key} is not a valid GLB: ${glb.reason}`);
    validated.add(key);
    checked++;
  }
  return checked;
}

// ---- the work driven between kills ----------------------------------------------------------------------------

async function objectImage(side: number, hue: number): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}">
    <defs><radialGradient id="g" cx="40%" cy="35%" r="70%"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="hsl(${hue},70%,45%)"/></radialGradient></defs>
    <ellipse cx="${side / 2}" cy="${side * 0.45}" rx="${side * 0.3}" ry="${side * 0.36}" fill="url(#g)"/>
    <rect x="${side * 0.35}" y="${side * 0.72}" width="${side * 0.3}" height="${side * 0.18}" rx="${side * 0.04}" fill="hsl(${(hue + 120) % 360},60%,40%)"/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

interface Stats {
  creates: number;
  approvals: number;
  revisions: number;
  uploads: number;
  retries: number;
  deletes: number;
}
const stats: Stats = { creates: 0, approvals: 0, revisions: 0, uploads: 0, retries: 0, deletes: 0 };
/** What was happening when each kill landed, summed over the rounds. */
const inFlight = { creates: 0, uploads: 0 };
const atKill = { targeted: 0, creates: 0, uploads: 0, steps: 0, countdowns: 0 };
let lastList: Asset[] = [];

async function drive(url: string, images: Uint8Array[], blank: Uint8Array, stopAt: () => boolean): Promise<void> {
  const expectOk = async (res: Response, what: string): Promise<Asset | undefined> => {
    if (res.status === 409 || res.status === 404) {
      await readBody(res);
      return undefined; // another actor or a countdown got there first
    }
    if (res.status >= 300) {
      problem(`${what}: ${res.status} ${new TextDecoder().decode(await readBody(res)).slice(0, 300)}`);
      return undefined;
    }
    const a = AssetSchema.parse(await json(res));
    observe(a);
    return a;
  };

  const create = async () => {
    const useBlank = rand.chance(0.08);
    const name = `${useBlank ? 'Blank' : 'Object'} ${known.size + 1}-${rand.int(0, 1e6)}`;
    if (useBlank) blankNames.add(name);
    const count = useBlank ? 1 : rand.int(1, 2);
    const files = Array.from({ length: count }, (_, i) => ({
      field: 'images',
      bytes: useBlank ? blank : (images[rand.int(0, images.length - 1)] as Uint8Array),
      name: `view-${i}.png`,
      type: 'image/png',
    }));
    stats.creates++;
    inFlight.creates++;
    const res = await api(url, '/api/assets', { method: 'POST', body: form({ name }, files) }).finally(() => inFlight.creates--);
    if (res.status !== 201) problem(`create: ${res.status} ${new TextDecoder().decode(await readBody(res)).slice(0, 300)}`);
    else observe(AssetSchema.parse(await json(res)));
  };

  const act = async (a: Asset) => {
    const post = (p: string, body?: object) =>
      api(url, `/api/assets/${a.id}/${p}`, body ? { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : { method: 'POST' });
    if (a.status.phase === 'failed') {
      stats.retries++;
      return expectOk(await post('retry'), `retry ${a.id}`);
    }
    if (a.status.phase !== 'for_review') return;
    const r = rand.next();
    if (r < 0.55) {
      stats.approvals++;
      return expectOk(await post('approve'), `approve ${a.id}`);
    }
    if (r < 0.75) {
      stats.revisions++;
      return expectOk(await post('revisions', { note: rand.chance(0.5) ? 'make it taller and smoother' : 'fewer polygons please' }), `revise ${a.id}`);
    }
    if (r < 0.97) {
      // Upload the current model back as a new version: a real, valid GLB of realistic size.
      const latest = a.versions[a.versions.length - 1];
      if (!latest) return;
      const got = await api(url, `/api/assets/${a.id}/versions/${latest.n}/model.glb`);
      const glb = await readBody(got);
      if (got.status !== 200) return;
      stats.uploads++;
      inFlight.uploads++;
      const res = await api(url, `/api/assets/${a.id}/versions`, {
        method: 'POST',
        body: form({}, [{ field: 'file', bytes: glb, name: 'edited.glb', type: 'model/gltf-binary' }]),
      }).finally(() => inFlight.uploads--);
      return expectOk(res, `upload ${a.id}`);
    }
    const k = known.get(a.id);
    if (k) k.deleteSent = true;
    stats.deletes++;
    const res = await api(url, `/api/assets/${a.id}`, { method: 'DELETE' });
    await readBody(res);
    if (res.status === 204 && k) k.deleteAcked = true;
    else if (res.status !== 404) problem(`delete ${a.id}: ${res.status}`);
  };

  // One actor per asset at a time: this loop is about kills, not about two clicks racing on one asset.
  const busy = new Set<string>();
  const actor = async () => {
    while (!stopAt()) {
      const live = [...known.values()].filter((k) => !k.deleteSent).length;
      if (live < MAX_ASSETS && rand.chance(0.25)) await create();
      else {
        const items = await listAll(url);
        const actionable = items.filter(
          (a) => !busy.has(a.id) && (a.status.phase === 'for_review' || (a.status.phase === 'failed' && rand.chance(0.3))),
        );
        const pick = actionable[rand.int(0, actionable.length - 1)];
        if (pick) {
          busy.add(pick.id);
          await act(pick).finally(() => busy.delete(pick.id));
        }
      }
      await new Promise((r) => setTimeout(r, rand.int(0, 120)));
    }
  };

  await Promise.all(
    Array.from({ length: ACTORS }, () =>
      actor().catch((err: unknown) => {
        if (!(err instanceof ServerGone) || !stopAt()) throw err;
      }),
    ),
  );
}

// ---- after a restart: overdue countdowns fire and interrupted steps move again -------------------------------------

async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Returns how long after listening the first interrupted step was seen moving, or null when none was interrupted. */
async function checkResumes(url: string, before: Map<string, Asset>): Promise<number | null> {
  const t0 = Date.now();
  const overdue = [...before.values()].filter((a) => a.next_step_at !== null && a.next_step_at <= t0);
  const processing = [...before.values()].filter((a) => a.status.phase === 'processing');
  await waitUntil(`${overdue.length} overdue countdown(s) to fire`, 10_000, async () => {
    const now = new Map((await listAll(url)).map((a) => [a.id, a]));
    return overdue.every((a) => (now.get(a.id)?.step_index ?? Infinity) > a.step_index) ? true : undefined;
  });
  if (processing.length === 0) return null;
  await waitUntil('an interrupted step to move again', 15_000, async () => {
    const now = new Map((await listAll(url)).map((a) => [a.id, a]));
    return processing.some((a) => {
      const b = now.get(a.id);
      return !b || b.status.phase !== 'processing' || (b.status.progress ?? 0) > 0 || b.versions.length > a.versions.length;
    })
      ? true
      : undefined;
  });
  return Date.now() - t0;
}

// ---- the loop -------------------------------------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

describe('SIGKILL at random moments', () => {
  it(`loses nothing, leaves nothing stuck or half-written, over ${ROUNDS} kills`, async () => {
    console.log(`kill loop: seed ${SEED} (FAULTS_SEED=${SEED} replays it), ${ROUNDS} rounds`);
    const started = Date.now();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'asset-forge-kill-'));
    const images = await Promise.all([
      objectImage(160, 10),
      objectImage(256, 200),
      objectImage(384, 120),
      objectImage(512, 300),
    ]);
    const blank = new Uint8Array(await sharp({ create: { width: 128, height: 128, channels: 3, background: '#777777' } }).png().toBuffer());
    const startMs: number[] = [];
    const resumeMs: number[] = [];
    const killedAfter: number[] = [];
    let swept = 0;
    let glbsChecked = 0;

    const check = async (s: Server) => {
      const before = await checkNothingLost(s.url);
      const resumed = await checkResumes(s.url, before);
      if (resumed !== null) resumeMs.push(s.listeningAt - s.spawnedAt + resumed);
      glbsChecked += await checkFiles(s.url, dataDir);
      swept += Number(/Removed (\d+) unfinished files/.exec(s.output())?.[1] ?? 0);
      expect(problems, s.output().slice(-4000)).toEqual([]);
    };

    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const s = await startServer(dataDir);
        startMs.push(s.listeningAt - s.spawnedAt);
        await check(s);
        // A random moment in the next 2.5 s: during a step, a write, a countdown, an upload or a resume. A third of
        // the kills then wait for an upload or a new asset to be in flight and land a few ms into it.
        const delay = rand.int(0, 2_500);
        const targeted = rand.chance(0.35);
        let killed = false;
        const killer = new Promise<void>((resolve) => {
          const fire = () => {
            killed = true;
            atKill.creates += inFlight.creates;
            atKill.uploads += inFlight.uploads;
            atKill.steps += lastList.filter((a) => a.status.phase === 'processing').length;
            atKill.countdowns += lastList.filter((a) => a.next_step_at !== null).length;
            void kill(s).then(resolve);
          };
          const waitForWrite = (until: number) => {
            if (inFlight.creates + inFlight.uploads > 0 || Date.now() > until) setTimeout(fire, rand.int(0, 60));
            else setTimeout(() => waitForWrite(until), 5);
          };
          setTimeout(() => {
            if (!targeted) return fire();
            atKill.targeted++;
            waitForWrite(Date.now() + 3_000);
          }, delay);
        });
        await drive(s.url, images, blank, () => killed);
        await killer;
        killedAfter.push(delay);
        expect(problems, s.output().slice(-4000)).toEqual([]);
      }

      // The last start: no more kills and no more clicks. Everything must settle by itself.
      const s = await startServer(dataDir);
      startMs.push(s.listeningAt - s.spawnedAt);
      await check(s);
      const settleStart = Date.now();
      const final = await waitUntil('every asset to settle (nothing Processing, no countdown pending)', 240_000, async () => {
        const items = await listAll(s.url);
        return items.every((a) => a.status.phase !== 'processing' && a.next_step_at === null) ? items : undefined;
      });
      const settleMs = Date.now() - settleStart;
      for (const a of final) observe(a);
      await checkNothingLost(s.url);

      for (const a of final) {
        const k = known.get(a.id);
        if (k?.countdown && a.step_index <= k.countdown.step) problem(`${a.id}: the countdown approved at step ${k.countdown.step} never fired`);
        if (a.status.phase === 'completed' && a.step_index < a.pipeline.length - 1) problem(`${a.id} is Approved with no countdown`);
        if (a.status.phase === 'failed' && !k?.blank) problem(`${a.id} failed: ${a.status.error_message}`);
        if (a.status.phase === 'failed' && k?.blank && !/blank|single colour|one colour|plain/i.test(a.status.error_message ?? '')) {
          problem(`${a.id} failed for another reason than its blank image: ${a.status.error_message}`);
        }
        if (a.thumbnail_url === null) problem(`${a.id} has no thumbnail`);
        else {
          const thumb = await api(s.url, a.thumbnail_url);
          const jpeg = await readBody(thumb);
          if (thumb.status !== 200 || !(await sharp(jpeg).metadata().then(() => true, () => false))) problem(`${a.id} thumbnail is unreadable`);
        }
      }
      glbsChecked += await checkFiles(s.url, dataDir, true);

      // No temp files, no unrecorded versions, no folders of assets that were never saved or were deleted.
      const { stored } = readRows(dataDir);
      const filesRoot = path.join(dataDir, 'files');
      const onDisk = readdirSync(filesRoot, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? readdirSync(path.join(filesRoot, d.name)).map((f) => `${d.name}/${f}`) : [d.name],
      );
      const strays = onDisk.filter((f) => !stored.has(f));
      if (strays.length > 0) problem(`stray files after settling: ${strays.slice(0, 10).join(', ')}`);
      const errors = s.output().split('\n').filter((l) => /"level":(50|60)/.test(l));
      if (errors.length > 0) problem(`the last server logged errors: ${errors.slice(0, 3).join('\n')}`);

      await kill(s, 'SIGTERM');
      expect(s.child.exitCode, s.output().slice(-2000)).toBe(0);
      expect(problems).toEqual([]);

      const versions = final.flatMap((a) => a.versions);
      const stepsCompleted = versions.filter((v) => v.source !== 'uploaded').length;
      const countdownsFired = final.reduce((n, a) => n + a.step_index, 0);
      console.log(
        `kill loop: ${ROUNDS} rounds, ${killedAfter.length} kills (seed ${SEED}), ${final.length} assets ` +
          `(${stats.creates} creates, ${stats.deletes} deletes), ${stepsCompleted} steps completed, ${countdownsFired} countdowns fired, ` +
          `${stats.approvals} approvals, ${stats.revisions} revisions, ${stats.uploads} uploads, ${stats.retries} retries, ` +
          `${glbsChecked} GLB checks, ${swept} leftovers swept; the kills (${atKill.targeted} aimed at writes) found ${atKill.creates} ` +
          `creates and ${atKill.uploads} uploads in flight, with ${atKill.steps} steps processing and ${atKill.countdowns} countdowns pending; start median ${median(startMs)} ms (max ${Math.max(...startMs)}), ` +
          `resumed median ${median(resumeMs)} ms after spawn (max ${resumeMs.length ? Math.max(...resumeMs) : 0}, ${resumeMs.length} rounds), ` +
          `final settle ${(settleMs / 1000).toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    } finally {
      if (current) await kill(current);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
