// Checks models off the request thread. Reading a GLB's JSON, measuring what it draws and running the Khronos
// validator cost tens of milliseconds for an ordinary model and much more for a hostile one (a JSON chunk of
// tens of megabytes, 20,000 nodes): done on the main thread, that time would stall every other request. One
// worker, started when needed and stopped when idle, checks one model at a time; the checks queue behind it.
import { parentPort, type ResourceLimits, type Worker } from 'node:worker_threads';
import { entryBeside, isOutOfMemory, startWorker } from '../worker-threads';
import type { GlbCheck } from './glb-check';
import type { ModelStats } from './model-stats';

export interface ModelChecker {
  /** An uploaded model: container, limits, validator, readability (see glb-check.ts). Never rejects. */
  check(bytes: Uint8Array): Promise<GlbCheck>;
  /** A generator's output: its triangles and the first limit it breaks. Never rejects. */
  stats(bytes: Uint8Array): Promise<ModelStats>;
  close(): Promise<void>;
}

export interface ModelCheckerOptions {
  /** How long one check may take once the worker has it; then the worker is stopped. Default 60 s. */
  timeoutMs?: number;
  /** Default: a 1 GB old generation (the validator holds the whole model and its report). */
  resourceLimits?: ResourceLimits;
  /** A worker idle this long is stopped, giving back its memory. Default 30 s. */
  idleMs?: number;
  /** The worker's module. Default: model-check-worker beside this file. */
  entry?: URL;
}

type Kind = 'check' | 'stats';
type Result<K extends Kind> = K extends 'check' ? GlbCheck : ModelStats;
interface Request {
  id: number;
  kind: Kind;
  bytes: Uint8Array;
}
type Reply = { id: number; result: GlbCheck | ModelStats };

interface Job {
  request: Request;
  settle(result: GlbCheck | ModelStats): void;
}

const TOO_HEAVY =
  'The model needed more memory than the server allows for checking one model. Simplify it or reduce its textures, and upload it again.';
const TOO_SLOW = (ms: number) =>
  `Checking the model took longer than ${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} seconds. Simplify it and upload it again.`;
const BROKE = 'The model could not be checked. Export it again as .glb and upload that.';

export function createModelChecker(o: ModelCheckerOptions = {}): ModelChecker {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const idleMs = o.idleMs ?? 30_000;
  const entry = o.entry ?? entryBeside('model-check-worker', import.meta.url);
  const resourceLimits = o.resourceLimits ?? { maxOldGenerationSizeMb: 1024 };
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let current: (Job & { timer: NodeJS.Timeout }) | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let nextId = 0;
  let closed = false;

  /** What a failed check answers: a refusal for an upload, an over-limit reason for a generator's output. */
  const failure = (kind: Kind, reason: string): GlbCheck | ModelStats =>
    kind === 'check' ? { ok: false, reason } : { triangles: 0, overLimit: reason };

  function spawn(): Worker {
    const w = startWorker(entry, { resourceLimits });
    w.on('message', (m: Reply) => {
      if (!current || current.request.id !== m.id) return;
      finish(m.result);
    });
    const lose = (reason: string) => {
      if (worker !== w) return;
      worker = null;
      if (current) finish(failure(current.request.kind, reason));
      void w.terminate();
    };
    w.on('error', (err) => lose(isOutOfMemory(err) ? TOO_HEAVY : BROKE));
    w.on('exit', () => lose(BROKE));
    w.unref();
    return w;
  }

  function finish(result: GlbCheck | ModelStats): void {
    const job = current;
    if (!job) return;
    clearTimeout(job.timer);
    current = null;
    job.settle(result);
    pump();
  }

  function pump(): void {
    if (current || closed) return;
    const job = queue.shift();
    if (!job) {
      if (worker && !idleTimer) {
        idleTimer = setTimeout(() => {
          idleTimer = null;
          const idle = worker;
          worker = null;
          if (idle && !current) void idle.terminate();
        }, idleMs);
        idleTimer.unref();
      }
      return;
    }
    if (idleTimer) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    worker ??= spawn();
    const w = worker;
    const timer = setTimeout(() => {
      // A check stuck in a loop can be stopped no other way; the next check starts a fresh worker.
      if (worker === w) worker = null;
      finish(failure(job.request.kind, TOO_SLOW(timeoutMs)));
      void w.terminate();
    }, timeoutMs);
    current = { ...job, timer };
    // A copy crosses to the worker: the caller still writes these bytes to disk afterwards.
    w.postMessage(job.request);
  }

  function run<K extends Kind>(kind: K, bytes: Uint8Array): Promise<Result<K>> {
    if (closed) return Promise.resolve(failure(kind, BROKE) as Result<K>);
    return new Promise((resolve) => {
      queue.push({ request: { id: ++nextId, kind, bytes }, settle: (r) => resolve(r as Result<K>) });
      pump();
    });
  }

  return {
    check: (bytes) => run('check', bytes),
    stats: (bytes) => run('stats', bytes),
    async close() {
      closed = true;
      if (idleTimer) clearTimeout(idleTimer);
      for (const job of queue.splice(0)) job.settle(failure(job.request.kind, BROKE));
      if (current) finish(failure(current.request.kind, BROKE));
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

/** The worker's side: answers each request with the check or the statistics of its model. */
export function serveModelChecks(check: (bytes: Uint8Array) => Promise<GlbCheck>, stats: (bytes: Uint8Array) => ModelStats): void {
  const port = parentPort;
  if (!port) throw new Error('serveModelChecks must run in a worker thread');
  port.on('message', (m: Request) => {
    void (async () => {
      const result = m.kind === 'check' ? await check(m.bytes) : stats(m.bytes);
      port.postMessage({ id: m.id, result } satisfies Reply);
    })();
  });
}
