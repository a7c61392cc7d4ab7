// Starts the real server as a child process on 127.0.0.1, exactly as `npm start` runs it, for the benchmark and the
// fault tests; and makes bulk-seeded data for it to run on.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkSeed, type BulkSeedResult } from '../../src/server/seed/bulk-seed';
import { openDatabase } from '../../src/server/storage/database';
import { createFileStore } from '../../src/server/storage/file-store';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  /** Resident set size of the server process right now, in bytes. */
  rss(): number;
  /** What it printed (the last 50–100 kB), for a failing test's message. */
  output(): string;
  /** False once the process has exited, by itself or stopped. */
  running(): boolean;
  /** SIGTERM, then SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/** A temp data folder holding `count` bulk-seeded assets (none left processing unless asked). */
export async function seededDataDir(count: number, processing = 0): Promise<{ dir: string; seed: BulkSeedResult; remove(): void }> {
  const dir = mkdtempSync(path.join(tmpdir(), `asset-forge-bench-${count}-`));
  const db = openDatabase(path.join(dir, 'asset-forge.sqlite'));
  try {
    const seed = await bulkSeed({ db, files: await createFileStore(path.join(dir, 'files')), count, processing });
    return { dir, seed, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    db.close();
  }
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/**
 * Node's arguments exactly as `npm start` gives them (package.json's start script, V8 flags included), with `entry`
 * in place of the server's module: the benchmark measures the server people run.
 */
function startArgs(entry: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.split(/\s+/);
  const main = args.indexOf('src/server/main.ts');
  if (node !== 'node' || main === -1) throw new Error(`package.json's start script is not "node … src/server/main.ts": ${pkg.scripts.start}`);
  args[main] = entry;
  return args;
}

/**
 * `env` is added to a quiet, empty, API-only server's settings (AUTH=off unless given). `entry`: the server's
 * module, src/server/main.ts unless a bench measures a stand-in (tests/bench/floor-server.ts).
 */
export async function startServer(dataDir: string, env: Record<string, string> = {}, entry = 'src/server/main.ts'): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, startArgs(entry), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED: '0',
      WEB_BUILD: '0',
      AUTH: 'off',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never left running: a server that did not become ready is stopped with the failure.
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 180 s:\n${output}`));
    }, 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 100_000) output = output.slice(-50_000);
      const m = /Asset Forge is running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${output}`));
    });
  });
  const pid = child.pid as number;
  return {
    url,
    port: Number(new URL(url).port),
    pid,
    rss: () => rssOf(pid),
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** CPU time (user + system, all threads) the process has used so far, in ms. */
export function cpuMsOf(pid: number): number {
  // Fields after the ")" that ends the command name; utime and stime are the 14th and 15th of the whole line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
/** USER_HZ: 100 on every Linux this runs on (what getconf CLK_TCK prints). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Runs `work` and says how much CPU the process used meanwhile, and for how much of the wall time it was busy. */
export async function withCpu<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpuMs: number; busy: number }> {
  const cpu0 = cpuMsOf(pid);
  const t0 = performance.now();
  const result = await work();
  const cpuMs = cpuMsOf(pid) - cpu0;
  return { result, cpuMs, busy: cpuMs / (performance.now() - t0) };
}

/** Samples a process's RSS every 100 ms while `work` runs; resolves to work's result and the highest sample. */
export async function withPeakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 100);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssOf(pid)) };
  } finally {
    clearInterval(timer);
  }
}
