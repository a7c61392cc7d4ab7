// Model checks run in a worker: the request thread only waits. A check that hangs or needs too much memory fails
// with a reason a person can act on, and the next check gets a fresh worker.
import { performance } from 'node:perf_hooks';
import { checkGlb } from '../../../src/server/models/glb-check';
import { createModelChecker, type ModelChecker } from '../../../src/server/models/model-checker';
import { gridGlb } from '../exports/big-model';
import { boxGlb } from '../helpers/images';
import { chunks, glbFrom, instancingBomb } from '../helpers/model-bombs';

let checker: ModelChecker | undefined;
afterEach(async () => {
  await checker?.close();
  checker = undefined;
});

describe('the model checker', () => {
  it('answers exactly as checkGlb does, for a good model and for a bomb', async () => {
    checker = createModelChecker();
    const box = await boxGlb(2);
    const bomb = await instancingBomb(20_000, 1_000);
    expect(await checker.check(box)).toEqual(await checkGlb(box));
    expect(await checker.check(bomb)).toEqual(await checkGlb(bomb));
    expect(await checker.check(new Uint8Array([1, 2, 3]))).toEqual(await checkGlb(new Uint8Array([1, 2, 3])));
    expect(await checker.stats(box)).toEqual({ triangles: 48, overLimit: null });
    expect((await checker.stats(bomb)).overLimit).toMatch(/20,000 nodes/);
  });

  it('leaves the main thread free while it reads a hostile model (20,000 nodes) and a 56 MB one', async () => {
    checker = createModelChecker();
    await checker.check(await boxGlb(1)); // the worker is up
    const bomb = await instancingBomb(20_000, 1_000);
    const big = await gridGlb(1000);
    // A ratio, not a delay: how much of the checks' wall time the main thread spent working (it does not grow when
    // other work loads the machine). Checked in-process, the same two models keep it busy most of the time.
    const before = performance.eventLoopUtilization();
    const results = await Promise.all([checker.check(bomb), checker.check(big)]);
    const { utilization } = performance.eventLoopUtilization(before);
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(utilization).toBeLessThan(0.25);
  });

  it('fails a check that outlasts its time with a reason, and the next check works', async () => {
    checker = createModelChecker({ timeoutMs: 300, entry: new URL('./silent-check-worker.ts', import.meta.url) });
    const started = Date.now();
    expect(await checker.check(await boxGlb(1))).toEqual({
      ok: false,
      reason: 'Checking the model took longer than 0.3 seconds. Simplify it and upload it again.',
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await checker.stats(await boxGlb(1))).overLimit).toMatch(/took longer than/);
  });

  it('fails a check that runs out of memory with a reason, and the next one gets a fresh worker', async () => {
    // A model that is mostly JSON (300,000 materials, 21 MB): valid glTF, but its parsed JSON outgrows a 64 MB heap.
    const { json, bin } = chunks(await boxGlb(1));
    json['materials'] = Array.from({ length: 300_000 }, (_, i) => ({ name: `m${i}`, pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1] } }));
    checker = createModelChecker({ resourceLimits: { maxOldGenerationSizeMb: 64 } });
    expect(await checker.check(glbFrom(json, bin))).toEqual({
      ok: false,
      reason: 'The model needed more memory than the server allows for checking one model. Simplify it or reduce its textures, and upload it again.',
    });
    expect(await checker.check(await boxGlb(1))).toEqual({ ok: true, triangles: 12 });
  });
});
