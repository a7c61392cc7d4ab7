import { createAsset, errorOf, getAsset, makeTestApp, asAsset, multipart, post, waitForAsset, blankPng, type TestApp } from '../helpers/test-app';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

describe('an asset through its stages', () => {
  beforeEach(async () => {
    t = await makeTestApp({ countdownMs: 60_000 });
  });

  it('reaches For Review with a generated version 1 of the first step', async () => {
    const created = await createAsset(t.app);
    const a = await waitForAsset(t.app, created.id, 'for_review');
    expect(a.status.progress).toBeUndefined();
    expect(a.versions).toEqual([
      expect.objectContaining({ n: 1, step_key: 'geometry', source: 'generated' }),
    ]);
    expect(a.versions[0]?.triangles).toBeGreaterThan(1000);
    expect(a.status.updated_at).toBeGreaterThanOrEqual(created.status.updated_at);
  });

  it('approving sets a server-side countdown; Back clears it and the asset stays Approved', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const before = Date.now();
    const approved = asAsset(await post(t.app, `/api/assets/${id}/approve`));
    expect(approved.status.phase).toBe('completed');
    expect(approved.step_index).toBe(0);
    expect(approved.next_step_at).toBeGreaterThanOrEqual(before + 60_000);
    expect(approved.next_step_at).toBeLessThanOrEqual(Date.now() + 60_000);

    const back = await t.app.inject({ method: 'DELETE', url: `/api/assets/${id}/next-step` });
    expect(back.statusCode).toBe(200);
    expect(asAsset(back)).toMatchObject({ next_step_at: null, status: { phase: 'completed' }, step_index: 0 });

    const again = await t.app.inject({ method: 'DELETE', url: `/api/assets/${id}/next-step` });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toEqual({
      code: 'wrong_stage',
      message: 'No countdown is running: the asset is Approved and waits for Process to be clicked.',
    });

    // The button without a number still starts the step.
    const started = asAsset(await post(t.app, `/api/assets/${id}/next-step`));
    expect(started).toMatchObject({ step_index: 1, next_step_at: null, status: { phase: 'processing' } });
    const reviewed = await waitForAsset(t.app, id, 'for_review');
    expect(reviewed.versions.map((v) => v.step_key)).toEqual(['geometry', 'optimise']);
  });

  it('clicking Process during the countdown skips the wait', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    await post(t.app, `/api/assets/${id}/approve`);
    const res = await post(t.app, `/api/assets/${id}/next-step`);
    expect(res.statusCode).toBe(200);
    expect(asAsset(res)).toMatchObject({ step_index: 1, next_step_at: null, status: { phase: 'processing' } });
  });

  it('a revision request re-runs the step and records the note on the new version', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const res = await post(t.app, `/api/assets/${id}/revisions`, { note: '  Make it smoother  ' });
    expect(res.statusCode).toBe(200);
    const processing = asAsset(res);
    expect(processing.status.phase).toBe('processing');
    expect(processing.revisions).toEqual([{ step_key: 'geometry', note: 'Make it smoother', created_at: expect.any(Number) }]);
    const a = await waitForAsset(t.app, id, 'for_review');
    expect(a.step_index).toBe(0);
    expect(a.versions[1]).toMatchObject({ n: 2, step_key: 'geometry', source: 'revision', note: 'Make it smoother' });
  });

  it('keeps the line breaks and tabs of a note as typed', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const note = 'Thicker handle\n\t- keep the hoops\r\nSmoother base';
    const res = await post(t.app, `/api/assets/${id}/revisions`, { note });
    expect(res.statusCode).toBe(200);
    expect(asAsset(res).revisions[0]?.note).toBe(note);
  });

  it.each([
    [{}, 'Note is required'],
    [{ note: '' }, 'Note is required'],
    [{ note: 'x'.repeat(2001) }, 'at most 2000'],
    [{ note: 'ok', urgent: true }, 'Unknown body field: urgent'],
    [{ note: 42 }, 'Note must be text'],
    [{ note: 'Keep the \u202Eroh\u202C hoops' }, 'Note must not contain invisible or control characters (found U+202E)'],
    [{ note: 'Two\u2028lines' }, 'found U+2028'],
    [{ note: 'Bell\u0007' }, 'found U+0007'],
  ])('refuses the revision body %o with 400', async (body, message) => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const res = await post(t.app, `/api/assets/${id}/revisions`, body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain(message);
    expect((await getAsset(t.app, id)).status.phase).toBe('for_review');
  });

  it('an uploaded GLB becomes the current version and the asset stays For Review', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const glb = (await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb` })).rawPayload;
    const body = await multipart({}, [{ field: 'file', bytes: glb, filename: 'fixed.glb', type: 'model/gltf-binary' }]);
    const res = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/versions`, ...body });
    expect(res.statusCode).toBe(200);
    const a = asAsset(res);
    expect(a.status.phase).toBe('for_review');
    expect(a.versions[1]).toMatchObject({ n: 2, step_key: 'geometry', source: 'uploaded', size_bytes: glb.length });
    const served = await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/2/model.glb` });
    expect(Buffer.compare(served.rawPayload, glb)).toBe(0);
  });

  it.each([
    ['a PNG named .glb', async () => blankPng(8), 415, /not a GLB/],
    ['a truncated GLB', async () => null, 422, /./],
  ])('refuses %s and keeps the versions it had', async (_label, make, status, message) => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const glb = (await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb` })).rawPayload;
    const bytes = (await make()) ?? glb.subarray(0, glb.length - 100);
    const body = await multipart({}, [{ field: 'file', bytes, filename: 'model.glb' }]);
    const res = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/versions`, ...body });
    expect(res.statusCode).toBe(status);
    expect(errorOf(res).message).toMatch(message);
    const a = await getAsset(t.app, id);
    expect(a.versions).toHaveLength(1);
    expect(a.status.phase).toBe('for_review');
  });

  it.each([
    ['two files', async (glb: Buffer) => multipart({}, [
      { field: 'file', bytes: glb, filename: 'a.glb' },
      { field: 'file', bytes: glb, filename: 'b.glb' },
    ]), 413, 'Send one model file at a time.'],
    ['a JSON body', async () => ({ payload: JSON.stringify({ file: 'x' }), headers: { 'content-type': 'application/json' } }), 415, 'multipart/form-data'],
    ['a form cut off before it ends', async (glb: Buffer) => {
      const body = await multipart({}, [{ field: 'file', bytes: glb, filename: 'a.glb' }]);
      return { payload: body.payload.subarray(0, 300), headers: body.headers };
    }, 400, 'malformed or was cut off'],
    ['a multipart type without a boundary', async () => ({ payload: 'garbage', headers: { 'content-type': 'multipart/form-data' } }), 400, 'malformed'],
  ])('refuses an upload of %s and keeps what it had', async (_label, make, status, message) => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const glb = (await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb` })).rawPayload;
    const res = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/versions`, ...(await make(glb)) });
    expect(res.statusCode).toBe(status);
    expect(errorOf(res).message).toContain(message);
    expect((await getAsset(t.app, id)).versions).toHaveLength(1);
  });

  it('refuses a model over 64 MB with 413 while it streams', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const big = Buffer.alloc(64 * 1024 * 1024 + 1, 0x20);
    big.write('glTF');
    const body = await multipart({}, [{ field: 'file', bytes: big, filename: 'huge.glb' }]);
    const res = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/versions`, ...body });
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).message).toContain('at most 64 MB');
  });

  it('refuses an upload while the asset is Processing with 409, naming the stage', async () => {
    const { id } = await createAsset(t.app);
    const body = await multipart({}, [{ field: 'file', bytes: Buffer.from('glTF'), filename: 'm.glb' }]);
    const res = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/versions`, ...body });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).message).toBe('Cannot upload a new version: the asset is Processing.');
  });

  it.each([
    ['approve', 'POST', 'approve'],
    ['retry', 'POST', 'retry'],
    ['next-step', 'POST', 'start the next step'],
    ['next-step', 'DELETE', 'cancel the countdown'],
  ] as const)('refuses %s (%s) in the wrong stage with 409 and changes nothing', async (path, method, verb) => {
    const { id } = await createAsset(t.app);
    const before = await waitForAsset(t.app, id, 'for_review');
    if (path === 'approve') await post(t.app, `/api/assets/${id}/approve`); // approving twice is the refused case
    const res = await t.app.inject({ method, url: `/api/assets/${id}/${path}` });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).code).toBe('wrong_stage');
    if (path !== 'approve') {
      expect(errorOf(res).message).toBe(`Cannot ${verb}: the asset is For Review.`);
      expect(await getAsset(t.app, id)).toEqual(before);
    } else {
      expect(errorOf(res).message).toBe('Cannot approve: the asset is Approved.');
    }
  });

  it('refuses a body on an action route', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const res = await post(t.app, `/api/assets/${id}/approve`, { force: true });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('force');
  });

  it('deleting removes the asset and its files', async () => {
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    const res = await t.app.inject({ method: 'DELETE', url: `/api/assets/${id}` });
    expect(res.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${id}/versions/1/model.glb` })).statusCode).toBe(404);
    const { existsSync } = await import('node:fs');
    expect(existsSync(t.files.absolute(`${id}/thumbnail.jpg`))).toBe(false);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/assets/${id}` })).statusCode).toBe(404);
  });

  it('deleting an asset while its step runs aborts the step and leaves no files behind', async () => {
    await t.close();
    let seen: AbortSignal | undefined;
    const { createBuiltinGenerator } = await import('../../../src/server/pipeline/builtin-generator');
    t = await makeTestApp({
      generator: {
        ...createBuiltinGenerator(),
        // A step that only ends when it is told to stop.
        geometry: (input) => {
          seen = input.signal;
          return new Promise((_resolve, reject) => input.signal.addEventListener('abort', () => reject(input.signal.reason)));
        },
      },
    });
    const { id } = await createAsset(t.app);
    await vi.waitFor(() => expect(seen).toBeDefined());
    expect((await t.app.inject({ method: 'DELETE', url: `/api/assets/${id}` })).statusCode).toBe(204);
    await t.app.assets.runner.idle();
    expect(seen?.aborted).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${id}` })).statusCode).toBe(404);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${t.files.root}/${id}`)).toBe(false);
  });

  it('fails the step, instead of leaving it Processing, when the model it builds on is unreadable', async () => {
    const { id } = await createAsset(t.app);
    const first = await waitForAsset(t.app, id, 'for_review');
    const { rmSync } = await import('node:fs');
    rmSync(t.files.absolute(t.repo.version(id, first.versions[0]?.n ?? 1)?.file ?? ''));
    await post(t.app, `/api/assets/${id}/approve`);
    await post(t.app, `/api/assets/${id}/next-step`);
    const failed = await waitForAsset(t.app, id, 'failed');
    expect(failed.step_index).toBe(1);
    expect(failed.status.error_message).toMatch(/Something went wrong while processing this step/);
  });
});

describe('the countdown', () => {
  it('starts the next step by itself when it runs out, with no client polling', async () => {
    t = await makeTestApp({ countdownMs: 150 });
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    await post(t.app, `/api/assets/${id}/approve`);
    await new Promise((r) => setTimeout(r, 400));
    // Read the database directly: no request has nudged the server since approving.
    const row = t.repo.get(id);
    expect(row?.step_index).toBe(1);
    expect(row?.next_step_at).toBeNull();
    expect(['processing', 'for_review']).toContain(row?.phase);
  });

  it('is not started after Back, even once the deadline has passed', async () => {
    t = await makeTestApp({ countdownMs: 150 });
    const { id } = await createAsset(t.app);
    await waitForAsset(t.app, id, 'for_review');
    await post(t.app, `/api/assets/${id}/approve`);
    const back = await t.app.inject({ method: 'DELETE', url: `/api/assets/${id}/next-step` });
    expect(back.statusCode, 'Back must land before the 150 ms countdown runs out').toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect(await getAsset(t.app, id)).toMatchObject({ step_index: 0, next_step_at: null, status: { phase: 'completed' } });
  });
});

describe('failure and retry', () => {
  it('a blank image fails the first step with a reason a person understands; Retry runs it again', async () => {
    t = await makeTestApp();
    const { id } = await createAsset(t.app, { images: [await blankPng()] });
    const failed = await waitForAsset(t.app, id, 'failed');
    expect(failed.status.error_message).toMatch(/blank/i);
    expect(failed.status.progress).toBeUndefined();
    expect(failed.versions).toEqual([]);

    const retried = asAsset(await post(t.app, `/api/assets/${id}/retry`));
    expect(retried.status).toEqual({ phase: 'processing', updated_at: expect.any(Number), progress: 0 });
    const again = await waitForAsset(t.app, id, 'failed');
    expect(again.status.error_message).toBe(failed.status.error_message);
  });

  it('a step that hangs is failed after the timeout, and Retry works', async () => {
    const { createBuiltinGenerator } = await import('../../../src/server/pipeline/builtin-generator');
    const real = createBuiltinGenerator();
    let hang = true;
    t = await makeTestApp({
      stepTimeoutMs: 300,
      generator: {
        ...real,
        geometry: (input) => (hang ? new Promise(() => undefined) : real.geometry(input)),
      },
    });
    const { id } = await createAsset(t.app);
    const failed = await waitForAsset(t.app, id, 'failed');
    expect(failed.status.error_message).toMatch(/took longer than/);
    hang = false;
    await post(t.app, `/api/assets/${id}/retry`);
    const ok = await waitForAsset(t.app, id, 'for_review');
    expect(ok.versions).toHaveLength(1);
  });

  it('a step that throws fails with a generic reason and reveals no internals', async () => {
    const { createBuiltinGenerator } = await import('../../../src/server/pipeline/builtin-generator');
    t = await makeTestApp({
      generator: {
        ...createBuiltinGenerator(),
        geometry: async () => {
          throw new Error('ENOSPC /secret/path/db.sqlite');
        },
      },
    });
    const { id } = await createAsset(t.app);
    const failed = await waitForAsset(t.app, id, 'failed');
    expect(failed.status.error_message).toMatch(/Something went wrong while processing this step/);
    expect(failed.status.error_message).not.toContain('secret');
  });
});

describe('the whole pipeline', () => {
  it('goes from upload through all five steps to Completed, and has no next step', async () => {
    t = await makeTestApp({ countdownMs: 60_000 });
    const { id } = await createAsset(t.app, { polycount: '800' });
    for (let step = 0; step < 5; step++) {
      const a = await waitForAsset(t.app, id, 'for_review');
      expect(a.step_index).toBe(step);
      const approved = asAsset(await post(t.app, `/api/assets/${id}/approve`));
      expect(approved.status.phase).toBe('completed');
      if (step < 4) {
        expect(approved.next_step_at).not.toBeNull();
        await post(t.app, `/api/assets/${id}/next-step`);
      } else {
        expect(approved.next_step_at).toBeNull();
      }
    }
    const done = await getAsset(t.app, id);
    expect(done.versions.map((v) => v.step_key)).toEqual(['geometry', 'optimise', 'uv', 'texture', 'lod']);
    expect(done.versions[1]?.triangles).toBeLessThanOrEqual(800);
    const next = await post(t.app, `/api/assets/${id}/next-step`);
    expect(next.statusCode).toBe(409);
    expect(errorOf(next).message).toMatch(/finished every step/);
  });
});
