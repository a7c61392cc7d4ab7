// Test fixtures for the built-in generator and the model helpers: small reference images made in code, step
// inputs, and a tiny hand-built GLB for "a person's own model".
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Document, NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { createBuiltinGenerator } from '../../../src/server/pipeline/builtin-generator';
import type { SourceImage, StepInput } from '../../../src/server/pipeline/generator';
import { seededRandom } from '../../../src/server/seed/seeded-random';

/** A folder for one test file's images; `cleanup` removes it. */
export async function imageFolder(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asset-forge-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function saveImage(dir: string, name: string, bytes: Uint8Array): Promise<SourceImage> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return { path: file, mime: name.endsWith('.jpg') ? 'image/jpeg' : 'image/png' };
}

export interface ObjectImageOptions {
  size?: number;
  /** Opaque background colour; transparent when absent. */
  background?: string;
  /** Half-width and half-height of the object's elliptical body, in pixels. */
  rx?: number;
  ry?: number;
}

/** A shaded orange ellipse with a darker band: an object with a known box and some surface detail. */
export function objectSvg(o: ObjectImageOptions = {}): string {
  const size = o.size ?? 128;
  const rx = o.rx ?? size * 0.3;
  const ry = o.ry ?? size * 0.2;
  const c = size / 2;
  const bg = o.background ? `<rect width="${size}" height="${size}" fill="${o.background}"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <defs><radialGradient id="g" cx="0.4" cy="0.35" r="0.7">
      <stop offset="0" stop-color="#ffb27a"/><stop offset="1" stop-color="#b4400e"/>
    </radialGradient></defs>
    ${bg}
    <ellipse cx="${c}" cy="${c}" rx="${rx}" ry="${ry}" fill="url(#g)"/>
    <rect x="${c - rx * 0.8}" y="${c - ry * 0.15}" width="${rx * 1.6}" height="${ry * 0.3}" fill="#5a2006"/>
  </svg>`;
}

/** A body with hair-thin parts (2–3 px): the hard case for a closed mesh, where front and back nearly touch. */
export function thinPartsSvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128">
    <ellipse cx="50" cy="64" rx="30" ry="20" fill="#c84"/>
    <rect x="78" y="62" width="40" height="2" fill="#c84"/>
    <rect x="20" y="90" width="2.5" height="30" fill="#c84"/>
    <path d="M60 20 L100 40 L99 42 L59 22 Z" fill="#48c"/>
  </svg>`;
}

export async function svgPng(svg: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

export async function solidPng(width: number, height: number, colour: { r: number; g: number; b: number; alpha?: number }): Promise<Uint8Array> {
  const channels = colour.alpha === undefined ? 3 : 4;
  return new Uint8Array(
    await sharp({ create: { width, height, channels, background: { ...colour, alpha: colour.alpha ?? 1 } } })
      .png()
      .toBuffer(),
  );
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so fuzz and noise tests repeat exactly. */
export { seededRandom };

/** Colour noise over the whole frame: no background to find. */
export async function noisePng(size: number, seed = 1): Promise<Uint8Array> {
  const rnd = seededRandom(seed);
  const raw = Buffer.alloc(size * size * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(rnd() * 256);
  return new Uint8Array(await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
}

export function stepInput(overrides: Partial<StepInput> = {}): StepInput {
  return {
    asset: { id: 'asset_test', name: 'Test object', polycount: null },
    images: [],
    previous: null,
    note: null,
    signal: new AbortController().signal,
    report: () => undefined,
    ...overrides,
  };
}

/**
 * "A person's own model": an unindexed box (flat-shaded, so no vertex is shared) with a node transform and no
 * UVs, built with glTF-Transform. `subdivisions` splits each face into a grid to give the simplifier work.
 */
export async function boxGlb(subdivisions = 1, translation: [number, number, number] = [0, 0, 0]): Promise<Uint8Array> {
  const positions: number[] = [];
  const normals: number[] = [];
  type V3 = readonly [number, number, number];
  const faces: readonly (readonly [V3, V3, V3])[] = [
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [0, 0, 1], [1, 0, 0]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [0, 1, 0], [1, 0, 0]],
  ];
  const n = subdivisions;
  for (const [normal, u, v] of faces) {
    const corner = (i: number, j: number) => {
      const a = -0.5 + i / n;
      const b = -0.5 + j / n;
      return [0, 1, 2].map((k) => normal[k as 0 | 1 | 2] * 0.5 + u[k as 0 | 1 | 2] * a + v[k as 0 | 1 | 2] * b);
    };
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        for (const [di, dj] of [[0, 0], [1, 0], [1, 1], [0, 0], [1, 1], [0, 1]] as const) {
          positions.push(...corner(i + di, j + dj));
          normals.push(...normal);
        }
      }
    }
  }
  const doc = new Document();
  const buffer = doc.createBuffer();
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(positions)).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(normals)).setBuffer(buffer))
    .setMaterial(doc.createMaterial('Paint').setBaseColorFactor([0.2, 0.4, 0.8, 1]));
  const node = doc.createNode('Box').setMesh(doc.createMesh('Box').addPrimitive(prim)).setTranslation(translation);
  doc.getRoot().setDefaultScene(doc.createScene('Scene').addChild(node));
  return new NodeIO().writeBinary(doc);
}

export type StepOutputs = Record<'geometry' | 'optimise' | 'uv' | 'texture' | 'lod', Uint8Array>;

/** Runs the built-in generator's whole chain on a small cut-out image, with small budgets so tests stay fast. */
export async function smallPipelineModels(dir: string): Promise<StepOutputs> {
  const generator = createBuiltinGenerator({ workingSize: 128, highPolyTriangles: 8_000, defaultPolycount: 1_500, textureSize: 128 });
  const image = await saveImage(dir, 'chain.png', await svgPng(objectSvg({ size: 128 })));
  const out: Partial<StepOutputs> = {};
  let previous: Uint8Array | null = null;
  for (const step of ['geometry', 'optimise', 'uv', 'texture', 'lod'] as const) {
    const result = await generator[step](stepInput({ images: [image], previous }));
    if (!result.ok) throw new Error(`${step} failed: ${result.reason}`);
    previous = result.glb;
    out[step] = result.glb;
  }
  return out as StepOutputs;
}

/**
 * Runs the small pipeline once for the calling test file (in beforeAll) and cleans up after it; returns a
 * getter, since the models exist only once the hook has run.
 */
export function usePipelineModels(): () => StepOutputs {
  let models: StepOutputs | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const folder = await imageFolder();
    cleanup = folder.cleanup;
    models = await smallPipelineModels(folder.dir);
  });
  afterAll(async () => {
    await cleanup?.();
  });
  return () => {
    if (!models) throw new Error('usePipelineModels: the models are only ready inside tests');
    return models;
  };
}
