// What the fault tests share: errors as the OS and SQLite raise them, a file store whose writes fail on demand,
// a generator with one step replaced, and the server as `npm start` runs it, in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createBuiltinGenerator } from '../../../src/server/pipeline/builtin-generator';
import type { Generator, StepFn } from '../../../src/server/pipeline/generator';
import { createFileStore, type FileStore } from '../../../src/server/storage/file-store';

export const root = path.resolve(import.meta.dirname, '../../..');

/** An error shaped as Node's fs raises it (code, errno, syscall, path). */
export function fsError(code: string, syscall = 'write', file = '/data/files/x'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall} '${file}'`), { code, errno: -1, syscall, path: file });
}

/** An error as better-sqlite3 raises it. */
export function sqliteError(code: string, message = 'database or disk is full'): Error {
  return new Database.SqliteError(message, code);
}

/**
 * The real file store on `dir/files`, with writes that throw `fault()`'s error whenever it returns one. The test
 * passes this as `files` and the same `dir` as `dataDir` to makeTestApp.
 */
export async function faultyFiles(dir: string, fault: (name: string) => Error | undefined): Promise<FileStore> {
  const real = await createFileStore(path.join(dir, 'files'));
  return {
    ...real,
    async write(assetId, name, bytes) {
      const err = fault(name);
      if (err) throw err;
      return real.write(assetId, name, bytes);
    },
  };
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'asset-forge-faults-'));
}

/** Every file under the files folder, as "assetId/name". */
export function storedFiles(dataDir: string): string[] {
  const filesRoot = path.join(dataDir, 'files');
  return readdirSync(filesRoot, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? readdirSync(path.join(filesRoot, d.name)).map((f) => `${d.name}/${f}`) : [d.name],
  );
}

/** The built-in generator with its geometry step replaced; `builtin` is the real step, to delegate to. */
export function withGeometry(replace: (builtin: StepFn) => StepFn): Generator {
  const builtin = createBuiltinGenerator();
  return { ...builtin, geometry: replace(builtin.geometry) };
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

const NODE_ARGS = ['--import', 'tsx', 'src/server/main.ts'];

/** Single-user mode (AUTH=off, loopback only): these tests are about faults, not sign-in. */
export function serverEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, HOST: '127.0.0.1', PORT: '0', WEB_BUILD: '0', SEED: '0', LOG_LEVEL: 'warn', AUTH: 'off', ...env };
}

/** Starts the server as `npm start` does; `prefix` runs it through another command (e.g. prlimit, which execs it). */
export function startServer(env: Record<string, string>, o: { prefix?: string[] } = {}): Promise<ServerProcess> {
  const [command, ...args] = [...(o.prefix ?? []), process.execPath, ...NODE_ARGS] as [string, ...string[]];
  const child = spawn(command, args, { cwd: root, env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Asset Forge is running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and what it printed. */
export function failedStart(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, NODE_ARGS, { cwd: root, env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Stops a server started here (SIGKILL after 15 s so a hung shutdown cannot hang the suite). */
export async function stopServer(s: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return s.exited;
  s.child.kill(signal);
  const force = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
  const code = await s.exited;
  clearTimeout(force);
  return code;
}
