// The worker generator: the built-in steps run in worker threads with the same results, report progress, stop
// promptly on abort, survive crashing workers, and keep the main thread's event loop free.
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { validateBytes } from 'gltf-validator';
import { STEP_KEYS } from '../../../src/contract/asset';
import { createBuiltinGenerator } from '../../../src/server/pipeline/builtin-generator';
import type { SourceImage, StepInput, StepResult } from '../../../src/server/pipeline/generator';
import { createWorkerGenerator, type WorkerGenerator, type WorkerGeneratorOptions } from '../../../src/server/pipeline/worker-generator';
import { imageFolder, objectSvg, saveImage, solidPng, stepInput, svgPng } from '../helpers/images';

// Small images and budgets keep the suite fast, as in builtin-generator.test.ts.
const SMALL = { workingSize: 128, highPolyTriangles: 20_000, defaultPolycount: 2_000, textureSize: 256 };
/** The real built-in generator, except for revision notes that make its worker hang, throw, exit or run out of memory. */
const UNRULY = new URL('./unruly-generator-worker.ts', import.meta.url);
const GENERIC_REASON = /^Something went wrong while processing this step/;

let folder: Awaited<ReturnType<typeof imageFolder>>;
let image: SourceImage;
const opened: WorkerGenerator[] = [];

function pool(options: WorkerGeneratorOptions = {}): WorkerGenerator {
  const generator = createWorkerGenerator({ builtin: SMALL, ...options });
  opened.push(generator);
  return generator;
}

function input(overrides: Partial<StepInput> = {}): StepInput {
  return stepInput({ images: [image], ...overrides });
}

function glbOf(result: StepResult): Uint8Array {
  if (!result.ok) throw new Error(`step failed: ${result.reason}`);
  return result.glb;
}

async function expectValid(glb: Uint8Array): Promise<void> {
  const report = await validateBytes(glb, { maxIssues: 20, writeTimestamp: false });
  expect(report.issues.messages.filter((m) => m.severity === 0)).toEqual([]);
}

/** Resolves once `report` has been called, i.e. the step is running in a worker. */
function started(): { report: (p: number) => void; running: Promise<void> } {
  let signal: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (signal = resolve));
  return { report: () => signal(), running };
}

/** How long `promise` takes to settle, and how. */
async function settleTime(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const t0 = performance.now();
  try {
    await promise;
    return { ms: performance.now() - t0, error: undefined };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

/** The id and nice value of every thread of this process (Linux): the nice value is field 19 of its stat. */
function threads(): { tid: string; nice: number }[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The command name, in parentheses, may hold spaces; the fields after it are space-separated.
      return [{ tid, nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) }];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

const threadNiceValues = () => threads().map((t) => t.nice);

/** The threads running at the workers' lowered priority: each generator worker has exactly one main thread there. */
const workerThreadIds = () => {
  const lowered = Math.min(19, getPriority() + 10);
  return threads()
    .filter((t) => t.nice === lowered)
    .map((t) => t.tid);
};

beforeAll(async () => {
  folder = await imageFolder();
  image = await saveImage(folder.dir, 'object.png', await svgPng(objectSvg({ size: 128 })));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((g) => g.close()));
});

afterAll(async () => {
  await folder.cleanup();
});

describe('worker generator', () => {
  it('runs every step in a worker with the given settings, giving the same valid GLB bytes as the built-in generator', async () => {
    const inProcess = createBuiltinGenerator(SMALL);
    const worker = pool();
    let expectedPrevious: Uint8Array | null = null;
    let workerPrevious: Uint8Array | null = null;
    for (const step of STEP_KEYS) {
      const expected = glbOf(await inProcess[step](input({ previous: expectedPrevious })));
      const actual = glbOf(await worker[step](input({ previous: workerPrevious })));
      await expectValid(actual);
      expect(Buffer.from(actual).equals(Buffer.from(expected)), `${step} differs`).toBe(true);
      expectedPrevious = expected;
      workerPrevious = actual;
    }
  });

  it('passes an honest failure of the input through as it is', async () => {
    const blank = await saveImage(folder.dir, 'blank.png', await solidPng(128, 128, { r: 255, g: 255, b: 255 }));
    const inProcess = await createBuiltinGenerator(SMALL).geometry(input({ images: [blank] }));
    const result = await pool().geometry(input({ images: [blank] }));
    expect(result.ok).toBe(false);
    expect(result).toEqual(inProcess);
  });

  it('reports the step’s progress from the worker, rising to 1', async () => {
    const seen: number[] = [];
    glbOf(await pool().geometry(input({ report: (p) => seen.push(p) })));
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.some((p) => p > 0 && p < 1)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(1);
  });

  it('rejects at once when aborted during a CPU loop, terminates that worker and runs the next step on a new one', async () => {
    const generator = pool({ entry: UNRULY, size: 1 });
    const controller = new AbortController();
    const { report, running } = started();
    const hanging = generator.geometry(input({ note: 'hang', signal: controller.signal, report }));
    await running;
    const reason = new Error('the asset was deleted');
    controller.abort(reason);
    const { ms, error } = await settleTime(hanging);
    expect(error).toBe(reason);
    expect(ms).toBeLessThan(500);
    // One worker only: if the spinning one were still there, this step would wait for ever.
    const next = await generator.geometry(input());
    await expectValid(glbOf(next));
  });

  it('stops a real step midway when aborted, and the next step still works', async () => {
    const generator = pool({ size: 1, builtin: {} }); // full-size budgets: a step long enough to abort
    const controller = new AbortController();
    const { report, running } = started();
    const step = generator.geometry(input({ signal: controller.signal, report }));
    await running;
    controller.abort(new Error('shutting down'));
    await expect(step).rejects.toThrow('shutting down');
    const previous = glbOf(await createBuiltinGenerator(SMALL).geometry(input()));
    await expectValid(glbOf(await generator.uv(input({ previous }))));
  });

  it('rejects a step aborted while it waits for a worker, and leaves the running one alone', async () => {
    const generator = pool({ size: 1 });
    const controller = new AbortController();
    const first = generator.geometry(input());
    const queued = generator.geometry(input({ signal: controller.signal }));
    controller.abort(new Error('deleted while queued'));
    await expect(queued).rejects.toThrow('deleted while queued');
    expect((await first).ok).toBe(true);
  });

  it('rejects a step whose signal has already aborted without starting a worker', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(pool().geometry(input({ signal: controller.signal }))).rejects.toThrow('too late');
  });

  it.each(['uncaught', 'exit', 'reject'])('fails the step with a readable reason when the worker crashes (%s), then recovers', async (note) => {
    const errors: [string, unknown][] = [];
    const generator = pool({ entry: UNRULY, size: 1, onUnexpectedError: (step, err) => errors.push([step, err]) });
    const result = await generator.optimise(input({ note }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(GENERIC_REASON);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toBe('optimise');
    expect(errors[0]?.[1]).toBeInstanceOf(Error);
    await expectValid(glbOf(await generator.geometry(input())));
  });

  it('fails the step with a reason about memory when the worker runs out of it, then recovers', async () => {
    const errors: unknown[] = [];
    const generator = pool({
      entry: UNRULY,
      size: 1,
      resourceLimits: { maxOldGenerationSizeMb: 96 },
      onUnexpectedError: (_step, err) => errors.push(err),
    });
    const result = await generator.geometry(input({ note: 'out of memory' }));
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/more memory than the server allows/) });
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_WORKER_OUT_OF_MEMORY' })]);
    await expectValid(glbOf(await generator.geometry(input())));
  });

  it('runs steps side by side up to its size', async () => {
    const generator = pool({ entry: UNRULY, size: 2 });
    const controller = new AbortController();
    const { report, running } = started();
    const hanging = generator.geometry(input({ note: 'hang', signal: controller.signal, report }));
    hanging.catch(() => undefined);
    await running;
    // The second worker takes this step while the first is stuck.
    expect((await generator.geometry(input())).ok).toBe(true);
    controller.abort();
    await expect(hanging).rejects.toThrow();
  });

  it('close() rejects running and waiting steps, and every later one', async () => {
    const generator = pool({ entry: UNRULY, size: 1 });
    const { report, running } = started();
    const hanging = generator.geometry(input({ note: 'hang', report }));
    const waiting = generator.geometry(input());
    const outcomes = Promise.allSettled([hanging, waiting]);
    await running;
    await generator.close();
    const [a, b] = await outcomes;
    expect(a).toEqual({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/closed/) }) });
    expect(b).toEqual(a);
    await expect(generator.geometry(input())).rejects.toThrow(/closed/);
  });

  it.runIf(process.platform === 'linux')('runs steps at a lower CPU priority than the server’s own thread', async () => {
    const lowered = Math.min(19, getPriority() + 10);
    const before = threadNiceValues().filter((n) => n === lowered).length;
    glbOf(await pool().geometry(input()));
    expect(threadNiceValues().filter((n) => n === lowered).length).toBe(before + 1);
  });

  it.runIf(process.platform === 'linux')('stops a worker that stays idle, giving its memory back, and starts a new one for the next step', async () => {
    const before = workerThreadIds();
    const generator = pool({ idleMs: 200 });
    glbOf(await generator.geometry(input()));
    expect(workerThreadIds()).toHaveLength(before.length + 1);
    await vi.waitFor(() => expect(workerThreadIds()).toEqual(before), { timeout: 5000, interval: 50 });
    glbOf(await generator.geometry(input()));
    expect(workerThreadIds()).toHaveLength(before.length + 1);
  });

  it.runIf(process.platform === 'linux')('keeps a worker that gets its next step before the idle time runs out, however long that step runs', async () => {
    // The next step comes well within the idle time and then runs longer than it (a full-size geometry step): the
    // worker must neither be replaced nor be stopped under its step.
    const large = await saveImage(folder.dir, 'large-idle.png', await svgPng(objectSvg({ size: 512 })));
    const generator = pool({ builtin: {}, idleMs: 200 });
    glbOf(await generator.geometry(input()));
    const after = workerThreadIds();
    const t0 = performance.now();
    await expectValid(glbOf(await generator.geometry(input({ images: [large] }))));
    expect(performance.now() - t0).toBeGreaterThan(200); // it outlasted the idle time, as meant
    expect(workerThreadIds()).toEqual(after); // the same thread ran it
  });

  it('keeps the main thread’s event loop responsive during a full-size geometry step', async () => {
    const large = await saveImage(folder.dir, 'large.png', await svgPng(objectSvg({ size: 512 })));
    const generator = pool({ builtin: {} }); // the server's own budgets: 160,000 triangles from a 512 px image
    const previous = glbOf(await createBuiltinGenerator(SMALL).geometry(input()));
    glbOf(await generator.uv(input({ previous }))); // the worker is up
    // How much of the step's wall time the main thread spent working rather than waiting for events. A ratio,
    // not a delay: it does not grow when other work loads the machine (a timed bound here failed under load).
    const before = performance.eventLoopUtilization();
    const result = await generator.geometry(input({ images: [large] }));
    const { utilization } = performance.eventLoopUtilization(before);
    await expectValid(glbOf(result));
    // In-process the same step keeps the loop busy nearly all the time (utilization close to 1).
    expect(utilization).toBeLessThan(0.25);
  });
});
