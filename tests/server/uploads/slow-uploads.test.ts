// Slow, stalled and excess uploads against a real listening server (app.inject() would bypass Node's own
// timeouts): one sender, however slow, must not hold up anyone else's upload.
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorBodySchema } from '../../../src/contract/api';
import type { AppDeps } from '../../../src/server/app';
import {
  createAsset,
  makeTestApp,
  multipart,
  signedInAs,
  waitForAsset,
  type Credentials,
  type TestApp,
} from '../helpers/test-app';
import { boxGlb } from '../helpers/images';
import { after, assetForm, rawRequest, type RawAnswer, type RawRequest } from './raw-upload';

let t: TestApp | undefined;
let port = 0;
const open: RawRequest[] = [];
const sockets: net.Socket[] = [];

async function start(o: Partial<AppDeps> & { signIn?: boolean }): Promise<TestApp> {
  t = await makeTestApp(o);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
  return t;
}

afterEach(async () => {
  for (const r of open.splice(0)) r.destroy();
  for (const s of sockets.splice(0)) s.destroy();
  await t?.close();
  t = undefined;
});

/** An upload whose headers are sent now and whose body waits for send()/trickle(). */
async function upload(who: Credentials = {}, path = '/api/assets'): Promise<RawRequest> {
  const form = await assetForm();
  const r = rawRequest(port, { path, headers: { ...form.headers, ...who }, body: form.body });
  open.push(r);
  return r;
}

/** A whole upload through fetch, as a browser sends it; null when no answer came within `ms`. */
async function normalUpload(who: Credentials, ms: number): Promise<{ status: number; ms: number } | null> {
  const form = await assetForm('Normal vase');
  const started = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/assets`, {
      method: 'POST',
      headers: { ...form.headers, ...who },
      body: new Uint8Array(form.body),
      signal: AbortSignal.timeout(ms),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return null;
  }
}

/** The answer if one came within `ms`, else null. */
const answerWithin = (r: RawRequest, ms: number): Promise<RawAnswer | null> => Promise.race([r.answer, after(ms, null)]);

function errorIn(a: RawAnswer | null): { code: string; message: string } | undefined {
  return a ? ErrorBodySchema.parse(JSON.parse(a.body)).error : undefined;
}

describe('slow uploads', () => {
  it("one editor's four uploads trickling a byte every 200 ms do not hold up another's normal upload", async () => {
    const app = await start({ signIn: true, uploadLimits: { idleMs: 2_000 } });
    const a = await signedInAs(app, 'editor', 'a@studio.example');
    const c = await signedInAs(app, 'editor', 'c@studio.example');
    const tricklers = await Promise.all([upload(a), upload(a), upload(a), upload(a)]);
    for (const r of tricklers) {
      r.send(64);
      r.trickle(200);
    }
    await sleep(400); // all four have started their bodies

    const res = await normalUpload(c, 5_000);
    expect(res?.status).toBe(201);
    expect(res?.ms).toBeLessThan(5_000);
    // The tricklers are still sending, and none of them was answered: slow is allowed, it just waits for itself.
    for (const r of tricklers) {
      expect(r.left()).toBeGreaterThan(0);
      expect(await answerWithin(r, 0)).toBeNull();
    }
  }, 20_000);

  it('answers a body that stops arriving with 408 within the idle timeout and closes the connection', async () => {
    await start({ uploadLimits: { idleMs: 300 } });
    // A body that pauses for less than the idle timeout between chunks is taken.
    const steady = await upload();
    steady.send(64);
    steady.trickle(100, 512);
    expect((await answerWithin(steady, 5_000))?.status).toBe(201);

    const stalled = await upload();
    stalled.send(200);
    const answer = await answerWithin(stalled, 3_000);
    expect(answer?.status).toBe(408);
    expect(errorIn(answer)).toEqual({ code: 'timeout', message: expect.stringContaining('stopped arriving') as string });
    expect(answer?.ms).toBeGreaterThanOrEqual(250);
    expect(answer?.ms).toBeLessThan(2_000);
    expect(await Promise.race([stalled.closed, after(1_000, -1)])).toBeGreaterThan(0);

    // The same on the model upload route, and its place is given back: a second try is not refused as too many.
    const asset = await createAsset((t as TestApp).app);
    await waitForAsset((t as TestApp).app, asset.id, 'for_review');
    const glb = await multipart({}, [{ field: 'file', bytes: await boxGlb(), filename: 'mine.glb', type: 'model/gltf-binary' }]);
    for (let i = 0; i < 3; i++) {
      const model = rawRequest(port, { path: `/api/assets/${asset.id}/versions`, headers: glb.headers, body: glb.payload });
      open.push(model);
      model.send(100);
      expect((await answerWithin(model, 3_000))?.status).toBe(408);
    }
  }, 20_000);

  it('cuts off a request that is still arriving after requestTimeout, and headers that are still arriving after headersTimeout', async () => {
    await start({ uploadLimits: { idleMs: 60_000 }, requestTimeouts: { requestMs: 1_000, headersMs: 500 } });
    const slow = await upload();
    slow.send(64);
    slow.trickle(100); // never idle, just slow
    const answer = await answerWithin(slow, 4_000);
    expect(answer?.status).toBe(408);
    expect(errorIn(answer)?.code).toBe('timeout');
    expect(answer?.ms).toBeGreaterThanOrEqual(950);
    expect(await Promise.race([slow.closed, after(1_000, -1)])).toBeGreaterThan(0);

    // Headers that never finish: the connection is answered and closed too.
    const started = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const reply = await Promise.race([
      new Promise<string>((resolve) => {
        let got = '';
        socket.on('data', (d: Buffer) => (got += d.toString()));
        socket.on('close', () => resolve(got));
      }),
      after(4_000, null),
    ]);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeLessThan(3_000);
  }, 20_000);
});

describe('stopping the server', () => {
  it('answers an upload still trickling in after the stop grace with 503 instead of waiting for it to finish', async () => {
    const app = await start({ uploadLimits: { idleMs: 60_000, stopGraceMs: 500 } });
    const [slow, finishing] = await Promise.all([upload(), upload()]);
    for (const r of [slow, finishing]) {
      r.send(64);
      r.trickle(100);
    }
    await sleep(300);
    const closing = app.app.close().then(() => true);
    // One upload sends the rest of its body within the grace, and is taken.
    await sleep(200);
    finishing.stop();
    finishing.send();
    expect((await answerWithin(finishing, 2_000))?.status).toBe(201);
    finishing.destroy(); // a kept-alive connection is main.ts's to close, not this test's subject

    expect(await Promise.race([closing, after(3_000, false)])).toBe(true);
    const answer = await answerWithin(slow, 1_000);
    expect(answer?.status).toBe(503);
    expect(errorIn(answer)).toEqual({ code: 'unavailable', message: expect.stringContaining('restarting') as string });
  }, 20_000);
});

describe('upload caps', () => {
  it('gives a fifth concurrent upload from one person a 429 with Retry-After before reading its body, while another person uploads', async () => {
    const app = await start({ signIn: true, uploadLimits: { idleMs: 5_000 } });
    const a = await signedInAs(app, 'editor', 'a@studio.example');
    const b = await signedInAs(app, 'editor', 'b@studio.example');
    const held = await Promise.all([upload(a), upload(a), upload(a), upload(a)]);
    for (const r of held) {
      r.send(64);
      r.trickle(200);
    }
    await sleep(300);

    // The fifth and sixth: headers only, no body at all; each is answered at once and its connection closed.
    for (let i = 0; i < 2; i++) {
      const extra = await upload(a);
      const answer = await answerWithin(extra, 2_000);
      expect(answer?.status).toBe(429);
      expect(answer?.headers['retry-after']).toBe('10');
      expect(errorIn(answer)).toEqual({ code: 'rate_limited', message: expect.stringContaining('4 uploads in progress') as string });
      expect(await Promise.race([extra.closed, after(1_000, -1)])).toBeGreaterThan(0);
    }
    expect((await normalUpload(b, 5_000))?.status).toBe(201);

    // Once one of the first four has finished, the person may upload again.
    held[0]?.stop();
    held[0]?.send();
    expect((await answerWithin(held[0] as RawRequest, 5_000))?.status).toBe(201);
    expect((await normalUpload(a, 5_000))?.status).toBe(201);
  }, 20_000);

  it('refuses an upload with 503 and Retry-After when the server has its limit of uploads in flight', async () => {
    const app = await start({ signIn: true, uploadLimits: { idleMs: 5_000, inFlight: 2 } });
    const users = await Promise.all(['a', 'b', 'c'].map((n) => signedInAs(app, 'editor', `${n}@studio.example`)));
    for (const who of users.slice(0, 2)) {
      const r = await upload(who);
      r.send(64);
      r.trickle(200);
    }
    await sleep(300);
    const third = await upload(users[2]);
    const answer = await answerWithin(third, 2_000);
    expect(answer?.status).toBe(503);
    expect(answer?.headers['retry-after']).toBe('10');
    expect(errorIn(answer)?.code).toBe('unavailable');
  }, 20_000);

  it('holds one person to their share of upload memory (429), so their slow bodies cannot turn everyone else away', async () => {
    const size = (await assetForm()).body.length;
    // Room for three bodies in all, one and a half for one person.
    const app = await start({ signIn: true, uploadLimits: { idleMs: 5_000, heldBytes: 3 * size, heldBytesPerUser: Math.floor(1.5 * size) } });
    const a = await signedInAs(app, 'editor', 'a@studio.example');
    const b = await signedInAs(app, 'editor', 'b@studio.example');
    const first = await upload(a);
    first.send(size - 200);
    first.trickle(300);
    const second = await upload(a);
    second.send(size - 200);
    const answer = await answerWithin(second, 3_000);
    expect(answer?.status).toBe(429);
    expect(answer?.headers['retry-after']).toBe('10');
    expect(errorIn(answer)).toEqual({ code: 'rate_limited', message: expect.stringContaining('as much as one person may') as string });
    // Another person's upload still fits.
    expect((await normalUpload(b, 5_000))?.status).toBe(201);
  }, 20_000);

  it('refuses an upload with 503 when its bytes would take the memory held for uploads past its bound', async () => {
    await start({ uploadLimits: { heldBytes: 1_000 } });
    const r = await upload();
    r.send();
    const answer = await answerWithin(r, 3_000);
    expect(answer?.status).toBe(503);
    expect(answer?.headers['retry-after']).toBe('10');
    expect(errorIn(answer)).toEqual({ code: 'unavailable', message: expect.stringContaining('busy') as string });
  }, 20_000);
});
