import { LIMITS } from '../../../src/contract/api';
import { asAsset, blankPng, createAsset, errorOf, makeTestApp, multipart, objectPng, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(async () => {
  await t.close();
});

async function postForm(fields: Record<string, string>, files: { bytes: Uint8Array; filename?: string; field?: string; type?: string }[]) {
  const body = await multipart(
    fields,
    files.map((f, i) => ({ field: f.field ?? 'images', bytes: f.bytes, filename: f.filename ?? `img-${i}.png`, ...(f.type ? { type: f.type } : {}) })),
  );
  return t.app.inject({ method: 'POST', url: '/api/assets', ...body });
}

const assetCount = () => (t.db.prepare('SELECT COUNT(*) AS n FROM assets').get() as { n: number }).n;

describe('POST /api/assets', () => {
  it('creates an asset in Processing on the first step, with a thumbnail', async () => {
    const png = await objectPng();
    const res = await postForm({ name: '  Ceramic vase  ', polycount: '5000' }, [{ bytes: png }, { bytes: png }]);
    expect(res.statusCode).toBe(201);
    const a = asAsset(res);
    expect(res.headers.location).toBe(`/api/assets/${a.id}`);
    expect(a.name).toBe('Ceramic vase');
    expect(a.polycount).toBe(5000);
    expect(a.step_index).toBe(0);
    expect(a.pipeline.map((s) => s.label)).toEqual([
      'High Poly Geometry',
      'Optimised Geometry',
      'UV Unwrapping',
      'Texturing',
      'LODs',
    ]);
    expect(a.status.phase).toBe('processing');
    expect(a.status.progress).toBe(0);
    expect(a.next_step_at).toBeNull();
    expect(a.versions).toEqual([]);
    const thumb = await t.app.inject({ method: 'GET', url: a.thumbnail_url ?? '' });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect(thumb.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('accepts JPEG as well as PNG, judged by content', async () => {
    const sharp = (await import('sharp')).default;
    const jpeg = await sharp(await objectPng()).flatten({ background: '#fff' }).jpeg().toBuffer();
    const res = await postForm({ name: 'Mug' }, [{ bytes: jpeg, filename: 'photo.png' }]);
    expect(res.statusCode).toBe(201);
  });

  it.each([
    [{}, 'Name is required'],
    [{ name: '   ' }, 'Name is required'],
    [{ name: 'x'.repeat(LIMITS.nameMax + 1) }, 'at most 120'],
    [{ name: 'x'.repeat(20_000) }, 'The field name is too long'],
    [{ name: 'ok', polycount: 'lots' }, 'whole number'],
    [{ name: 'ok', polycount: '5' }, 'at least 100'],
    [{ name: 'ok', colour: 'red' }, 'Unknown field: colour'],
    [{ name: 'bad\u0007name' }, 'invisible or control characters (found U+0007)'],
    // Names that lie: a right-to-left override shows "gnp.exe" as "exe.png"; a zero-width space hides inside a word.
    [{ name: '\u202Egnp.exe' }, 'Name must not contain invisible or control characters (found U+202E)'],
    [{ name: 'Va\u200Bse' }, 'found U+200B'],
    [{ name: 'ad\u200Dmin' }, 'found U+200D'],
    [{ name: 'Vase\u2028Lamp' }, 'found U+2028'],
    [{ name: 'Va\u2029se' }, 'found U+2029'],
    [{ name: '\u2066Vase\u2069' }, 'found U+2066'],
  ])('refuses the form %o with 400 and a message saying why', async (fields, message) => {
    const res = await postForm(fields as Record<string, string>, [{ bytes: await objectPng() }]);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('bad_request');
    expect(errorOf(res).message).toContain(message);
    expect(assetCount()).toBe(0);
  });

  it.each([
    ['Persian with a zero-width non-joiner', 'گلدان\u200Cها'],
    ['Hindi with a joiner', 'क्\u200Dष'],
    ['an emoji sequence', 'Mechanic 👩\u200D🔧 figure'],
    ['accents and CJK', 'Café 花瓶'],
  ])('accepts %s and stores the name as typed', async (_label, name) => {
    const res = await postForm({ name }, [{ bytes: await objectPng() }]);
    expect(res.statusCode).toBe(201);
    expect((res.json() as { name: string }).name).toBe(name);
  });

  it('refuses a form without images', async () => {
    const res = await postForm({ name: 'Nothing' }, []);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toMatch(/at least one image/);
  });

  it('refuses more than six images with 413', async () => {
    const png = await objectPng(48);
    const res = await postForm({ name: 'Many' }, Array.from({ length: 7 }, () => ({ bytes: png })));
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).message).toMatch(/at most 6 images/);
    expect(assetCount()).toBe(0);
  });

  it('quotes a file name back without its hidden characters', async () => {
    const res = await postForm({ name: 'Lamp' }, [{ bytes: Buffer.from('not an image'), filename: '\u202Egnp.exe\u200B' }]);
    expect(res.statusCode).toBe(415);
    expect(errorOf(res).message).toBe('“gnp.exe” is not a PNG or JPEG image.');
  });

  it('refuses an image over 10 MB with 413 while streaming', async () => {
    const big = Buffer.alloc(LIMITS.imageBytesMax + 1024, 0);
    (await objectPng()).copy(big);
    const res = await postForm({ name: 'Huge' }, [{ bytes: big, filename: 'huge.png' }]);
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).message).toContain('huge.png');
  });

  it('refuses a file whose name lies about its content with 415', async () => {
    const res = await postForm({ name: 'Liar' }, [{ bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), filename: 'shape.png', type: 'image/png' }]);
    expect(res.statusCode).toBe(415);
    expect(errorOf(res).code).toBe('unsupported_type');
    expect(errorOf(res).message).toContain('shape.png');
  });

  it('refuses a truncated PNG with 422 and stores nothing', async () => {
    const png = await objectPng(200);
    const res = await postForm({ name: 'Broken' }, [{ bytes: png.subarray(0, Math.floor(png.length / 2)), filename: 'cut.png' }]);
    expect(res.statusCode).toBe(422);
    expect(errorOf(res).message).toMatch(/damaged|truncated/);
    expect(assetCount()).toBe(0);
  });

  it('refuses an image whose declared size is absurd (a decompression bomb) with 422', async () => {
    // A 100-byte PNG that declares 20000×20000 pixels: refused from its header, never decoded.
    const res = await postForm({ name: 'Bomb' }, [{ bytes: pngDeclaring(20_000, 20_000), filename: 'bomb.png' }]);
    expect(res.statusCode).toBe(422);
    expect(errorOf(res).message).toContain('20000×20000');
    expect(assetCount()).toBe(0);
  });

  it('refuses a JSON body with 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/assets', payload: { name: 'x' } });
    expect(res.statusCode).toBe(415);
  });

  it('keeps earlier assets when a later upload is refused', async () => {
    const first = await createAsset(t.app, { name: 'Keep me' });
    await postForm({ name: 'Broken' }, [{ bytes: Buffer.from('nope') }]);
    const list = await t.app.inject({ method: 'GET', url: '/api/assets' });
    expect((list.json() as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([first.id]);
  });

  it('accepts a blank image: the generator, not the upload, judges whether there is an object', async () => {
    const res = await postForm({ name: 'Blank' }, [{ bytes: await blankPng() }]);
    expect(res.statusCode).toBe(201);
  });
});

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
