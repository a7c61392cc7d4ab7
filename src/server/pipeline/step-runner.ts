// Runs pipeline steps for assets in Processing: a small FIFO queue with a fixed number of workers,
// progress written as it moves, a minimum duration, a timeout, and cancellation on delete or shutdown.
import type { FastifyBaseLogger } from 'fastify';
import type { StepKey } from '../../contract/asset';
import { stepFailureReason } from '../errors';
import { pipelineOf, type AssetRepository } from '../storage/asset-repository';
import type { FileStore } from '../storage/file-store';
import type { Generator } from './generator';

export interface StepJob {
  assetId: string;
  stepIndex: number;
  stepKey: StepKey;
}

export interface StepRunnerOptions {
  repo: AssetRepository;
  files: FileStore;
  generator: Generator;
  stepMs: number;
  timeoutMs: number;
  workers: number;
  log: FastifyBaseLogger;
  /** Records a finished step's model unless `stop` has aborted (the asset was deleted meanwhile). */
  complete(job: StepJob, glb: Uint8Array, stop: AbortSignal): Promise<void>;
  /** Marks the step failed with a reason the person reads. */
  fail(job: StepJob, reason: string): void;
}

export interface StepRunner {
  enqueue(assetId: string): void;
  /** Stops the asset's step if it is queued or running (the asset was deleted). */
  cancel(assetId: string): void;
  /** Resolves when nothing is queued or running; for tests and seeding. */
  idle(): Promise<void>;
  /** Stops all steps; their assets stay Processing in the database and resume on the next start. */
  close(): Promise<void>;
}

const PROGRESS_TICK_MS = 250;
/** A step whose end could not be recorded (the database is full or unwritable) runs again after this, doubling. */
const RECORD_RETRY_MS = 5_000;
const RECORD_RETRY_MAX_MS = 60_000;
const GENERIC_FAILURE =
  'Something went wrong while processing this step. Retry it; if it fails again, try other reference images.';

class StepAborted extends Error {}

export function createStepRunner(o: StepRunnerOptions): StepRunner {
  const queue: string[] = [];
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let closed = false;
  let idleWaiters: (() => void)[] = [];
  const retries = new Map<string, { timer: NodeJS.Timeout | null; wait: number }>();

  /** Runs the asset's step again later rather than leave it Processing until the next start. */
  function retryLater(id: string): void {
    const wait = Math.min(RECORD_RETRY_MAX_MS, (retries.get(id)?.wait ?? RECORD_RETRY_MS / 2) * 2);
    const timer = setTimeout(() => {
      const r = retries.get(id);
      if (r) r.timer = null;
      enqueue(id);
    }, wait);
    timer.unref();
    retries.set(id, { timer, wait });
  }

  function forgetRetry(id: string): void {
    const r = retries.get(id);
    if (r?.timer) clearTimeout(r.timer);
    retries.delete(id);
  }

  function pump(): void {
    while (!closed && running.size < o.workers && queue.length > 0) {
      const id = queue.shift() as string;
      if (running.has(id)) continue;
      const controller = new AbortController();
      const done = runOne(id, controller.signal)
        .then(() => forgetRetry(id))
        // runOne handles its own failures; this only catches a failure to record one (e.g. the database is full).
        .catch((err: unknown) => {
          o.log.error({ err, assetId: id }, 'could not record the end of a step; running it again later');
          if (!closed && !controller.signal.aborted) retryLater(id);
        })
        .finally(() => {
          running.delete(id);
          pump();
          if (running.size === 0 && queue.length === 0) {
            const waiters = idleWaiters;
            idleWaiters = [];
            waiters.forEach((w) => w());
          }
        });
      running.set(id, { controller, done });
    }
  }

  async function runOne(id: string, stop: AbortSignal): Promise<void> {
    const row = o.repo.get(id);
    if (!row || row.phase !== 'processing') return;
    const pipeline = pipelineOf(row);
    const step = pipeline[row.step_index];
    const job: StepJob = { assetId: id, stepIndex: row.step_index, stepKey: step?.key ?? 'geometry' };

    const timeout = AbortSignal.timeout(o.timeoutMs);
    const signal = AbortSignal.any([stop, timeout]);
    const started = Date.now();
    let reported = 0;
    let written = 0;
    const ticker = setInterval(() => {
      const byTime = o.stepMs > 0 ? (Date.now() - started) / o.stepMs : 1;
      const p = Math.floor(Math.min(0.99, reported, byTime) * 100) / 100;
      if (p <= written) return;
      try {
        o.repo.setProgress(id, p);
        written = p;
      } catch (err) {
        // A busy or full disk must not take the server down for a progress tick; the next tick tries again.
        o.log.warn({ err, assetId: id }, 'could not record progress');
      }
    }, PROGRESS_TICK_MS);

    // Everything that can throw is inside this try, so a step always ends For Review or Failed, never stuck.
    // Everything that can wait is raced against the signal, so a hung generator or disk cannot outlast the timeout.
    try {
      if (!step) throw new Error(`asset ${id} has no step ${row.step_index}`);
      let previous: Uint8Array | null = null;
      if (row.step_index > 0) {
        const prevStep = pipeline[row.step_index - 1];
        const prevVersion = prevStep ? o.repo.latestVersionOfStep(id, prevStep.key) : undefined;
        if (!prevVersion) {
          o.fail(job, 'The previous step has no model to build on. Retry the previous step, or upload a model for it.');
          return;
        }
        previous = await raceAbort(o.files.read(prevVersion.file), signal);
      }
      const images = o.repo.images(id).map((img) => ({ path: o.files.absolute(img.file), mime: img.mime }));
      const result = await raceAbort(
        o.generator[job.stepKey]({
          asset: { id, name: row.name, polycount: row.polycount },
          images,
          previous,
          note: row.job_source === 'revision' ? row.job_note : null,
          signal,
          report: (p) => {
            if (Number.isFinite(p)) reported = Math.max(reported, Math.min(1, p));
          },
        }),
        signal,
      );
      reported = 1;
      // Honour the minimum step time so a person can watch the step move.
      const left = o.stepMs - (Date.now() - started);
      if (left > 0) await sleep(left, signal);
      clearInterval(ticker);
      if (result.ok) await o.complete(job, result.glb, stop);
      else o.fail(job, result.reason);
    } catch (err) {
      if (stop.aborted) return; // deleted or shutting down: the database keeps what the next start needs
      if (timeout.aborted) {
        o.log.warn({ assetId: id, step: job.stepKey, timeoutMs: o.timeoutMs }, 'step timed out');
        o.fail(
          job,
          `This step took longer than ${duration(o.timeoutMs)} and was stopped. Retry it; if it keeps happening, try smaller or simpler reference images.`,
        );
        return;
      }
      o.log.error({ err, assetId: id, step: job.stepKey }, 'step failed unexpectedly');
      o.fail(job, stepFailureReason(err) ?? GENERIC_FAILURE);
    } finally {
      clearInterval(ticker);
    }
  }

  function enqueue(id: string): void {
    if (closed || running.has(id) || queue.includes(id)) return;
    queue.push(id);
    pump();
  }

  return {
    enqueue,
    cancel(id) {
      forgetRetry(id);
      const i = queue.indexOf(id);
      if (i >= 0) queue.splice(i, 1);
      running.get(id)?.controller.abort(new StepAborted('cancelled'));
    },
    idle() {
      if (running.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      [...retries.keys()].forEach(forgetRetry);
      queue.length = 0;
      const all = [...running.values()];
      all.forEach((r) => r.controller.abort(new StepAborted('shutdown')));
      await Promise.all(all.map((r) => r.done));
    },
  };
}

/** "3 min", "45 s", "0.3 s": a time limit as a person reads it. */
function duration(ms: number): string {
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  if (ms >= 10_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.max(0.1, Number((ms / 1000).toFixed(1)))} s`;
}

/** Resolves with the promise's value, or rejects as soon as the signal aborts, even if the work ignores it. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Always observe the step's own promise, so its later rejection is never unhandled.
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
