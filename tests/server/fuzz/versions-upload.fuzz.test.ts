// Fuzzes POST /api/assets/:id/versions: GLBs corrupted in every part of the container (magic, version, declared
// lengths, chunk lengths and types, the JSON chunk), glTF that validates badly or that this service cannot read,
// files whose name and Content-Type lie, and malformed forms. Each gets its exact 4xx and changes nothing; a
// model that is really fine is accepted as a new version.
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import sharp from 'sharp';
import { ErrorBodySchema } from '../../../src/contract/api';
import { AssetSchema } from '../../../src/contract/asset';
import { ATTACK_STRINGS, FIXTURES, makeHarness, multipartBody, nastyString, runs, type Fixture, type Harness, type Part } from './fuzz-kit';

let h: Harness;
let base: Buffer;
let png: Buffer;
let jpeg: Buffer;
beforeAll(async () => {
  h = await makeHarness();
  base = Buffer.from(h.glb);
  png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#884422' } }).png().toBuffer();
  jpeg = await sharp(png).jpeg().toBuffer();
});
afterAll(async () => {
  h.report('versions-upload');
  await h.close();
});

// ---------------------------------------------------------------------------------------------------------------
// GLB surgery. A GLB is a 12-byte header (magic, version, total length), a JSON chunk (length, type, text) and
// an optional BIN chunk (length, type, bytes); all numbers little-endian uint32.

const MAGIC = 0x46546c67;
const JSON_CHUNK = 0x4e4f534a;
const BIN_CHUNK = 0x004e4942;

type Gltf = Record<string, unknown> & {
  asset: { version: string };
  accessors: { count: number }[];
  bufferViews: { byteLength: number }[];
  buffers: { byteLength: number; uri?: string }[];
  nodes: Record<string, unknown>[];
  scenes: { nodes: number[] }[];
};

function split(glb: Buffer): { json: Gltf; bin: Buffer } {
  const jsonLength = glb.readUInt32LE(12);
  return { json: JSON.parse(glb.subarray(20, 20 + jsonLength).toString('utf8')) as Gltf, bin: glb.subarray(20 + jsonLength + 8) };
}

/** Writes a well-formed container around `jsonText` and the given chunks (the BIN chunk first, if any). */
function container(jsonText: Buffer, chunks: { type: number; data: Buffer }[]): Buffer {
  const json = Buffer.concat([jsonText, Buffer.alloc((4 - (jsonText.length % 4)) % 4, 0x20)]);
  const parts: Buffer[] = [Buffer.alloc(12), Buffer.alloc(8), json];
  (parts[1] as Buffer).writeUInt32LE(json.length, 0);
  (parts[1] as Buffer).writeUInt32LE(JSON_CHUNK, 4);
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(c.data.length, 0);
    head.writeUInt32LE(c.type, 4);
    parts.push(head, c.data);
  }
  const out = Buffer.concat(parts);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(2, 4);
  out.writeUInt32LE(out.length, 8);
  return out;
}

const withJson = (edit: (g: Gltf) => void, bin?: Buffer | null) => (glb: Buffer) => {
  const { json, bin: b } = split(glb);
  edit(json);
  const data = bin === undefined ? b : bin;
  return container(Buffer.from(JSON.stringify(json)), data ? [{ type: BIN_CHUNK, data }] : []);
};

const setU32 = (offset: (glb: Buffer) => number, value: number) => (glb: Buffer) => {
  const out = Buffer.from(glb);
  out.writeUInt32LE(value >>> 0, offset(glb));
  return out;
};
const binHeader = (glb: Buffer) => 20 + glb.readUInt32LE(12);

interface Mutation {
  name: string;
  make: (glb: Buffer) => Buffer;
  /** 200: still a model this service takes; 415: not a GLB at all; 422: a GLB it cannot use. */
  status: 200 | 415 | 422;
}

/** `extras` nested `depth` arrays deep (so the JSON is depth + 1 deep), spliced in as text: JSON.stringify would overflow. */
const nested = (depth: number) => (g: Buffer) => {
  const { json, bin } = split(g);
  const text = `{"extras":${'['.repeat(depth)}${']'.repeat(depth)},${JSON.stringify(json).slice(1)}`;
  return container(Buffer.from(text), [{ type: BIN_CHUNK, data: bin }]);
};

const anyU32Except = (...not: number[]) => fc.integer({ min: 0, max: 0xffffffff }).filter((n) => !not.includes(n));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Still fine: these are valid GLBs.
  {
    weight: 2,
    arbitrary: fc.constantFrom<Mutation>(
      { name: 'unchanged', make: (g) => g, status: 200 },
      { name: 'extras with hostile text', make: withJson((g) => (g['extras'] = { '<script>': '\u0000\u202e', __proto__x: 1 })), status: 200 },
      {
        name: 'zero-length chunk of an unknown type (readers must skip it)',
        make: (g) => {
          const { json, bin } = split(g);
          return container(Buffer.from(JSON.stringify(json)), [{ type: BIN_CHUNK, data: bin }, { type: 0x12345678, data: Buffer.alloc(0) }]);
        },
        status: 200,
      },
    ),
  },
  // Not a GLB: the wrong type of file.
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom<Mutation>(
        { name: 'a PNG', make: () => png, status: 415 },
        { name: 'a JPEG', make: () => jpeg, status: 415 },
        { name: 'a .gltf text file', make: (g) => Buffer.from(JSON.stringify(split(g).json)), status: 415 },
        { name: 'empty', make: () => Buffer.alloc(0), status: 415 },
        { name: '"glT"', make: () => Buffer.from('glT'), status: 415 },
        { name: 'magic in the wrong case', make: (g) => Buffer.concat([Buffer.from('GLTF'), g.subarray(4)]), status: 415 },
      ),
      fc.uint32Array({ minLength: 1, maxLength: 1 }).filter(([m]) => m !== MAGIC).map(([m]) => ({ name: `magic ${m}`, make: setU32(() => 0, m as number), status: 415 as const })),
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => ({ name: 'random bytes', make: () => Buffer.from(b), status: (b[0] === 0x67 && b[1] === 0x6c && b[2] === 0x54 && b[3] === 0x46 ? 422 : 415) as 415 | 422 })),
    ),
  },
  // Header and chunk numbers that lie.
  {
    weight: 5,
    arbitrary: fc.oneof(
      anyU32Except(2).map((v) => ({ name: `version ${v}`, make: setU32(() => 4, v), status: 422 as const })),
      fc.constantFrom(0, 1, 12, 0xffffffff, 0x7fffffff).map((v) => ({ name: `total length ${v}`, make: setU32(() => 8, v), status: 422 as const })),
      fc.integer({ min: 0, max: 0xffffffff }).map((v) => ({
        name: `total length ${v}`,
        make: (g: Buffer) => setU32(() => 8, v === g.length ? v + 1 : v)(g),
        status: 422 as const,
      })),
      fc.constantFrom(0, 1, 4, 0xffffffff, 0x80000000).map((v) => ({ name: `JSON chunk length ${v}`, make: setU32(() => 12, v), status: 422 as const })),
      fc.integer({ min: 0, max: 4096 }).map((v) => ({
        name: `JSON chunk length ${v}`,
        make: (g: Buffer) => setU32(() => 12, v === g.readUInt32LE(12) ? v + 4 : v)(g),
        status: 422 as const,
      })),
      anyU32Except(JSON_CHUNK).map((v) => ({ name: `JSON chunk type ${v}`, make: setU32(() => 16, v), status: 422 as const })),
      fc.constantFrom(0xffffffff, 0x7ffffff8, 100_000).map((v) => ({ name: `BIN chunk length ${v}`, make: setU32(binHeader, v), status: 422 as const })),
      fc.integer({ min: 1, max: 4096 }).map((extra) => ({
        name: `BIN chunk length +${extra}`,
        make: (g: Buffer) => setU32(binHeader, g.readUInt32LE(binHeader(g)) + extra)(g),
        status: 422 as const,
      })),
      fc.constant<Mutation>({ name: 'BIN chunk length 0 (its bytes then read as a chunk)', make: setU32(binHeader, 0), status: 422 }),
      anyU32Except(BIN_CHUNK, JSON_CHUNK).map((v) => ({ name: `BIN chunk type ${v}`, make: setU32((g) => binHeader(g) + 4, v), status: 422 as const })),
    ),
  },
  // Cut off, or with bytes after the end.
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.nat().map((n) => ({
        name: `cut to ${n}`,
        make: (g: Buffer) => g.subarray(0, n % g.length),
        status: 422 as const,
      })),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => ({ name: `${tail.length} bytes appended`, make: (g: Buffer) => Buffer.concat([g, tail]), status: 422 as const })),
    ),
  },
  // The JSON chunk: not JSON, not an object, or glTF this service must refuse.
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.constantFrom('[]', '1', '"gltf"', 'null', 'true', '{', '{"asset":', '\u0000', '{"asset":{"version":"2.0"}} trailing').map((text) => ({
        name: `JSON chunk ${text}`,
        make: (g: Buffer) => container(Buffer.from(text), [{ type: BIN_CHUNK, data: split(g).bin }]),
        status: 422 as const,
      })),
      fc.constant<Mutation>({
        name: 'JSON chunk that is not UTF-8',
        make: (g) => {
          const out = Buffer.from(g);
          out.fill(0xff, 20, 20 + g.readUInt32LE(12));
          return out;
        },
        status: 422,
      }),
      fc.constantFrom<Mutation>(
        { name: 'no asset', make: withJson((g) => delete (g as Partial<Gltf>).asset), status: 422 },
        { name: 'glTF 1.0', make: withJson((g) => (g.asset.version = '1.0')), status: 422 },
        { name: 'huge accessor count', make: withJson((g) => ((g.accessors[0] as { count: number }).count = 2 ** 31)), status: 422 },
        { name: 'huge bufferView', make: withJson((g) => ((g.bufferViews[0] as { byteLength: number }).byteLength = 2 ** 32)), status: 422 },
        { name: 'huge buffer', make: withJson((g) => ((g.buffers[0] as { byteLength: number }).byteLength = 2 ** 40)), status: 422 },
        { name: 'no scenes', make: withJson((g) => { g.scenes = []; delete g['scene']; }), status: 422 },
        { name: 'node loop', make: withJson((g) => ((g.nodes[0] as Record<string, unknown>)['children'] = [0])), status: 422 },
        { name: 'scene names a missing node', make: withJson((g) => ((g.scenes[0] as { nodes: number[] }).nodes = [99])), status: 422 },
        { name: 'buffer uri ../../etc/passwd', make: withJson((g) => ((g.buffers[0] as { uri?: string }).uri = '../../etc/passwd'), null), status: 422 },
        { name: 'buffer uri file:///etc/passwd', make: withJson((g) => ((g.buffers[0] as { uri?: string }).uri = 'file:///etc/passwd'), null), status: 422 },
        { name: 'image uri /etc/passwd', make: withJson((g) => (g['images'] = [{ uri: '/etc/passwd' }])), status: 422 },
        { name: 'an unknown required extension', make: withJson((g) => { g['extensionsUsed'] = ['EXT_bogus']; g['extensionsRequired'] = ['EXT_bogus']; }), status: 422 },
        { name: 'Draco compression', make: withJson((g) => (g['extensionsUsed'] = ['KHR_draco_mesh_compression'])), status: 422 },
        { name: 'no BIN chunk', make: withJson(() => undefined, null), status: 422 },
        { name: 'zero-length BIN chunk', make: withJson(() => undefined, Buffer.alloc(0)), status: 422 },
        { name: 'a second JSON chunk', make: (g) => { const { json, bin } = split(g); return container(Buffer.from(JSON.stringify(json)), [{ type: BIN_CHUNK, data: bin }, { type: JSON_CHUNK, data: Buffer.from('{}  ') }]); }, status: 422 },
        { name: 'a second BIN chunk', make: (g) => { const { json, bin } = split(g); return container(Buffer.from(JSON.stringify(json)), [{ type: BIN_CHUNK, data: bin }, { type: BIN_CHUNK, data: bin }]); }, status: 422 },
        { name: 'no mesh in the scene', make: withJson((g) => delete (g.nodes[0] as Record<string, unknown>)['mesh']), status: 422 },
        { name: 'a 5000-character property name', make: withJson((g) => ((g.nodes[0] as Record<string, unknown>)['k'.repeat(5000)] = 1)), status: 200 },
      ),
      // Nesting: sane depths pass; absurd ones are refused (the validator used to crash the process on them).
      fc.constantFrom(5, 90, 101, 2_000, 20_000, 200_000).map((depth) => ({ name: `extras nested ${depth} deep`, make: nested(depth), status: depth + 1 > 100 ? (422 as const) : (200 as const) })),
    ),
  },
);

// ---------------------------------------------------------------------------------------------------------------
// The form around the file.

const lyingFile = fc.record({
  filename: fc.oneof(fc.constantFrom('model.glb', 'photo.png', 'x.gltf', '', '../../etc/passwd', 'C:\\evil.exe', 'a.glb\u0000.png'), nastyString({ maxLength: 30 })),
  type: fc.constantFrom('model/gltf-binary', 'application/octet-stream', 'image/png', 'text/html', 'application/json', '', 'model/gltf-binary; charset=utf-8'),
});

type Extra = 'none' | 'text-before' | 'text-after' | 'second-file' | 'wrong-field' | 'wrong-field-after';
const extra = fc.constantFrom<Extra>('none', 'none', 'none', 'none', 'text-before', 'text-after', 'second-file', 'wrong-field', 'wrong-field-after');
const extraField = fc.oneof(fc.constantFrom('note', 'name', 'file2', '__proto__', 'constructor', 'toString'), fc.constantFrom(...ATTACK_STRINGS));

interface Upload {
  target: Fixture | 'unknown';
  query: string;
  mutation: Mutation;
  file: { filename: string; type: string };
  extra: Extra;
  extraName: string;
}

const upload: fc.Arbitrary<Upload> = fc.record({
  // Mostly the For Review asset, since only it reads the body.
  target: fc.oneof({ weight: 6, arbitrary: fc.constant<Fixture | 'unknown'>('review') }, { weight: 2, arbitrary: fc.constantFrom<Fixture | 'unknown'>(...FIXTURES, 'unknown') }),
  query: fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('?x=1', '?step=uv', '?__proto__=1') }),
  mutation,
  file: lyingFile,
  extra,
  extraName: extraField,
});

function parts(u: Upload, bytes: Buffer): Part[] {
  const file: Part = { field: 'file', filename: u.file.filename, type: u.file.type || 'application/octet-stream', bytes };
  switch (u.extra) {
    case 'none':
      return [file];
    case 'text-before':
      return [{ field: u.extraName, bytes: 'x' }, file];
    case 'text-after':
      return [file, { field: u.extraName, bytes: 'x' }];
    case 'second-file':
      return [file, { ...file, filename: 'second.glb' }];
    case 'wrong-field':
      return [{ ...file, field: u.extraName }];
    case 'wrong-field-after':
      return [file, { ...file, field: u.extraName }];
  }
}

const STAGE_STATUS: Record<Fixture, number> = { review: 200, failed: 409, approved: 409, counting: 409, completed: 409 };

function expectedStatus(u: Upload): number {
  if (u.query) return 400;
  if (u.target === 'unknown') return 404;
  if (STAGE_STATUS[u.target] !== 200) return STAGE_STATUS[u.target];
  // Parts are refused in the order they arrive; a second file part is over the limit whatever its field.
  if (u.extra === 'text-before' || u.extra === 'wrong-field') return 400;
  if (u.extra === 'second-file' || u.extra === 'wrong-field-after') return 413;
  if (u.extra === 'text-after') return 400;
  return u.mutation.status;
}

describe('POST /api/assets/:id/versions', () => {
  it('accepts only a GLB this service can use, and refuses every corruption with its exact status', async () => {
    await fc.assert(
      fc.asyncProperty(upload, async (u) => {
        const bytes = u.mutation.make(base);
        const body = multipartBody(parts(u, bytes));
        const id = u.target === 'unknown' ? 'no_such_asset_2' : h.ids[u.target];
        const before = u.target === 'unknown' ? undefined : h.t.app.assets.get(id);
        await h.send(
          'POST versions',
          { method: 'POST', url: `/api/assets/${id}/versions${u.query}`, headers: { 'content-type': body.contentType }, payload: body.payload },
          {
            status: expectedStatus(u),
            mutates: true,
            check(res) {
              const a = AssetSchema.parse(res.json());
              expect(a.versions).toHaveLength((before?.versions.length ?? 0) + 1);
              expect(a.versions.at(-1)).toMatchObject({ source: 'uploaded', step_key: 'geometry', size_bytes: bytes.length });
              expect(a.status.phase).toBe('for_review');
            },
          },
          u.target === 'unknown' ? undefined : u.target,
        );
      }),
      runs(300),
    );
  });

  it('refuses forms that are not forms, malformed or cut off', async () => {
    const good = multipartBody([{ field: 'file', filename: 'm.glb', type: 'model/gltf-binary', bytes: Buffer.alloc(0) }]);
    const cases = fc.oneof(
      fc.constantFrom(
        { type: 'application/json', payload: '{}', status: 415 },
        { type: 'application/json', payload: '{"file":"Z2xURg=="}', status: 415 },
        { type: 'text/plain', payload: 'glTF', status: 415 },
        { type: undefined, payload: undefined, status: 415 },
        { type: 'application/octet-stream', payload: 'glTF', status: 415 },
        { type: 'model/gltf-binary', payload: 'glTF', status: 415 },
        { type: 'multipart/form-data', payload: good.payload.toString('latin1'), status: 400 },
        { type: 'multipart/form-data; boundary=', payload: good.payload.toString('latin1'), status: 400 },
        { type: 'multipart/form-data; boundary=other', payload: good.payload.toString('latin1'), status: 400 },
        { type: good.contentType, payload: '', status: 400 },
        { type: good.contentType, payload: 'garbage', status: 400 },
      ),
      // Cut anywhere before the closing boundary ends.
      fc.nat().map((n) => {
        const full = multipartBody([{ field: 'file', filename: 'm.glb', type: 'model/gltf-binary', bytes: base }]);
        const cut = n % (full.payload.length - 4);
        return { type: full.contentType, payload: full.payload.subarray(0, cut).toString('latin1'), status: 400 };
      }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        await h.send(
          'POST versions (form)',
          {
            method: 'POST',
            url: `/api/assets/${h.ids.review}/versions`,
            ...(c.type !== undefined ? { headers: { 'content-type': c.type } } : {}),
            ...(c.payload !== undefined ? { payload: Buffer.from(c.payload, 'latin1') } : {}),
          },
          { status: c.status },
          'review',
        );
      }),
      runs(40),
    );
  });

  it('refuses a model over the size limit with 413', async () => {
    const big = Buffer.alloc(64 * 1024 * 1024 + 1);
    big.write('glTF', 0);
    const body = multipartBody([{ field: 'file', filename: 'huge.glb', type: 'model/gltf-binary', bytes: big }]);
    await h.send(
      'POST versions (size)',
      { method: 'POST', url: `/api/assets/${h.ids.review}/versions`, headers: { 'content-type': body.contentType }, payload: body.payload },
      { status: 413 },
      'review',
    );
  });

  it('refuses to convert a stored model it cannot read with 422, and still serves it as GLB (the conversion used to answer 500)', async () => {
    // A model stored before the upload check refused such files: written over the For Review asset's version.
    const bad = withJson((g) => {
      g['extensionsUsed'] = ['EXT_bogus'];
      g['extensionsRequired'] = ['EXT_bogus'];
    })(base);
    const version = h.t.repo.version(h.ids.review, 1);
    if (!version) throw new Error('the review fixture has a version 1');
    writeFileSync(h.t.files.absolute(version.file), bad);
    try {
      for (const format of ['gltf', 'obj']) {
        const res = await h.t.app.inject({ method: 'GET', url: `/api/assets/${h.ids.review}/download?format=${format}` });
        expect(res.statusCode).toBe(422);
        expect(ErrorBodySchema.parse(res.json()).error.code).toBe('unprocessable');
      }
      const glb = await h.t.app.inject({ method: 'GET', url: `/api/assets/${h.ids.review}/download?format=glb` });
      expect(glb.statusCode).toBe(200);
      expect(Buffer.compare(glb.rawPayload, bad)).toBe(0);
    } finally {
      await h.reset();
    }
  });

  // Regressions. The first two passed the check and were stored, then broke every step and download that read
  // them; the third made the validator overflow its stack outside any promise, which killed the whole server.
  it.each([
    ['an unknown required extension', withJson((g) => { g['extensionsUsed'] = ['EXT_bogus']; g['extensionsRequired'] = ['EXT_bogus']; }), /does not support/],
    ['a zero-length BIN chunk', withJson(() => undefined, Buffer.alloc(0)), /could not be read/],
    ['JSON nested 20 000 levels deep', nested(20_000), /nested more than 100 levels/],
  ] as const)('refuses a GLB with %s with 422', async (_, make, message) => {
    const body = multipartBody([{ field: 'file', filename: 'm.glb', type: 'model/gltf-binary', bytes: make(base) }]);
    const res = await h.send(
      'POST versions (regressions)',
      { method: 'POST', url: `/api/assets/${h.ids.review}/versions`, headers: { 'content-type': body.contentType }, payload: body.payload },
      { status: 422 },
      'review',
    );
    expect((res.json() as { error: { message: string } }).error.message).toMatch(message);
  });
});
