// Runs the built-in generator's steps in worker threads, so that mesh and image work never stalls the server's
// event loop. Both halves of the message protocol live here: the pool on the main thread and serveGenerator(),
// which the worker entry (generator-worker.ts) calls.
import { parentPort, type ResourceLimits, type Transferable, type Worker } from 'node:worker_threads';
import { STEP_KEYS, type StepKey } from '../../contract/asset';
import type { BuiltinGeneratorOptions } from './builtin-generator';
import type { Generator, StepFn, StepInput, StepResult } from './generator';
import { entryBeside, isOutOfMemory, lowerThreadPriority, startWorker } from '../worker-threads';

/** Plain-data settings of the built-in generator, sent to every worker. */
export type BuiltinSettings = Omit<BuiltinGeneratorOptions, 'onUnexpectedError'>;

export interface WorkerGeneratorOptions {
  /** Steps that can run at once, one worker each (the server's ASSET_WORKERS). Default 1. */
  size?: number;
  /** Passed to createBuiltinGenerator inside each worker. */
  builtin?: BuiltinSettings;
  /** Hears, on the main thread, about failures that are bugs or crashed workers (the person sees a generic reason). */
  onUnexpectedError?: (step: string, err: unknown) => void;
  /** Limits of each worker; a worker that exceeds its heap is stopped and its step fails. Default: a 1 GB old generation. */
  resourceLimits?: ResourceLimits;
  /** The worker's module. Default: generator-worker beside this file. Tests pass one that misbehaves on purpose. */
  entry?: URL;
  /**
   * A worker idle this long is stopped, giving back its memory (its own heap and the generator's code, tens of
   * MB each); the next step starts a new one, which costs about a second. Default 30 s.
   */
  idleMs?: number;
}

export type WorkerGenerator = Generator & {
  /** Terminates every worker; steps still waiting or running reject. Later steps reject too. */
  close(): Promise<void>;
};

/** The step's input as it crosses to the worker: everything but the signal and the progress callback. */
type WorkerStepInput = Pick<StepInput, 'asset' | 'images' | 'previous' | 'note'>;

interface RunMessage {
  type: 'run';
  id: number;
  step: StepKey;
  input: WorkerStepInput;
}

interface ErrorData {
  name: string;
  message: string;
  stack?: string;
}

type WorkerMessage =
  | { type: 'progress'; id: number; progress: number }
  | { type: 'unexpected'; id: number; error: ErrorData }
  | { type: 'done'; id: number; result: StepResult };

// The built-in generator's own wording for a failure that is not the input's fault.
const UNEXPECTED =
  'Something went wrong while processing this step. Retry it; if it fails again, upload a new version of the previous step or try other reference images.';
const OUT_OF_MEMORY =
  'This step needed more memory than the server allows for one step. Retry it with smaller or simpler reference images, or a lower polycount.';
const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 1024 };
const DEFAULT_IDLE_MS = 30_000;

interface Job {
  id: number;
  step: StepKey;
  message: RunMessage;
  transfer: Transferable[];
  input: StepInput;
  settle(outcome: { result: StepResult } | { error: unknown }): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** Set while the worker has no job: stops it when it has been idle for idleMs. */
  idleTimer: NodeJS.Timeout | null;
}

/**
 * A Generator whose steps run the built-in generator in a pool of `size` worker threads, started when first
 * needed and reused. The step's `previous` GLB is moved to the worker when it owns its whole buffer, so the
 * caller must not use it afterwards. When the step's signal aborts, the step rejects at once and its worker is
 * terminated (a step deep in a CPU loop can be stopped no other way); a worker that crashes or runs out of memory
 * fails its step with a reason a person can read. Either way the next step gets a fresh worker.
 */
export function createWorkerGenerator(options: WorkerGeneratorOptions = {}): WorkerGenerator {
  const size = Math.max(1, Math.floor(options.size ?? 1));
  const entry = options.entry ?? entryBeside('generator-worker', import.meta.url);
  const settings = builtinSettings(options.builtin ?? {});
  const resourceLimits = options.resourceLimits ?? DEFAULT_LIMITS;
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const slots = new Set<Slot>();
  const waiting: Job[] = [];
  let nextId = 0;
  let closed = false;

  const unexpected = (step: StepKey, err: unknown) => {
    try {
      options.onUnexpectedError?.(step, err);
    } catch {
      // A failing listener must not turn a step's failure into a crash of the pool.
    }
  };

  function spawn(): Slot {
    const worker = startWorker(entry, { workerData: settings, resourceLimits });
    const slot: Slot = { worker, job: null, idleTimer: null };
    worker.on('message', (m: WorkerMessage) => onMessage(slot, m));
    worker.on('error', (err) => lose(slot, err));
    worker.on('messageerror', (err) => lose(slot, err));
    worker.on('exit', (code) => lose(slot, new Error(`The generator worker stopped with exit code ${code}.`)));
    // An idle worker must not keep the process alive; a busy one does, like any pending I/O.
    worker.unref();
    slots.add(slot);
    return slot;
  }

  /** Stops a worker for good; its events are ignored from now on. */
  function retire(slot: Slot): Promise<void> {
    slots.delete(slot);
    slot.job = null;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    return slot.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }

  /** The worker died (uncaught error, out of memory, exit): its step fails and the next step gets a new worker. */
  function lose(slot: Slot, err: unknown): void {
    if (!slots.has(slot)) return;
    const job = slot.job;
    void retire(slot);
    if (job) {
      unexpected(job.step, err);
      job.settle({ result: { ok: false, reason: isOutOfMemory(err) ? OUT_OF_MEMORY : UNEXPECTED } });
    }
    pump();
  }

  function onMessage(slot: Slot, m: WorkerMessage): void {
    const job = slot.job;
    if (!job || m.id !== job.id) return;
    if (m.type === 'progress') {
      try {
        job.input.report(m.progress);
      } catch (err) {
        unexpected(job.step, err);
      }
    } else if (m.type === 'unexpected') {
      unexpected(job.step, errorFromData(m.error));
    } else {
      slot.job = null;
      slot.worker.unref();
      job.settle({ result: m.result });
      pump();
      if (slot.job === null && slots.has(slot)) {
        // Only ever stops an idle worker, even should a job reach it without the timer being cleared.
        slot.idleTimer = setTimeout(() => {
          if (slot.job === null) void retire(slot);
        }, idleMs);
        slot.idleTimer.unref();
      }
    }
  }

  /** Hands waiting steps to idle workers, starting workers up to `size`. */
  function pump(): void {
    while (!closed && waiting.length > 0) {
      let slot = [...slots].find((s) => s.job === null);
      if (!slot) {
        if (slots.size >= size) return;
        try {
          slot = spawn();
        } catch (err) {
          // The worker could not even be created (bad entry or options): fail the step rather than wait forever.
          const job = waiting.shift() as Job;
          unexpected(job.step, err);
          job.settle({ result: { ok: false, reason: UNEXPECTED } });
          continue;
        }
      }
      const job = waiting.shift() as Job;
      slot.job = job;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      slot.worker.ref();
      try {
        slot.worker.postMessage(job.message, job.transfer);
      } catch (err) {
        slot.job = null;
        slot.worker.unref();
        unexpected(job.step, err);
        job.settle({ result: { ok: false, reason: UNEXPECTED } });
      }
    }
  }

  function runStep(step: StepKey): StepFn {
    return (input) =>
      new Promise<StepResult>((resolve, reject) => {
        if (closed) return reject(new Error('The generator is closed.'));
        if (input.signal.aborted) return reject(abortReason(input.signal));
        const previous = input.previous ? movable(input.previous) : null;
        const id = ++nextId;
        let settled = false;
        const job: Job = {
          id,
          step,
          message: {
            type: 'run',
            id,
            step,
            input: { asset: input.asset, images: input.images.map((i) => ({ path: i.path, mime: i.mime })), previous, note: input.note },
          },
          transfer: previous ? [previous.buffer as ArrayBuffer] : [],
          input,
          settle(outcome) {
            if (settled) return;
            settled = true;
            input.signal.removeEventListener('abort', onAbort);
            if ('result' in outcome) resolve(outcome.result);
            else reject(outcome.error);
          },
        };
        const onAbort = () => {
          const queued = waiting.indexOf(job);
          if (queued >= 0) waiting.splice(queued, 1);
          const slot = [...slots].find((s) => s.job === job);
          if (slot) void retire(slot);
          job.settle({ error: abortReason(input.signal) });
          pump();
        };
        input.signal.addEventListener('abort', onAbort, { once: true });
        waiting.push(job);
        pump();
      });
  }

  const steps = Object.fromEntries(STEP_KEYS.map((key) => [key, runStep(key)])) as Generator;
  return {
    ...steps,
    async close() {
      closed = true;
      const error = new Error('The generator was closed while this step was waiting or running.');
      const jobs = [...waiting.splice(0), ...[...slots].flatMap((s) => (s.job ? [s.job] : []))];
      const stopping = [...slots].map((s) => retire(s));
      jobs.forEach((job) => job.settle({ error }));
      await Promise.all(stopping);
    },
  };
}

/**
 * The worker's side: answers each step the pool sends with progress messages and one result. `make` builds the
 * generator once, given a callback for failures that are bugs, which are reported to the pool.
 */
export function serveGenerator(make: (onUnexpectedError: (step: string, err: unknown) => void) => Generator): void {
  const port = parentPort;
  if (!port) throw new Error('serveGenerator runs inside a worker thread.');
  lowerThreadPriority();
  let current = 0;
  const post = (m: WorkerMessage, transfer: Transferable[] = []) => port.postMessage(m, transfer);
  const generator = make((_step, err) => post({ type: 'unexpected', id: current, error: errorData(err) }));
  // The pool stops a step by terminating this thread, so the step's own signal never aborts here.
  const signal = new AbortController().signal;

  const run = async (m: RunMessage) => {
    current = m.id;
    let sent = -1;
    const report = (p: number) => {
      // Checkpoints can be frequent; a message per whole percent is all the pool needs.
      const rounded = Math.floor(p * 100) / 100;
      if (!(rounded > sent)) return;
      sent = rounded;
      post({ type: 'progress', id: m.id, progress: rounded });
    };
    try {
      const result = await generator[m.step]({ ...m.input, signal, report });
      if (!result.ok) return post({ type: 'done', id: m.id, result });
      const glb = movable(result.glb);
      post({ type: 'done', id: m.id, result: { ok: true, glb } }, [glb.buffer as ArrayBuffer]);
    } catch (err) {
      // The built-in steps turn every failure into a result; reaching here is a bug, and the step still ends.
      post({ type: 'unexpected', id: m.id, error: errorData(err) });
      post({ type: 'done', id: m.id, result: { ok: false, reason: UNEXPECTED } });
    }
  };
  port.on('message', (m: RunMessage) => void run(m));
}

/** Only the known numeric settings, so that nothing that cannot be cloned (a callback) reaches a worker. */
function builtinSettings(o: BuiltinSettings): BuiltinSettings {
  const out: BuiltinSettings = {};
  if (o.workingSize !== undefined) out.workingSize = o.workingSize;
  if (o.highPolyTriangles !== undefined) out.highPolyTriangles = o.highPolyTriangles;
  if (o.defaultPolycount !== undefined) out.defaultPolycount = o.defaultPolycount;
  if (o.textureSize !== undefined) out.textureSize = o.textureSize;
  return out;
}

/** The bytes in a buffer of their own, which can be transferred: the same array when it already is, else a copy. */
function movable(bytes: Uint8Array): Uint8Array {
  const own = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return own ? bytes : bytes.slice();
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The step was aborted.', 'AbortError');
}

function errorData(err: unknown): ErrorData {
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { name: 'Error', message: String(err) };
}

function errorFromData(data: ErrorData): Error {
  const err = new Error(data.message);
  err.name = data.name;
  if (data.stack) err.stack = data.stack;
  return err;
}
