// Converts stored models for download in worker threads, so that a big export never stalls the server's requests.
// Both halves of the message protocol live here: the pool on the main thread and serveExports(), which the worker
// entry (export-worker.ts) calls.
import { readFile } from 'node:fs/promises';
import { parentPort, type ResourceLimits, type Worker } from 'node:worker_threads';
import type { ExportedModel, ExportFormat } from '../models/export-model';
import { entryBeside, isOutOfMemory, lowerThreadPriority, startWorker } from '../worker-threads';

/** The formats that need a conversion: a GLB download is the stored file itself. */
export type ConvertedFormat = Exclude<ExportFormat, 'glb'>;

export interface ExportJob {
  /** Absolute path of the stored GLB; the worker reads it, so its bytes never pass through the main thread. */
  source: string;
  format: ConvertedFormat;
  /** Names the files inside the download. */
  baseName: string;
}

export interface ExportPoolOptions {
  /** Exports that run at once, one worker each. Default 1. */
  size?: number;
  /** Exports that may wait for a worker; more are refused at once (`busy`). Default 8. */
  maxQueued?: number;
  /** How long one export may run once its worker has it; then the worker is terminated. Default 60 s. */
  timeoutMs?: number;
  /** Limits of each worker; a worker that exceeds its heap is stopped and its export fails. Default 512 MB old generation. */
  resourceLimits?: ResourceLimits;
  /** A worker idle this long is stopped, giving back its memory; the next export starts a new one. Default 30 s. */
  idleMs?: number;
  /** The worker's module. Default: export-worker beside this file. */
  entry?: URL;
  /** Hears about failures that are bugs or crashed workers (the person sees a generic reason). */
  onUnexpectedError?: (err: unknown) => void;
}

/** Why an export failed; the exporter turns each into an answer a person can act on. */
export type ExportFailureKind =
  /** The model cannot be converted (damaged, unsupported, over the model limits): `message` says why. */
  | 'unconvertible'
  /** It needed more memory than a worker may have. */
  | 'out_of_memory'
  /** It ran longer than `timeoutMs`. */
  | 'timeout'
  /** Too many exports are waiting already. */
  | 'busy'
  /** The worker crashed, or could not start. */
  | 'crashed'
  /** The pool was closed (the server is stopping). */
  | 'closed';

export class ExportFailure extends Error {
  constructor(
    readonly kind: ExportFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ExportFailure';
  }
}

export interface ExportPool {
  /** The export's file (zip) bytes, or an ExportFailure. */
  run(job: ExportJob): Promise<Uint8Array>;
  readonly limits: { timeoutMs: number; maxOldGenerationSizeMb: number | undefined };
  /** Terminates every worker; exports waiting or running fail with `closed`, and so do later ones. */
  close(): Promise<void>;
}

interface RunMessage {
  type: 'run';
  id: number;
  job: ExportJob;
}

type WorkerMessage =
  | { type: 'done'; id: number; bytes: Uint8Array }
  | { type: 'unconvertible'; id: number; reason: string }
  | { type: 'failed'; id: number; error: { name: string; message: string; stack?: string } };

interface Job {
  id: number;
  message: RunMessage;
  settle(outcome: { bytes: Uint8Array } | { error: ExportFailure }): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** While the slot has a job: terminates the worker when the job runs too long. */
  deadline: NodeJS.Timeout | null;
  /** While the slot has no job: stops the worker when it has been idle for idleMs. */
  idleTimer: NodeJS.Timeout | null;
}

const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512 };

/**
 * A pool of `size` worker threads, started when first needed and stopped when idle. A worker that crashes, runs
 * out of memory or runs past `timeoutMs` fails only its own export; the next export gets a fresh worker.
 */
export function createExportPool(options: ExportPoolOptions = {}): ExportPool {
  const size = Math.max(1, Math.floor(options.size ?? 1));
  const maxQueued = Math.max(0, Math.floor(options.maxQueued ?? 8));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const resourceLimits = options.resourceLimits ?? DEFAULT_LIMITS;
  const idleMs = options.idleMs ?? 30_000;
  const entry = options.entry ?? entryBeside('export-worker', import.meta.url);
  const slots = new Set<Slot>();
  const waiting: Job[] = [];
  let nextId = 0;
  let closed = false;

  const unexpected = (err: unknown) => {
    try {
      options.onUnexpectedError?.(err);
    } catch {
      // A failing listener must not turn an export's failure into a crash of the pool.
    }
  };

  function spawn(): Slot {
    const worker = startWorker(entry, { resourceLimits });
    const slot: Slot = { worker, job: null, deadline: null, idleTimer: null };
    worker.on('message', (m: WorkerMessage) => onMessage(slot, m));
    worker.on('error', (err) => lose(slot, err));
    worker.on('messageerror', (err) => lose(slot, err));
    worker.on('exit', (code) => lose(slot, new Error(`The export worker stopped with exit code ${code}.`)));
    // An idle worker must not keep the process alive; a busy one does, like any pending I/O.
    worker.unref();
    slots.add(slot);
    return slot;
  }

  /** Stops a worker for good; its events are ignored from now on. */
  function retire(slot: Slot): Promise<void> {
    slots.delete(slot);
    slot.job = null;
    clearTimers(slot);
    return slot.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }

  function clearTimers(slot: Slot): void {
    if (slot.deadline) clearTimeout(slot.deadline);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.deadline = null;
    slot.idleTimer = null;
  }

  /** The worker died (uncaught error, out of memory, exit): its export fails and the next one gets a new worker. */
  function lose(slot: Slot, err: unknown): void {
    if (!slots.has(slot)) return;
    const job = slot.job;
    void retire(slot);
    if (job) {
      if (isOutOfMemory(err)) {
        job.settle({ error: new ExportFailure('out_of_memory', 'The export needed more memory than a worker may use.') });
      } else {
        unexpected(err);
        job.settle({ error: new ExportFailure('crashed', 'The export worker stopped unexpectedly.') });
      }
    }
    pump();
  }

  function onMessage(slot: Slot, m: WorkerMessage): void {
    const job = slot.job;
    if (!job || m.id !== job.id) return;
    slot.job = null;
    clearTimers(slot);
    slot.worker.unref();
    if (m.type === 'done') job.settle({ bytes: m.bytes });
    else if (m.type === 'unconvertible') job.settle({ error: new ExportFailure('unconvertible', m.reason) });
    else {
      unexpected(Object.assign(new Error(m.error.message), m.error));
      job.settle({ error: new ExportFailure('crashed', 'The export failed unexpectedly.') });
    }
    pump();
    if (slot.job === null && slots.has(slot)) {
      slot.idleTimer = setTimeout(() => {
        if (slot.job === null) void retire(slot);
      }, idleMs);
      slot.idleTimer.unref();
    }
  }

  /** Hands waiting exports to idle workers, starting workers up to `size`. */
  function pump(): void {
    while (!closed && waiting.length > 0) {
      let slot = [...slots].find((s) => s.job === null);
      if (!slot) {
        if (slots.size >= size) return;
        try {
          slot = spawn();
        } catch (err) {
          // The worker could not even be created: fail the export rather than wait forever.
          const job = waiting.shift() as Job;
          unexpected(err);
          job.settle({ error: new ExportFailure('crashed', 'The export worker could not start.') });
          continue;
        }
      }
      const job = waiting.shift() as Job;
      const busy = slot;
      busy.job = job;
      clearTimers(busy);
      busy.deadline = setTimeout(() => {
        if (busy.job !== job) return;
        void retire(busy);
        job.settle({ error: new ExportFailure('timeout', `The export ran longer than ${timeoutMs} ms.`) });
        pump();
      }, timeoutMs);
      busy.worker.ref();
      try {
        busy.worker.postMessage(job.message);
      } catch (err) {
        void retire(busy);
        unexpected(err);
        job.settle({ error: new ExportFailure('crashed', 'The export could not be handed to its worker.') });
      }
    }
  }

  return {
    limits: { timeoutMs, maxOldGenerationSizeMb: resourceLimits.maxOldGenerationSizeMb },
    run(exportJob) {
      return new Promise<Uint8Array>((resolve, reject) => {
        if (closed) return reject(new ExportFailure('closed', 'The server is stopping.'));
        const idle = [...slots].some((s) => s.job === null) || slots.size < size;
        if (!idle && waiting.length >= maxQueued) return reject(new ExportFailure('busy', 'Too many exports are waiting.'));
        const id = ++nextId;
        let settled = false;
        waiting.push({
          id,
          message: { type: 'run', id, job: exportJob },
          settle(outcome) {
            if (settled) return;
            settled = true;
            if ('bytes' in outcome) resolve(outcome.bytes);
            else reject(outcome.error);
          },
        });
        pump();
      });
    },
    async close() {
      closed = true;
      const error = new ExportFailure('closed', 'The server is stopping.');
      const jobs = [...waiting.splice(0), ...[...slots].flatMap((s) => (s.job ? [s.job] : []))];
      const stopping = [...slots].map((s) => retire(s));
      jobs.forEach((job) => job.settle({ error }));
      await Promise.all(stopping);
    },
  };
}

/**
 * The worker's side: answers each export the pool sends with its bytes, or the reason it cannot be converted.
 * `isUnconvertible` tells a failure that is the model's (a StepFailure) from a bug.
 */
export function serveExports(
  exportModel: (glb: Uint8Array, format: ExportFormat, baseName: string) => Promise<ExportedModel>,
  unconvertibleReason: (err: unknown) => string | null,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveExports runs inside a worker thread.');
  lowerThreadPriority();
  const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  port.on('message', (m: RunMessage) => {
    void (async () => {
      try {
        const glb = await readFile(m.job.source);
        const out = await exportModel(glb, m.job.format, m.job.baseName);
        const bytes = ownBuffer(out.bytes);
        post({ type: 'done', id: m.id, bytes }, [bytes.buffer as ArrayBuffer]);
      } catch (err) {
        const reason = unconvertibleReason(err);
        if (reason !== null) post({ type: 'unconvertible', id: m.id, reason });
        else {
          const e = err instanceof Error ? err : new Error(String(err));
          post({ type: 'failed', id: m.id, error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } });
        }
      }
    })();
  });
}

/** The bytes in a buffer of their own, which can be transferred: the same array when it already is, else a copy. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  const own = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return own ? bytes : bytes.slice();
}
