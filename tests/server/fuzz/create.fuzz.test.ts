// Fuzzes POST /api/assets: forms with wrong, missing, extra and repeated fields, huge and hostile text, too many
// files, files whose name and Content-Type lie about their content, truncated PNG/JPEG, images declaring absurd
// sizes (decompression bombs), and malformed or cut-off multipart. Each answer is the exact status the contract
// gives; only a fully valid form creates an asset, with its name stored verbatim.
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { CreateAssetFieldsSchema, LIMITS } from '../../../src/contract/api';
import { AssetSchema } from '../../../src/contract/asset';
import { objectPng } from '../helpers/test-app';
import { ATTACK_STRINGS, makeHarness, multipartBody, nastyString, runs, toWellFormed, type Harness, type Part } from './fuzz-kit';

let h: Harness;
/** Image kinds by name, made once. */
const images: Record<string, Buffer> = {};

beforeAll(async () => {
  h = await makeHarness();
  const png = await objectPng(64);
  const jpeg = await sharp(png).flatten({ background: '#ffffff' }).jpeg().toBuffer();
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  // The IHDR chunk's CRC flipped.
  const badCrc = Buffer.from(png);
  const crcAt = badCrc.indexOf('IHDR') + 4 + 13;
  badCrc.writeUInt8(badCrc.readUInt8(crcAt) ^ 0xff, crcAt);
  Object.assign(images, {
    png,
    jpeg,
    tinyPng: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer(),
    gif: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer(),
    webp: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).webp().toBuffer(),
    // A JPEG with stray bytes before its scan: decodable, but libjpeg warns, and every later reader refuses it.
    corruptJpeg: Buffer.concat([jpeg.subarray(0, sos), Buffer.from([1, 2, 3, 4]), jpeg.subarray(sos)]),
    badCrcPng: badCrc,
    pngTrailing: Buffer.concat([png, Buffer.from('<script>alert(1)</script>')]),
    jpegBomb: jpegWithSize(jpeg, 65_500, 65_500),
  });
});
afterAll(async () => {
  h.report('create');
  await h.close();
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-made images.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const byte of b) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A well-formed PNG header declaring `width` × `height` RGBA pixels, with one tiny compressed row of data. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width >>> 0, 0);
  ihdr.writeUInt32BE(height >>> 0, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The JPEG with its frame header (SOF0) rewritten to declare another size. */
function jpegWithSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  const sof = out.indexOf(Buffer.from([0xff, 0xc0]));
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out;
}

interface ImageKind {
  name: string;
  bytes: () => Buffer;
  /** 'ok' when the image is accepted; otherwise the status that refuses it. */
  outcome: 'ok' | 415 | 422;
}

const img = (name: string, outcome: ImageKind['outcome']): ImageKind => ({ name, bytes: () => images[name] as Buffer, outcome });

const imageKind: fc.Arbitrary<ImageKind> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(img('png', 'ok'), img('jpeg', 'ok'), img('tinyPng', 'ok'), img('pngTrailing', 'ok')) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      img('gif', 415),
      img('webp', 415),
      { name: 'svg', bytes: () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), outcome: 415 },
      { name: 'html', bytes: () => Buffer.from('<!doctype html><img src=x onerror=alert(1)>'), outcome: 415 },
      { name: 'pdf', bytes: () => Buffer.from('%PDF-1.7\n'), outcome: 415 },
      { name: 'empty', bytes: () => Buffer.alloc(0), outcome: 415 },
      { name: 'glb', bytes: () => Buffer.from(h.glb), outcome: 415 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => {
      const buf = Buffer.from(b);
      const magic = buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) || (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff);
      return { name: 'random bytes', bytes: () => buf, outcome: magic ? 422 : 415 } as ImageKind;
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('png', 'jpeg'), fc.uint8Array({ minLength: 0, maxLength: 100 }))
      .map(([kind, tail]) => ({
        name: `${kind} magic + ${tail.length} random bytes`,
        bytes: () => Buffer.concat([kind === 'png' ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) : Buffer.from([0xff, 0xd8, 0xff]), tail]),
        outcome: 422 as const,
      })),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom('png', 'jpeg'), fc.nat()).map(([kind, n]): ImageKind => {
      const full = () => images[kind] as Buffer;
      return {
        name: `${kind} cut`,
        bytes: () => full().subarray(0, n % full().length),
        // Cut before its magic ends, it is no image at all; a PNG that loses only its IEND chunk is still whole.
        outcome: (() => {
          const len = full().length;
          const cut = n % len;
          if (kind === 'png') return cut < 8 ? 415 : cut < len - 12 ? 422 : 'ok';
          return cut < 3 ? 415 : 422;
        })(),
      };
    }),
  },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom(img('corruptJpeg', 422), img('badCrcPng', 422), img('jpegBomb', 422)),
      // Declared sizes: past the pixel limit (decompression bombs), zero, or absurd.
      fc
        .tuple(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 0, max: 0x7fffffff }))
        .filter(([w, hgt]) => w * hgt > LIMITS.imagePixelsMax || w === 0 || hgt === 0)
        .map(([w, hgt]) => ({ name: `PNG declaring ${w}×${hgt}`, bytes: () => pngDeclaring(w, hgt), outcome: 422 as const })),
      fc.constantFrom([100_000, 100_000], [50_000_001, 1], [1, 50_000_001], [7072, 7072], [2 ** 31 - 1, 2 ** 31 - 1]).map(([w, hgt]) => ({
        name: `PNG declaring ${w}×${hgt}`,
        bytes: () => pngDeclaring(w as number, hgt as number),
        outcome: 422 as const,
      })),
      // Within the pixel limit, but the data is one tiny row: truncated, so refused all the same.
      fc.constant({ name: 'PNG declaring 64×64 with too little data', bytes: () => pngDeclaring(64, 64), outcome: 422 as const }),
    ),
  },
);

// ---------------------------------------------------------------------------------------------------------------
// The form.

/** Names: fine ones, and every way to miss (empty, blank, too long, control characters, the wrong type of part). */
const nameValue = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
  { weight: 4, arbitrary: nastyString({ minLength: 1, maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '   ',
      '\u00a0',
      'a'.repeat(LIMITS.nameMax),
      ` ${'b'.repeat(LIMITS.nameMax)} `,
      'c'.repeat(LIMITS.nameMax + 1),
      'd'.repeat(16 * 1024 + 1),
      'Vase\u0000',
      'Tab\there',
      'Line\nbreak',
      '\u200b',
      '\u202eesav',
      'Vase 😀 花瓶',
    ),
  },
);

const polycountValue = fc.oneof(
  fc.integer({ min: LIMITS.polycountMin, max: LIMITS.polycountMax }).map(String),
  fc.constantFrom('99', '1000001', '0', '-500', '1e3', '500.0', ' 500', '500 ', '0x200', '٥٠٠', '', '9'.repeat(10), 'NaN', '00500'),
);

type TextPart = Part & { filename?: undefined };

const partialPart: fc.Arbitrary<Part> = fc.oneof(
  { weight: 6, arbitrary: nameValue.map((v): TextPart => ({ field: 'name', bytes: v })) },
  { weight: 2, arbitrary: polycountValue.map((v): TextPart => ({ field: 'polycount', bytes: v })) },
  {
    weight: 8,
    arbitrary: fc
      .tuple(imageKind, fc.oneof(fc.constantFrom('view.png', 'photo.jpg', 'model.glb', '', '../../etc/passwd', '/etc/passwd', 'C:\\x.png', 'a.png\u0000.exe'), nastyString({ maxLength: 20 })), fc.constantFrom('image/png', 'image/jpeg', 'image/gif', 'text/html', 'application/octet-stream', 'application/json', ''))
      .map(([kind, filename, type]): Part & { kind: ImageKind } => ({ field: 'images', filename, type: type || 'application/octet-stream', bytes: Buffer.alloc(0), kind })),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      // Unknown fields, text for a file field and a file for a text field.
      fc.tuple(fc.oneof(fc.constantFrom('description', 'image', 'Name', 'id', 'status', '__proto__', 'constructor', 'toString', ''), nastyString({ minLength: 1, maxLength: 8 })), fc.string()).map(([field, v]): Part => ({ field, bytes: v })),
      fc.constant<Part>({ field: 'images', bytes: 'not a file' }),
      fc.constantFrom('name', 'polycount', 'thumbnail').map((field): Part => ({ field, filename: 'x.png', type: 'image/png', bytes: 'x' })),
      // A name sent as a JSON part (the plugin would parse it): refused, never stored as "[object Object]".
      fc.constantFrom('{"a":1}', '"Vase"', '123', '[1]', '{').map((v): Part => ({ field: 'name', type: 'application/json', bytes: v })),
    ),
  },
);

/** The bytes a file part carries, filled in from its kind when the request is built. */
function materialise(parts: Part[]): Part[] {
  return parts.map((p) => ('kind' in p ? { ...p, bytes: (p as Part & { kind: ImageKind }).kind.bytes() } : p));
}

/** Most forms have a name first and 1–3 images; others anything in any order. */
const form = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(nameValue, fc.option(polycountValue, { nil: undefined }), fc.array(partialPart.filter((p) => p.field === 'images' && p.filename !== undefined), { minLength: 1, maxLength: 3 }))
      .map(([name, polycount, files]): Part[] => [{ field: 'name', bytes: name }, ...(polycount !== undefined ? [{ field: 'polycount', bytes: polycount }] : []), ...files]),
  },
  { weight: 2, arbitrary: fc.array(partialPart, { maxLength: 9 }) },
);

const MAGIC_FIELDS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The exact answer to a well-formed multipart body with these parts, and the asset it would create. */
function expected(parts: readonly Part[]): { status: number; name?: string; polycount?: number | null } {
  let files = 0;
  const fields: Record<string, string> = {};
  const kinds: ImageKind[] = [];
  for (const p of parts) {
    const field = toWellFormed(p.field);
    if (p.filename !== undefined) {
      if (++files > LIMITS.imagesMax) return { status: 413 };
      if (field !== 'images') return { status: 400 };
      kinds.push((p as Part & { kind: ImageKind }).kind);
    } else {
      if (MAGIC_FIELDS.has(field) || !['name', 'polycount'].includes(field) || field in fields) return { status: 400 };
      const text = typeof p.bytes === 'string' ? p.bytes : '';
      if (Buffer.byteLength(toWellFormed(text)) > 16 * 1024 || p.type === 'application/json') return { status: 400 };
      fields[field] = toWellFormed(text);
    }
  }
  const parsed = CreateAssetFieldsSchema.safeParse(fields);
  if (!parsed.success) return { status: 400 };
  if (kinds.length === 0) return { status: 400 };
  for (const k of kinds) if (k.outcome !== 'ok') return { status: k.outcome };
  return { status: 201, name: parsed.data.name, polycount: parsed.data.polycount ?? null };
}

async function create(label: string, parts: Part[], query = '') {
  const want = query ? { status: 400 } : expected(parts);
  const body = multipartBody(materialise(parts));
  return h.send(label, { method: 'POST', url: `/api/assets${query}`, headers: { 'content-type': body.contentType }, payload: body.payload }, {
    status: want.status,
    mutates: true,
    check(res) {
      const a = AssetSchema.parse(res.json());
      expect(a.name).toBe(want.name);
      expect(a.polycount).toBe(want.polycount);
      expect(a.status.phase).toBe('processing');
      expect(res.headers.location).toBe(`/api/assets/${a.id}`);
      expect(h.t.repo.images(a.id)).toHaveLength(parts.filter((p) => p.filename !== undefined).length);
    },
  });
}

describe('POST /api/assets', () => {
  it('creates an asset only from a fully valid form, and refuses everything else with its exact status', async () => {
    await fc.assert(
      fc.asyncProperty(form, fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('?x=1', '?name=a') }), async (parts, query) => {
        await create('POST /assets', parts, query);
      }),
      runs(350),
    );
  });

  it('refuses bodies that are not well-formed multipart, or not multipart at all', async () => {
    const valid = () => multipartBody([{ field: 'name', bytes: 'Vase' }, { field: 'images', filename: 'v.png', type: 'image/png', bytes: images['png'] as Buffer }]);
    const cases = fc.oneof(
      fc.constantFrom(
        { type: 'application/json', payload: () => '{"name":"Vase"}', status: 415 },
        { type: 'application/json', payload: () => '{"name":', status: 400 },
        { type: 'application/json', payload: () => '[]', status: 415 },
        { type: 'text/plain', payload: () => 'name=Vase', status: 415 },
        { type: 'application/x-www-form-urlencoded', payload: () => 'name=Vase', status: 415 },
        { type: 'multipart/mixed; boundary=x', payload: () => '--x--\r\n', status: 415 },
        { type: undefined, payload: () => 'name=Vase', status: 415 },
        { type: 'image/png', payload: () => images['png'] as Buffer, status: 415 },
        { type: 'multipart/form-data', payload: () => valid().payload, status: 400 },
        { type: 'multipart/form-data; boundary=', payload: () => valid().payload, status: 400 },
        { type: 'multipart/form-data; boundary=other', payload: () => valid().payload, status: 400 },
        { type: 'multipart/form-data; boundary=x', payload: () => '', status: 400 },
        { type: 'multipart/form-data; boundary=x', payload: () => '--x\r\n\r\n--x--', status: 400 },
        { type: 'multipart/form-data; boundary=x', payload: () => '--x\r\nContent-Disposition: form-data\r\n\r\nVase\r\n--x--\r\n', status: 400 },
        { type: 'multipart/form-data; boundary=x', payload: () => 'garbage without any boundary', status: 400 },
      ),
      // A valid form cut off anywhere before its closing boundary has ended.
      fc.nat().map((n) => {
        const full = valid();
        return { type: full.contentType, payload: () => full.payload.subarray(0, n % (full.payload.length - 4)), status: 400 };
      }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        await h.send('POST /assets (form)', {
          method: 'POST',
          url: '/api/assets',
          ...(c.type !== undefined ? { headers: { 'content-type': c.type } } : {}),
          payload: c.payload(),
        }, { status: c.status, mutates: true });
      }),
      runs(60),
    );
  });

  it('takes six images but refuses a seventh with 413, before any stray field after it', async () => {
    const file = (i: number): Part => ({ field: 'images', filename: `v${i}.png`, type: 'image/png', bytes: images['png'] as Buffer });
    await create('POST /assets (limits)', [{ field: 'name', bytes: 'Vase' }, ...[1, 2, 3, 4, 5, 6, 7].map(file)]);
    await create('POST /assets (limits)', [{ field: 'name', bytes: 'Vase' }, ...[1, 2, 3, 4, 5, 6].map(file), { field: 'x', bytes: '1' }]);
  });

  it('refuses an image over 10 MB with 413', async () => {
    const big = Buffer.concat([images['png'] as Buffer, Buffer.alloc(LIMITS.imageBytesMax)]);
    const body = multipartBody([{ field: 'name', bytes: 'Vase' }, { field: 'images', filename: 'big.png', type: 'image/png', bytes: big }]);
    await h.send('POST /assets (size)', { method: 'POST', url: '/api/assets', headers: { 'content-type': body.contentType }, payload: body.payload }, { status: 413 });
  });

  // Regressions found by this fuzzing.
  it('refuses a JPEG that decodes only with warnings with 422 (it used to pass the check and fail the thumbnail with a 500)', async () => {
    const res = await create('POST /assets (regressions)', [{ field: 'name', bytes: 'Vase' }, { field: 'images', filename: 'v.jpg', type: 'image/jpeg', bytes: Buffer.alloc(0), kind: img('corruptJpeg', 422) } as Part]);
    expect((res.json() as { error: { message: string } }).error.message).toContain('“v.jpg” could not be decoded');
  });
  it('refuses a name sent as a JSON part with 400 (it used to be stored as "[object Object]")', async () => {
    await create('POST /assets (regressions)', [{ field: 'name', type: 'application/json', bytes: '{"a":1}' }, { field: 'images', filename: 'v.png', type: 'image/png', bytes: Buffer.alloc(0), kind: img('png', 'ok') } as Part]);
  });
  it('refuses a name whose declared charset makes a lone surrogate with 400 (SQLite would store U+FFFD instead)', async () => {
    const body = multipartBody([
      { field: 'name', type: 'text/plain; charset=utf-16le', bytes: Buffer.from([0x56, 0x00, 0x00, 0xd8]) },
      { field: 'images', filename: 'v.png', type: 'image/png', bytes: images['png'] as Buffer },
    ]);
    const res = await h.send('POST /assets (regressions)', { method: 'POST', url: '/api/assets', headers: { 'content-type': body.contentType }, payload: body.payload }, { status: 400 });
    expect((res.json() as { error: { message: string } }).error.message).toContain('lone surrogate');
  });
});
