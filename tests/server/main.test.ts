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

async function list(url: string) {
  return AssetListSchema.parse(await (await fetch(`${url}/api/assets`)).json());
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
    const env = { DATA_DIR: dataDir, ASSET_STEP_MS: '120000' };
    const first = await start(env);
    const seeded = await list(first.url);
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
      const after = await list(second.url);
      expect(second.output()).not.toMatch(/Seeded/);
      expect(after.items.map((a) => [a.id, a.versions.length])).toEqual(seeded.items.map((a) => [a.id, a.versions.length]));
      expect(after.counts.processing).toBe(1);
    } finally {
      await stop(second);
    }
  }, 120_000);

  it('starts empty with SEED=0 and serves the API on the port it prints', async () => {
    const r = await start({ DATA_DIR: dataDir, SEED: '0' });
    try {
      expect((await list(r.url)).items).toEqual([]);
      expect(await (await fetch(`${r.url}/api/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      expect(await stop(r, 'SIGINT')).toBe(0);
    }
  }, 60_000);

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
