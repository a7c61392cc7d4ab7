// A step that hangs or throws ends Generation Failed with a reason a person can act on, and Retry runs it again.
import type { StepInput } from '../../../src/server/pipeline/generator';
import { createAsset, makeTestApp, post, waitForAsset, asAsset, type TestApp } from '../helpers/test-app';
import { withGeometry } from './fault-kit';

const GENERIC =
  'Something went wrong while processing this step. Retry it; if it fails again, try other reference images.';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('a step that hangs', () => {
  it('is failed after the step timeout with a plain reason, is told to stop, and Retry then finishes it', async () => {
    const seen: StepInput[] = [];
    const generator = withGeometry((builtin) => (input) => {
      seen.push(input);
      // The first call never settles and ignores its signal, as a stuck external service would.
      return seen.length === 1 ? new Promise(() => undefined) : builtin(input);
    });
    t = await makeTestApp({ generator, stepTimeoutMs: 1_500 });
    const started = Date.now();
    const { id } = await createAsset(t.app);

    const failed = await waitForAsset(t.app, id, 'failed', 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(failed.status.error_message).toBe(
      'This step took longer than 1.5 s and was stopped. Retry it; if it keeps happening, try smaller or simpler reference images.',
    );
    expect(failed.versions).toEqual([]);
    expect(seen[0]?.signal.aborted).toBe(true);

    const retried = await post(t.app, `/api/assets/${id}/retry`);
    expect(retried.statusCode).toBe(200);
    expect(asAsset(retried).status.phase).toBe('processing');
    const done = await waitForAsset(t.app, id, 'for_review', 10_000);
    expect(done.versions).toEqual([expect.objectContaining({ n: 1, step_key: 'geometry', source: 'generated' })]);
    expect(seen).toHaveLength(2);
  });

  it('frees its worker: the next asset in the queue runs after the timeout', async () => {
    let calls = 0;
    const generator = withGeometry((builtin) => (input) => (++calls === 1 ? new Promise(() => undefined) : builtin(input)));
    t = await makeTestApp({ generator, stepTimeoutMs: 1_000, workers: 1 });
    const stuck = await createAsset(t.app, { name: 'Stuck' });
    const next = await createAsset(t.app, { name: 'Next in line' });
    await waitForAsset(t.app, stuck.id, 'failed', 10_000);
    await waitForAsset(t.app, next.id, 'for_review', 10_000);
  });
});

describe('a step that throws', () => {
  it.each([
    ['throws before returning a promise', () => {
      throw new Error('boom at /srv/secret/generator.ts:12');
    }],
    ['rejects', () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'mesh')"))],
    ['rejects with something that is not an Error', () => Promise.reject({ status: 500, body: 'upstream said no' })],
  ])('%s: Generation Failed with a plain reason and no internals; Retry works', async (_label, failOnce) => {
    let calls = 0;
    const generator = withGeometry((builtin) => (input) => (++calls === 1 ? failOnce() : builtin(input)));
    t = await makeTestApp({ generator });
    const { id } = await createAsset(t.app);

    const failed = await waitForAsset(t.app, id, 'failed');
    expect(failed.status.error_message).toBe(GENERIC);

    expect((await post(t.app, `/api/assets/${id}/retry`)).statusCode).toBe(200);
    const done = await waitForAsset(t.app, id, 'for_review');
    expect(done.versions).toHaveLength(1);
    expect(done.status.error_message).toBeUndefined();
  });

  it('a revision whose step throws keeps its note, so Retry re-runs the revision', async () => {
    let calls = 0;
    const generator = withGeometry((builtin) => (input) => (++calls === 2 ? Promise.reject(new Error('flaky')) : builtin(input)));
    t = await makeTestApp({ generator });
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    expect((await post(t.app, `/api/assets/${id}/revisions`, { note: 'make it taller' })).statusCode).toBe(200);
    expect((await waitForAsset(t.app, id, 'failed')).status.error_message).toBe(GENERIC);

    await post(t.app, `/api/assets/${id}/retry`);
    const done = await waitForAsset(t.app, id, 'for_review');
    expect(done.versions.map((v) => [v.source, v.note])).toEqual([
      ['generated', undefined],
      ['revision', 'make it taller'],
    ]);
  });
});
