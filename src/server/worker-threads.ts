// What every worker pool of the server needs: starting a worker from a .ts or .js entry, lowering a worker's
// priority below the requests', and telling an out-of-memory death from other failures.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The module `name` beside `importMetaUrl`, with that file's own extension (.ts from source, .js from a build). */
export function entryBeside(name: string, importMetaUrl: string): URL {
  const ext = path.extname(fileURLToPath(importMetaUrl));
  return new URL(`./${name}${ext}`, importMetaUrl);
}

export function startWorker(entry: URL, options: Pick<WorkerOptions, 'workerData' | 'resourceLimits'>): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  // tsx registers its loader on the main thread only: `--import tsx` in a worker's execArgv is ignored and the
  // worker cannot read .ts. A one-line bootstrap loads the entry through tsx's API instead; this works the same
  // under `node --import tsx` and inside Vitest. The parent's execArgv is inherited as usual.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * Worker threads do background work: when the machine's cores are all busy, the server's requests should win. On
 * Linux a thread has its own nice value, so this lowers only the calling thread's priority; elsewhere it does
 * nothing.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + 10));
  } catch {
    // No /proc (not Linux) or not allowed: the work runs at normal priority.
  }
}

export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}
