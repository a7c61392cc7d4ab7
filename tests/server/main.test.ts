// `npm start`'s entry point as a process: environment, first-start seeding, the printed URL, graceful
// shutdown on SIGTERM, and a restart that keeps everything without seeding again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AssetListSchema } from '../../src/contract/api';
import { stageLabel } from '../../src/contract/asset';

const root = path.resolve(import.meta.dirname, '../..');
// As `npm start` runs it: node with tsx's loader, so signals reach the server itself.
const NODE_ARGS = ['--import', 'tsx', 'src/server/main.ts'];

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, NODE_ARGS, {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', WEB_BUILD: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}`));
    });
  });
}

function stop(r: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.removeAllListeners('exit');
    r.child.on('exit', (code) => resolve(code));
    r.child.kill(signal);
  });
}

async function list(url: string, headers: Record<string, string> = {}) {
  return AssetListSchema.parse(await (await fetch(`${url}/api/assets`, { headers })).json());
}

/** Signs in through the API as the page does; returns the cookie header to send. */
async function signIn(url: string, email: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  return { cookie };
}

/** The generated first-admin password, as printed once on the console. */
function printedPassword(output: string): string {
  const m = /password: (\S+)/.exec(output);
  if (!m?.[1]) throw new Error(`no generated password printed:\n${output}`);
  return m[1];
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'asset-forge-main-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the server process', () => {
  it('seeds demo assets in every stage on first start, stops on SIGTERM, and restarts without seeding again', async () => {
    // A long minimum step time keeps the seeded Processing asset processing while we look.
    // Sign-in is on by default: the first start creates an admin and prints its password once.
    const env = { DATA_DIR: dataDir, ASSET_STEP_MS: '120000' };
    const first = await start(env);
    expect((await fetch(`${first.url}/api/assets`)).status).toBe(401);
    const password = printedPassword(first.output());
    const asAdmin = await signIn(first.url, 'admin@asset-forge.local', password);
    const seeded = await list(first.url, asAdmin);
    expect(first.output()).toMatch(/Seeded \d+ demo assets/);
    expect(new Set(seeded.items.map(stageLabel))).toEqual(
      new Set(['Processing', 'For Review', 'Approved', 'Completed', 'Generation Failed']),
    );
    expect(seeded.items.find((a) => a.status.phase === 'failed')?.status.error_message).toMatch(/blank/);
    // One Approved demo asset has the server's countdown running; another waits for Process to be clicked.
    const approved = seeded.items.filter((a) => stageLabel(a) === 'Approved');
    expect(approved.map((a) => a.next_step_at === null).sort()).toEqual([false, true]);
    const deadline = approved.find((a) => a.next_step_at !== null)?.next_step_at ?? 0;
    expect(deadline - Date.now()).toBeGreaterThan(30_000);
    const firstExit = await stop(first);
    expect(firstExit, first.output()).toBe(0);
    expect(first.output()).toContain('SIGTERM: finishing requests and stopping');

    const second = await start(env);
    try {
      // The account and its session survive the restart; no second password is printed.
      expect(second.output()).not.toMatch(/password:/);
      const after = await list(second.url, asAdmin);
      expect(second.output()).not.toMatch(/Seeded/);
      expect(after.items.map((a) => [a.id, a.versions.length])).toEqual(seeded.items.map((a) => [a.id, a.versions.length]));
      expect(after.counts.processing).toBe(1);
    } finally {
      await stop(second);
    }
  }, 120_000);

  it('starts empty with SEED=0 and, with AUTH=off, serves the API on the port it prints without sign-in', async () => {
    const r = await start({ DATA_DIR: dataDir, SEED: '0', AUTH: 'off' });
    try {
      expect((await list(r.url)).items).toEqual([]);
      expect(await (await fetch(`${r.url}/api/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      expect(await stop(r, 'SIGINT')).toBe(0);
    }
  }, 60_000);

  it('creates the first admin from ADMIN_EMAIL and ADMIN_PASSWORD without printing the password', async () => {
    const r = await start({ DATA_DIR: dataDir, SEED: '0', ADMIN_EMAIL: 'Lead@Studio.example', ADMIN_PASSWORD: 'correct horse battery' });
    try {
      expect(r.output()).toContain('Created the admin account lead@studio.example');
      expect(r.output()).not.toContain('correct horse battery');
      const asAdmin = await signIn(r.url, 'lead@studio.example', 'correct horse battery');
      expect((await list(r.url, asAdmin)).items).toEqual([]);
    } finally {
      expect(await stop(r)).toBe(0);
    }
  }, 60_000);

  it('refuses AUTH=off on an address other machines can reach', async () => {
    const child = spawn(process.execPath, NODE_ARGS, {
      cwd: root,
      env: { ...process.env, AUTH: 'off', HOST: '0.0.0.0', PORT: '0', DATA_DIR: dataDir, WEB_BUILD: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('AUTH=off runs without sign-in, so it is allowed only on a loopback HOST');
  }, 30_000);

  it('refuses a bad environment with a message naming the variable', async () => {
    const child = spawn(process.execPath, NODE_ARGS, {
      cwd: root,
      env: { ...process.env, PORT: 'eighty', DATA_DIR: dataDir, WEB_BUILD: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('PORT: must be a port number');
  }, 30_000);
});
