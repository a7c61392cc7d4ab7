import { Logger, NodeIO } from '@gltf-transform/core';
import type { Document, Primitive } from '@gltf-transform/core';
import { validateBytes } from 'gltf-validator';
import sharp from 'sharp';
import { createBuiltinGenerator } from '../../../src/server/pipeline/builtin-generator';
import type { SourceImage, StepInput, StepResult } from '../../../src/server/pipeline/generator';
import { modelStats } from '../../../src/server/models/model-stats';
import { boxGlb, imageFolder, noisePng, objectSvg, saveImage, solidPng, stepInput, svgPng, thinPartsSvg } from '../helpers/images';

// Small images and budgets keep the suite fast; the shapes of the results do not depend on size.
const OPTIONS = { workingSize: 128, highPolyTriangles: 20_000, defaultPolycount: 2_000, textureSize: 256 };
const generator = createBuiltinGenerator(OPTIONS);
const io = new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR));

interface GltfJson {
  scene?: number;
  scenes?: { nodes?: number[] }[];
  nodes?: { name?: string; mesh?: number; children?: number[]; extensions?: { MSFT_lod?: { ids: number[] } }; extras?: { MSFT_screencoverage?: number[] } }[];
  meshes?: { primitives: { indices?: number }[] }[];
  accessors?: { count: number }[];
  extensionsUsed?: string[];
}

function gltfJson(glb: Uint8Array): GltfJson {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  const length = view.getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + length))) as GltfJson;
}

function meshTriangles(json: GltfJson, mesh: number): number {
  return (json.meshes?.[mesh]?.primitives ?? []).reduce((sum, p) => sum + (json.accessors?.[p.indices ?? -1]?.count ?? 0) / 3, 0);
}

async function expectValid(glb: Uint8Array): Promise<void> {
  const report = await validateBytes(glb, { maxIssues: 20, writeTimestamp: false });
  const errors = report.issues.messages.filter((m) => m.severity === 0).map((m) => `${m.code} ${m.message} ${m.pointer ?? ''}`);
  expect(errors).toEqual([]);
}

function glbOf(result: StepResult): Uint8Array {
  if (!result.ok) throw new Error(`step failed: ${result.reason}`);
  return result.glb;
}

function onlyPrimitive(doc: Document): Primitive {
  const prims = doc.getRoot().listMeshes().flatMap((m) => m.listPrimitives());
  expect(prims).toHaveLength(1);
  return prims[0] as Primitive;
}

function triangles(prim: Primitive): number {
  return (prim.getIndices()?.getCount() ?? 0) / 3;
}

/** Watertight and consistently wound: every directed edge appears once, and its reverse once. */
function expectClosed(prim: Primitive): void {
  const indices = prim.getIndices()?.getArray() ?? new Uint32Array();
  expect(indices.length).toBeGreaterThan(0);
  const directed = new Map<string, number>();
  for (let t = 0; t < indices.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const key = `${indices[t + e]}>${indices[t + ((e + 1) % 3)]}`;
      directed.set(key, (directed.get(key) ?? 0) + 1);
    }
  }
  const unmatched = [...directed].filter(([key, count]) => {
    const [a, b] = key.split('>');
    return count !== 1 || directed.get(`${b}>${a}`) !== 1;
  });
  expect(unmatched).toEqual([]);
}

function bounds(prim: Primitive): { min: number[]; max: number[] } {
  const position = prim.getAttribute('POSITION');
  if (!position) throw new Error('no POSITION');
  return { min: position.getMin([]), max: position.getMax([]) };
}

let folder: Awaited<ReturnType<typeof imageFolder>>;
let cutout: SourceImage;
let onWhite: SourceImage;
const chain: Partial<Record<'geometry' | 'optimise' | 'uv' | 'texture' | 'lod', Uint8Array>> = {};

function output(step: keyof typeof chain): Uint8Array {
  const glb = chain[step];
  if (!glb) throw new Error(`no ${step} output`);
  return glb;
}

const run = (step: keyof typeof chain, overrides: Partial<StepInput> = {}) =>
  generator[step](stepInput({ images: [cutout], ...overrides }));

beforeAll(async () => {
  folder = await imageFolder();
  // An 80 × 50 px ellipse: the model must come out 1.6 times as wide as it is high.
  cutout = await saveImage(folder.dir, 'cutout.png', await svgPng(objectSvg({ size: 128, rx: 40, ry: 25 })));
  onWhite = await saveImage(folder.dir, 'on-white.png', await svgPng(objectSvg({ size: 128, rx: 40, ry: 25, background: '#ffffff' })));
  let previous: Uint8Array | null = null;
  for (const step of ['geometry', 'optimise', 'uv', 'texture', 'lod'] as const) {
    previous = glbOf(await run(step, { previous }));
    chain[step] = previous;
  }
});

afterAll(async () => {
  await folder.cleanup();
});

describe('geometry', () => {
  it('builds a closed, valid high-poly relief named after the asset, Y up, 1 m high, without UVs', async () => {
    const glb = output('geometry');
    await expectValid(glb);
    const doc = await io.readBinary(glb);
    const node = doc.getRoot().listNodes()[0];
    expect(node?.getName()).toBe('Test object');
    expect(node?.getMesh()?.getName()).toBe('Test object');
    const prim = onlyPrimitive(doc);
    expect(prim.getAttribute('TEXCOORD_0')).toBeNull();
    expect(prim.getAttribute('NORMAL')).not.toBeNull();
    expect(triangles(prim)).toBeGreaterThan(OPTIONS.highPolyTriangles * 0.6);
    expect(triangles(prim)).toBeLessThan(OPTIONS.highPolyTriangles * 1.3);
    expect(prim.getMaterial()?.getBaseColorTexture()).toBeNull();

    expectClosed(prim);

    const { min, max } = bounds(prim);
    expect(min[1]).toBeCloseTo(0, 5);
    expect(max[1]).toBeCloseTo(1, 5);
    expect((min[0] as number) + (max[0] as number)).toBeCloseTo(0, 4);
    expect((min[2] as number) + (max[2] as number)).toBeCloseTo(0, 4);
    // The x/y box is the mask's box: 80 × 50 px.
    expect(((max[0] as number) - (min[0] as number)) / ((max[1] as number) - (min[1] as number))).toBeCloseTo(1.6, 1);
    expect((max[2] as number) - (min[2] as number)).toBeGreaterThan(0.3);
  });

  it('stays closed around parts only two or three pixels thin', async () => {
    const image = await saveImage(folder.dir, 'thin.png', await svgPng(thinPartsSvg()));
    const glb = glbOf(await run('geometry', { images: [image] }));
    await expectValid(glb);
    expectClosed(onlyPrimitive(await io.readBinary(glb)));
  });

  it('finds the object on a plain opaque background as well as from alpha', async () => {
    const glb = glbOf(await run('geometry', { images: [onWhite] }));
    await expectValid(glb);
    const { min, max } = bounds(onlyPrimitive(await io.readBinary(glb)));
    expect(((max[0] as number) - (min[0] as number)) / ((max[1] as number) - (min[1] as number))).toBeCloseTo(1.6, 1);
  });

  it('gives the same bytes for the same input', async () => {
    const again = glbOf(await run('geometry'));
    expect(Buffer.from(again).equals(Buffer.from(output('geometry')))).toBe(true);
  });

  it.each([
    ['a white image', () => solidPng(64, 64, { r: 255, g: 255, b: 255 }), /^The image looks blank: it is almost one colour, so there is no object to build\. Upload a photo or render of the object\.$/],
    ['a single-colour image', () => solidPng(64, 64, { r: 200, g: 30, b: 30 }), /^The image looks blank: it is almost one colour/],
    ['a fully transparent image', () => solidPng(64, 64, { r: 0, g: 0, b: 0, alpha: 0 }), /looks blank: it is almost completely transparent/],
    ['an image smaller than 32 px', () => svgPng(objectSvg({ size: 20 })), /too small \(20×20 pixels\).*at least 32 pixels/],
    ['noise that fills the whole frame', () => noisePng(96), /fills the whole image/],
    ['a file that is not an image', async () => new TextEncoder().encode('this is not a PNG'), /could not be read/],
  ])('fails honestly on %s', async (_label, make, reason) => {
    const image = await saveImage(folder.dir, `bad-${Math.random().toString(36).slice(2)}.png`, await make());
    const result = await run('geometry', { images: [image] });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('fails honestly when the asset has no image', async () => {
    const result = await run('geometry', { images: [] });
    expect(result.ok ? '' : result.reason).toMatch(/no reference image/);
  });

  it('takes revision notes into account: "flatter" is shallower, "more detail" has more triangles', async () => {
    const depth = async (note: string | null) => {
      const { min, max } = bounds(onlyPrimitive(await io.readBinary(glbOf(await run('geometry', { note })))));
      return (max[2] as number) - (min[2] as number);
    };
    expect(await depth('Please make it flatter')).toBeLessThan((await depth(null)) * 0.75);
    const detailed = onlyPrimitive(await io.readBinary(glbOf(await run('geometry', { note: 'more detail please' }))));
    const plain = onlyPrimitive(await io.readBinary(output('geometry')));
    expect(triangles(detailed)).toBeGreaterThan(triangles(plain) * 1.2);
  });

  it('re-runs unchanged on a note it has no rule for', async () => {
    const again = glbOf(await run('geometry', { note: 'make it look nicer' }));
    expect(Buffer.from(again).equals(Buffer.from(output('geometry')))).toBe(true);
  });

  it('reports increasing progress up to 1', async () => {
    const seen: number[] = [];
    glbOf(await run('geometry', { report: (p) => seen.push(p) }));
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(1);
  });

  it('stops with the abort reason when aborted before or during the step', async () => {
    const before = new AbortController();
    before.abort(new Error('deleted'));
    await expect(run('geometry', { signal: before.signal })).rejects.toThrow('deleted');

    const during = new AbortController();
    const report = (p: number) => {
      if (p >= 0.2) during.abort(new Error('shutting down'));
    };
    await expect(run('geometry', { signal: during.signal, report })).rejects.toThrow('shutting down');
  });
});

describe('optimise', () => {
  it('simplifies toward the asset polycount, or the default when it has none', async () => {
    const glb = output('optimise');
    await expectValid(glb);
    const tris = modelStats(glb).triangles;
    expect(tris).toBeLessThanOrEqual(OPTIONS.defaultPolycount);
    expect(tris).toBeGreaterThan(OPTIONS.defaultPolycount * 0.5);

    const own = glbOf(await run('optimise', { previous: output('geometry'), asset: { id: 'a', name: 'A', polycount: 500 } }));
    expect(modelStats(own).triangles).toBeLessThanOrEqual(500);
  });

  it('gives fewer triangles for "fewer polygons" and keeps a model already under the target', async () => {
    const fewer = glbOf(await run('optimise', { previous: output('geometry'), note: 'fewer polygons' }));
    expect(modelStats(fewer).triangles).toBeLessThan(modelStats(output('optimise')).triangles * 0.7);

    const small = await boxGlb(1);
    const kept = glbOf(await run('optimise', { previous: small }));
    expect(modelStats(kept).triangles).toBe(12);
  });

  it('reads an explicit triangle count from the note', async () => {
    const glb = glbOf(await run('optimise', { previous: output('geometry'), note: 'Keep it under 800 triangles' }));
    const tris = modelStats(glb).triangles;
    expect(tris).toBeLessThanOrEqual(800);
    expect(tris).toBeGreaterThan(400);
  });

  it("simplifies a person's own flat-shaded, unindexed model", async () => {
    const box = await boxGlb(12);
    expect(modelStats(box).triangles).toBe(1728);
    const glb = glbOf(await run('optimise', { previous: box, asset: { id: 'a', name: 'A', polycount: 200 } }));
    await expectValid(glb);
    const tris = modelStats(glb).triangles;
    expect(tris).toBeGreaterThan(0);
    expect(tris).toBeLessThanOrEqual(200);
  });

  it('fails with a clear reason on a damaged or missing previous model', async () => {
    const damaged = output('geometry').slice(0, 4000);
    const result = await run('optimise', { previous: damaged });
    expect(result.ok ? '' : result.reason).toMatch(/could not be read/);
    const missing = await run('optimise', { previous: null });
    expect(missing.ok ? '' : missing.reason).toMatch(/missing/);
  });
});

describe('uv', () => {
  const uvRange = async (glb: Uint8Array) => {
    const doc = await io.readBinary(glb);
    const uv = onlyPrimitive(doc).getAttribute('TEXCOORD_0');
    if (!uv) throw new Error('no TEXCOORD_0');
    return { min: uv.getMin([]), max: uv.getMax([]) };
  };

  it('adds TEXCOORD_0 spanning exactly [0, 1] on both axes', async () => {
    await expectValid(output('uv'));
    const { min, max } = await uvRange(output('uv'));
    expect(min[0]).toBeCloseTo(0, 5);
    expect(min[1]).toBeCloseTo(0, 5);
    expect(max[0]).toBeCloseTo(1, 5);
    expect(max[1]).toBeCloseTo(1, 5);
  });

  it("unwraps a person's own model placed away from the origin", async () => {
    const glb = glbOf(await run('uv', { previous: await boxGlb(2, [5, -3, 2]) }));
    await expectValid(glb);
    const { min, max } = await uvRange(glb);
    expect(Math.min(...min)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...max)).toBeLessThanOrEqual(1);
    expect(max[0]).toBeCloseTo(1, 5);
  });
});

describe('texture', () => {
  const baseColour = async (glb: Uint8Array) => {
    const texture = onlyPrimitive(await io.readBinary(glb)).getMaterial()?.getBaseColorTexture();
    if (!texture) throw new Error('no baseColorTexture');
    return texture;
  };
  const meanLuminance = async (glb: Uint8Array) => {
    const stats = await sharp((await baseColour(glb)).getImage() ?? new Uint8Array()).stats();
    const [r, g, b] = stats.channels;
    return 0.2126 * (r?.mean ?? 0) + 0.7152 * (g?.mean ?? 0) + 0.0722 * (b?.mean ?? 0);
  };

  it('bakes the image into a JPEG base-colour texture with power-of-two sides', async () => {
    await expectValid(output('texture'));
    const texture = await baseColour(output('texture'));
    expect(texture.getMimeType()).toBe('image/jpeg');
    const image = texture.getImage() ?? new Uint8Array();
    expect([image[0], image[1], image[2]]).toEqual([0xff, 0xd8, 0xff]);
    const meta = await sharp(image).metadata();
    expect(meta.format).toBe('jpeg');
    for (const side of [meta.width, meta.height]) {
      expect(side).toBeLessThanOrEqual(OPTIONS.textureSize);
      expect(Math.log2(side) % 1).toBe(0);
    }
  });

  it('bleeds object colour past the outline, so the corners are not background', async () => {
    const uv = glbOf(await run('uv', { images: [onWhite], previous: glbOf(await run('optimise', { images: [onWhite], previous: glbOf(await run('geometry', { images: [onWhite] })) })) }));
    const glb = glbOf(await run('texture', { images: [onWhite], previous: uv }));
    const { data } = await sharp((await baseColour(glb)).getImage() ?? new Uint8Array()).raw().toBuffer({ resolveWithObject: true });
    const [r, g, b] = [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0];
    // The top-left texel is outside the ellipse, where the image is white.
    expect(Math.min(r, g, b)).toBeLessThan(200);
    expect(r).toBeGreaterThan(b);
  });

  it('projects UVs first when the model has none', async () => {
    const glb = glbOf(await run('texture', { previous: output('optimise') }));
    await expectValid(glb);
    expect(onlyPrimitive(await io.readBinary(glb)).getAttribute('TEXCOORD_0')).not.toBeNull();
  });

  it('takes "brighter" and "darker" into account', async () => {
    const plain = await meanLuminance(output('texture'));
    expect(await meanLuminance(glbOf(await run('texture', { previous: output('uv'), note: 'a bit brighter' })))).toBeGreaterThan(plain + 5);
    expect(await meanLuminance(glbOf(await run('texture', { previous: output('uv'), note: 'darker' })))).toBeLessThan(plain - 5);
  });
});

describe('lod', () => {
  it('adds MSFT_lod levels with fewer and fewer triangles, and the default scene draws only the first', async () => {
    const glb = output('lod');
    await expectValid(glb);
    const json = gltfJson(glb);
    expect(json.extensionsUsed).toContain('MSFT_lod');
    const sceneNodes = json.scenes?.[json.scene ?? 0]?.nodes ?? [];
    expect(sceneNodes).toHaveLength(1);
    const lod0 = json.nodes?.[sceneNodes[0] as number];
    const ids = lod0?.extensions?.MSFT_lod?.ids ?? [];
    expect(ids).toHaveLength(3);
    const counts = [lod0?.mesh, ...ids.map((id) => json.nodes?.[id]?.mesh)].map((m) => meshTriangles(json, m ?? -1));
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThan(counts[i - 1] as number);
    expect(counts[3]).toBeGreaterThan(0);
    // Levels live outside the scene tree: a plain viewer draws LOD0 only.
    for (const id of ids) expect(sceneNodes).not.toContain(id);
    expect(modelStats(glb).triangles).toBe(counts[0]);
    const coverage = lod0?.extras?.MSFT_screencoverage ?? [];
    expect(coverage).toHaveLength(4);
  });

  it('makes more or fewer levels on request, and never stacks levels when run again', async () => {
    const levels = async (glb: Uint8Array) => {
      const json = gltfJson(glb);
      const root = json.nodes?.[json.scenes?.[0]?.nodes?.[0] ?? -1];
      return root?.extensions?.MSFT_lod?.ids.length ?? 0;
    };
    expect(await levels(glbOf(await run('lod', { previous: output('texture'), note: 'more levels' })))).toBe(4);
    expect(await levels(glbOf(await run('lod', { previous: output('texture'), note: 'fewer levels' })))).toBe(2);
    const again = glbOf(await run('lod', { previous: output('lod') }));
    expect(await levels(again)).toBe(3);
    expect(gltfJson(again).nodes).toHaveLength(4);
  });

  it('leaves a model too small to simplify as it is, still valid', async () => {
    const glb = glbOf(await run('lod', { previous: await boxGlb(1) }));
    await expectValid(glb);
    expect(gltfJson(glb).extensionsUsed ?? []).not.toContain('MSFT_lod');
    expect(modelStats(glb).triangles).toBe(12);
  });
});

describe('every step', () => {
  it.each(['geometry', 'optimise', 'uv', 'texture', 'lod'] as const)('%s rejects with the abort reason when already aborted', async (step) => {
    const controller = new AbortController();
    controller.abort(new Error('asset deleted'));
    await expect(run(step, { previous: output('texture'), signal: controller.signal })).rejects.toThrow('asset deleted');
  });
});
