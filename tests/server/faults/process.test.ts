// The server process under real faults: a DATA_DIR it cannot use, a disk that fills up (a real file-size limit),
// and SIGTERM while a request is still uploading and a step is running.
import http from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AssetSchema, type Asset } from '../../../src/contract/asset';
import { DISK_FULL_MESSAGE } from '../../../src/server/errors';
import { objectPng } from '../helpers/test-app';
import { failedStart, startServer, stopServer, storedFiles, tempDataDir, type ServerProcess } from './fault-kit';

const dirs: string[] = [];
const servers: ServerProcess[] = [];
function dataDir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}
async function start(...args: Parameters<typeof startServer>): Promise<ServerProcess> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => stopServer(s, 'SIGKILL')));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A multipart body as a browser's FormData makes it. */
async function formBody(name: string, png: Uint8Array): Promise<{ body: Buffer; type: string }> {
  const form = new FormData();
  form.append('name', name);
  form.append('images', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'view.png');
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') ?? '' };
}

async function createVia(url: string, name: string, png: Uint8Array): Promise<Response> {
  const form = new FormData();
  form.append('name', name);
  form.append('images', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'view.png');
  return fetch(`${url}/api/assets`, { method: 'POST', body: form });
}

async function getAsset(url: string, id: string): Promise<Asset> {
  return AssetSchema.parse(await (await fetch(`${url}/api/assets/${id}`)).json());
}

async function waitFor(url: string, id: string, ok: (a: Asset) => boolean, timeoutMs = 30_000): Promise<Asset> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await getAsset(url, id);
    if (ok(a)) return a;
    if (Date.now() > deadline) throw new Error(`asset ${id} stuck at ${JSON.stringify(a.status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An object on a transparent background whose pixels are noise, so its PNG is large (about 4 bytes a pixel). */
async function bigObjectPng(side: number): Promise<Buffer> {
  const raw = Buffer.alloc(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const dx = (x - side / 2) / (side * 0.35);
      const dy = (y - side / 2) / (side * 0.45);
      const i = (y * side + x) * 4;
      if (dx * dx + dy * dy > 1) continue;
      raw[i] = 96 + ((x * 7919 + y * 104729) % 160);
      raw[i + 1] = (x * y * 31) % 256;
      raw[i + 2] = (x * 13 + y * 17) % 256;
      raw[i + 3] = 255;
    }
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 4 } }).png({ compressionLevel: 0 }).toBuffer();
}

describe('a DATA_DIR the server cannot use', () => {
  const expectOneLine = (stderr: string, dir: string, why: RegExp) => {
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toContain(`Asset Forge could not start: DATA_DIR ${dir} cannot be used: `);
    expect(stderr).toMatch(why);
    expect(stderr).toContain('Set DATA_DIR to a folder this user can write.');
    expect(stderr).not.toMatch(/\n\s+at /);
  };

  it('a regular file, or a path through one: exits 1 with one line naming DATA_DIR', async () => {
    const parent = dataDir();
    const file = path.join(parent, 'not-a-folder');
    writeFileSync(file, 'x');
    for (const dir of [file, path.join(file, 'data')]) {
      const r = await failedStart({ DATA_DIR: dir });
      expect(r.code).toBe(1);
      expectOneLine(r.stderr, dir, /a file is in the way where a folder should be \(ENOTDIR\)/);
    }
  }, 60_000);

  it('a path under /proc exits at once (recursive mkdir would spin there forever)', async () => {
    const dir = '/proc/asset-forge-test/data';
    const r = await failedStart({ DATA_DIR: dir }, 20_000);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, dir, /\(ENOENT\)/);
  }, 30_000);

  it('a folder whose files folder or database is in the way: exits 1 and says which', async () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'files'), 'x');
    let r = await failedStart({ DATA_DIR: dir });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, dir, /\(ENOTDIR\)/);

    rmSync(dir, { recursive: true });
    mkdirSync(path.join(dir, 'asset-forge.sqlite'), { recursive: true });
    r = await failedStart({ DATA_DIR: dir });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, dir, /the database file cannot be opened \(SQLITE_CANTOPEN\)/);
  }, 60_000);
});

describe('a disk that fills up (a real file-size limit: writes past 700 KB fail with EFBIG)', () => {
  it('refuses an upload with 507, fails a step whose model does not fit, keeps no partial file, serves on', async () => {
    const dir = dataDir();
    // util-linux's prlimit sets the limit in bytes and execs the server. Images and the database fit; a 1.6 MB
    // image and the ~1 MB geometry model do not.
    const s = await start({ DATA_DIR: dir, ASSET_STEP_MS: '0' }, { prefix: ['prlimit', `--fsize=${700 * 1024}`] });

    const big = await bigObjectPng(640);
    expect(big.byteLength).toBeGreaterThan(700 * 1024);
    const refused = await createVia(s.url, 'Too big to store', big);
    expect(refused.status).toBe(507);
    expect(await refused.json()).toEqual({ error: { code: 'insufficient_storage', message: DISK_FULL_MESSAGE } });
    expect(storedFiles(dir)).toEqual([]);

    const created = await createVia(s.url, 'Fits, but its model does not', await objectPng(160));
    expect(created.status).toBe(201);
    const { id } = AssetSchema.parse(await created.json());
    const failed = await waitFor(s.url, id, (a) => a.status.phase !== 'processing');
    expect(failed.status).toMatchObject({
      phase: 'failed',
      error_message: "The server's disk is full, so this step's result could not be saved. Retry once space has been freed (ask an admin).",
    });
    // The partial temp file of the model is gone (EFBIG leaves one 700 KB long); the images stay.
    expect(storedFiles(dir).filter((f) => /\.glb|\.tmp-/.test(f))).toEqual([]);
    expect(storedFiles(dir)).toContain(`${id}/input-0.png`);

    const list = await fetch(`${s.url}/api/assets`);
    expect(list.status).toBe(200);
    expect(s.output()).not.toMatch(/uncaught|unhandled/i);
    expect(await stopServer(s)).toBe(0);
  }, 90_000);
});

/**
 * Sends a multipart upload slowly: `onHalf` runs once half the body is on the wire. Like a browser, it keeps the
 * connection open after the response, until `agent` is destroyed.
 */
function slowUpload(url: string, agent: http.Agent, body: Buffer, type: string, onHalf: () => void): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/assets`, {
      method: 'POST',
      agent,
      headers: { 'content-type': type, 'content-length': body.byteLength },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    const chunk = 64 * 1024;
    let sent = 0;
    let halfDone = false;
    const next = () => {
      if (sent >= body.byteLength) return req.end();
      req.write(body.subarray(sent, sent + chunk));
      sent += chunk;
      if (!halfDone && sent >= body.byteLength / 2) {
        halfDone = true;
        onHalf();
      }
      setTimeout(next, 25);
    };
    next();
  });
}

describe('graceful shutdown', () => {
  it('on SIGTERM finishes an upload in flight, hands the running step back, exits 0; the next start finishes both', async () => {
    const dir = dataDir();
    const first = await start({ DATA_DIR: dir, ASSET_STEP_MS: '20000' });
    const running = await createVia(first.url, 'Running when stopped', await objectPng());
    expect(running.status).toBe(201);
    const runningId = AssetSchema.parse(await running.json()).id;
    await waitFor(first.url, runningId, (a) => (a.status.progress ?? 0) > 0);

    const { body, type } = await formBody('Uploading when stopped', await bigObjectPng(700));
    expect(body.byteLength).toBeGreaterThan(1.5e6); // about 25 chunks each way of half: over half a second on the wire
    let signalledAt = 0;
    const agent = new http.Agent({ keepAlive: true });
    const upload = await slowUpload(first.url, agent, body, type, () => {
      signalledAt = Date.now();
      first.child.kill('SIGTERM');
    });
    expect(upload.status, JSON.stringify(upload.json)).toBe(201);
    const uploadedId = AssetSchema.parse(upload.json).id;

    // The browser's connection stays open: the server must not wait for it to go away.
    const code = await first.exited;
    const stoppedIn = Date.now() - signalledAt;
    agent.destroy();
    expect(code, first.output()).toBe(0);
    expect(stoppedIn).toBeLessThan(5_000);
    expect(first.output()).toContain('SIGTERM: finishing requests and stopping…');
    expect(first.output()).toContain('Stopped; 2 unfinished step(s) resume on the next start.');
    expect(first.output()).not.toContain('Shutdown took too long');

    const second = await start({ DATA_DIR: dir, ASSET_STEP_MS: '200' });
    const [a, b] = await Promise.all([
      waitFor(second.url, runningId, (x) => x.status.phase !== 'processing', 60_000),
      waitFor(second.url, uploadedId, (x) => x.status.phase !== 'processing', 60_000),
    ]);
    expect([a.status.phase, b.status.phase]).toEqual(['for_review', 'for_review']);
    expect([a.versions.length, b.versions.length]).toEqual([1, 1]);
    expect(await stopServer(second, 'SIGINT')).toBe(0);
    expect(second.output()).toContain('SIGINT: finishing requests and stopping…');
    expect(second.output()).toMatch(/Stopped\.\n/);
  }, 120_000);
});
