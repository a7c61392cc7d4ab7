// Turns a stored GLB into what a person downloads: the GLB itself, a zipped .gltf with its .bin and textures,
// or a zipped OBJ + MTL + textures with one OBJ per level of detail.
import type { Document, Material, Node, Primitive, Texture } from '@gltf-transform/core';
import { listTextureSlots } from '@gltf-transform/functions';
import { zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import { exportNaming } from '../exports/exporter';
import { drawnMeshNodes, gltfIO, readModel } from '../pipeline/builtin/gltf-io';
import { MSFT_LOD } from '../pipeline/builtin/msft-lod';
import type { Lod } from '../pipeline/builtin/msft-lod';
import { StepFailure } from '../pipeline/builtin/step-kit';

export type ExportFormat = 'glb' | 'gltf' | 'obj';

export interface ExportedModel {
  bytes: Uint8Array;
  contentType: string;
  fileName: string;
}

/**
 * The most OBJ text one export writes, all levels together. The model limits already bound it (about 1 GB at the
 * largest model they allow); this is the writer's own stop, in case a model is ever counted differently there.
 */
export const OBJ_TEXT_MAX = 1.5 * 2 ** 30;

/** `baseName` is a safe ASCII slug; it only ever names files inside the download, never a path on disk. */
export async function exportModel(
  glb: Uint8Array,
  format: ExportFormat,
  baseName: string,
  o: { objTextMax?: number } = {},
): Promise<ExportedModel> {
  if (format === 'glb') return { bytes: glb, contentType: 'model/gltf-binary', fileName: `${baseName}.glb` };
  const doc = await readModel(glb, 'The stored model');
  const textureFiles = nameTextures(doc, baseName);
  const budget = { left: o.objTextMax ?? OBJ_TEXT_MAX };
  const files = format === 'gltf' ? await gltfFiles(doc, baseName) : objFiles(doc, baseName, textureFiles, budget);
  return { bytes: zip(files), ...exportNaming(format, baseName) };
}

/** Already-compressed images are stored as they are; deflating them again costs time and saves nothing. */
function zip(files: Map<string, Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  for (const [name, data] of files) entries[name] = [data, { level: /\.(jpe?g|png|webp|ktx2)$/i.test(name) ? 0 : 6 }];
  return zipSync(entries);
}

/**
 * Lines of text encoded about a megabyte at a time, into bytes that live outside the JavaScript heap: an OBJ of
 * millions of lines is never one string, nor millions of them, which would not fit in an export worker's heap.
 */
class TextChunks {
  private chunks: Uint8Array[] = [];
  private lines: string[] = [];
  private length = 0;
  private readonly encoder = new TextEncoder();

  /** `budget` is shared by every file of one export: the bytes all of them may still write. */
  constructor(private readonly budget: { left: number }) {}

  push(line: string): void {
    this.lines.push(line);
    this.length += line.length + 1;
    if (this.length >= 1 << 20) this.flush();
  }

  /** All the text as one array; the chunks are let go of as they are copied. */
  done(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const chunk of this.chunks.splice(0)) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const chunk = this.encoder.encode(`${this.lines.join('\n')}\n`);
    this.budget.left -= chunk.byteLength;
    if (this.budget.left < 0) {
      throw new StepFailure('As OBJ it would be larger than this server writes for one download. Download it as GLB, which needs no conversion.');
    }
    this.chunks.push(chunk);
    this.lines = [];
    this.length = 0;
  }
}

const EXTENSION_BY_MIME: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/ktx2': 'ktx2',
  'image/avif': 'avif',
};

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .toLowerCase();
}

/** Gives every texture a unique file name inside the zip (and sets it as the texture's URI for .gltf). */
function nameTextures(doc: Document, baseName: string): Map<Texture, string> {
  const names = new Map<Texture, string>();
  const used = new Set<string>();
  doc
    .getRoot()
    .listTextures()
    .forEach((texture, i) => {
      const ext = EXTENSION_BY_MIME[texture.getMimeType()] ?? 'bin';
      // Named for what it does ("basecolor"), which reads better in a folder than the asset's name again.
      const slot = listTextureSlots(texture)[0]?.replace(/Texture$/, '');
      const stem = `${baseName}_${(slot && slug(slot)) || `texture_${i}`}`;
      let name = `${stem}.${ext}`;
      for (let k = 2; used.has(name); k++) name = `${stem}_${k}.${ext}`;
      used.add(name);
      names.set(texture, name);
      texture.setURI(name);
    });
  return names;
}

async function gltfFiles(doc: Document, baseName: string): Promise<Map<string, Uint8Array>> {
  doc
    .getRoot()
    .listBuffers()
    .forEach((buffer, i) => buffer.setURI(i === 0 ? `${baseName}.bin` : `${baseName}_${i}.bin`));
  const { json, resources } = await (await gltfIO()).writeJSON(doc);
  const files = new Map<string, Uint8Array>();
  files.set(`${baseName}.gltf`, new TextEncoder().encode(JSON.stringify(json, null, 2)));
  for (const [uri, data] of Object.entries(resources)) files.set(uri, data);
  return files;
}

// --- OBJ ---------------------------------------------------------------------------------------------------

type Mat4 = number[];

function multiply(a: ArrayLike<number>, b: ArrayLike<number>): Mat4 {
  const out = new Array<number>(16).fill(0);
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += (a[k * 4 + r] as number) * (b[c * 4 + k] as number);
      out[c * 4 + r] = sum;
    }
  }
  return out;
}

/** Cofactors of the upper 3×3, column-major: the inverse transpose up to scale, which is what normals need. */
function normalMatrix(m: ArrayLike<number>): { n: number[]; det: number } {
  const a = m[0] as number, b = m[1] as number, c = m[2] as number;
  const d = m[4] as number, e = m[5] as number, f = m[6] as number;
  const g = m[8] as number, h = m[9] as number, i = m[10] as number;
  const n = [e * i - f * h, f * g - d * i, d * h - e * g, c * h - b * i, a * i - c * g, b * g - a * h, b * f - c * e, c * d - a * f, a * e - b * d];
  const det = a * (e * i - f * h) - d * (b * i - c * h) + g * (b * f - c * e);
  return { n, det };
}

const num = (x: number) => String(Math.round(x * 1e6) / 1e6);

/** Triangle list of a primitive as vertex indices, whatever its draw mode; null for points and lines. */
function triangleList(prim: Primitive): Uint32Array | null {
  const count = prim.getIndices()?.getCount() ?? prim.getAttribute('POSITION')?.getCount() ?? 0;
  const indices = prim.getIndices();
  const at = (k: number) => (indices ? indices.getScalar(k) : k);
  const mode = prim.getMode();
  if (mode !== 4 && mode !== 5 && mode !== 6) return null;
  // A typed array, outside the heap: a large model's list would otherwise be millions of array slots.
  const out = new Uint32Array(mode === 4 ? Math.floor(count / 3) * 3 : Math.max(0, count - 2) * 3);
  let n = 0;
  const add = (a: number, b: number, c: number) => {
    out[n++] = a;
    out[n++] = b;
    out[n++] = c;
  };
  if (mode === 4) for (let k = 0; k + 2 < count; k += 3) add(at(k), at(k + 1), at(k + 2));
  else if (mode === 5) {
    for (let k = 0; k + 2 < count; k++) {
      if (k % 2 === 0) add(at(k), at(k + 1), at(k + 2));
      else add(at(k + 1), at(k), at(k + 2));
    }
  } else for (let k = 1; k + 1 < count; k++) add(at(0), at(k), at(k + 1));
  return out;
}

/** The node drawn at `level` in place of `node`: its MSFT_lod level, or its lowest one when it has fewer. */
function nodeAtLevel(node: Node, level: number): Node {
  if (level === 0) return node;
  const levels = node.getExtension<Lod>(MSFT_LOD)?.listLevels() ?? [];
  return levels[Math.min(level, levels.length) - 1] ?? node;
}

function levelCount(nodes: Node[]): number {
  return 1 + Math.max(0, ...nodes.map((n) => n.getExtension<Lod>(MSFT_LOD)?.listLevels().length ?? 0));
}

function objFiles(doc: Document, baseName: string, textureFiles: Map<Texture, string>, budget: { left: number }): Map<string, Uint8Array> {
  const nodes = drawnMeshNodes(doc);
  const materialNames = new Map<Material | null, string>();
  const used = new Set<string>();
  const materialName = (m: Material | null) => {
    const known = materialNames.get(m);
    if (known) return known;
    const stem = m ? slug(m.getName()) || `material_${materialNames.size}` : 'default';
    let name = stem;
    for (let k = 2; used.has(name); k++) name = `${stem}_${k}`;
    used.add(name);
    materialNames.set(m, name);
    return name;
  };

  const files = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  const levels = levelCount(nodes);
  for (let level = 0; level < levels; level++) {
    const lines = new TextChunks(budget);
    lines.push(`# ${baseName}${level > 0 ? ` LOD${level}` : ''}, exported by Asset Forge`);
    lines.push(`mtllib ${baseName}.mtl`);
    let vBase = 1;
    let vtBase = 1;
    let vnBase = 1;
    for (const node of nodes) {
      const drawn = nodeAtLevel(node, level);
      const mesh = drawn.getMesh();
      if (!mesh) continue;
      // A level node lives outside the tree; it takes the place of `node` under the same parent.
      const parent = node.getParentNode();
      const world = drawn === node ? node.getWorldMatrix() : parent ? multiply(parent.getWorldMatrix(), drawn.getMatrix()) : drawn.getMatrix();
      const { n: nm, det } = normalMatrix(world);
      const flip = det < 0;
      lines.push(`o ${slug(drawn.getName()) || 'object'}`);
      for (const prim of mesh.listPrimitives()) {
        const tris = triangleList(prim);
        const position = prim.getAttribute('POSITION');
        if (!tris || !position || tris.length === 0) continue;
        const uv = prim.getAttribute('TEXCOORD_0');
        const normal = prim.getAttribute('NORMAL');
        const count = position.getCount();
        const el = [0, 0, 0];
        for (let i = 0; i < count; i++) {
          position.getElement(i, el);
          const [x, y, z] = el as [number, number, number];
          lines.push(
            `v ${num((world[0] as number) * x + (world[4] as number) * y + (world[8] as number) * z + (world[12] as number))} ${num((world[1] as number) * x + (world[5] as number) * y + (world[9] as number) * z + (world[13] as number))} ${num((world[2] as number) * x + (world[6] as number) * y + (world[10] as number) * z + (world[14] as number))}`,
          );
        }
        if (uv) {
          const t = [0, 0];
          for (let i = 0; i < count; i++) {
            uv.getElement(i, t);
            // glTF puts V = 0 at the top of the image, OBJ at the bottom.
            lines.push(`vt ${num(t[0] as number)} ${num(1 - (t[1] as number))}`);
          }
        }
        if (normal) {
          for (let i = 0; i < count; i++) {
            normal.getElement(i, el);
            const [x, y, z] = el as [number, number, number];
            let nx = (nm[0] as number) * x + (nm[3] as number) * y + (nm[6] as number) * z;
            let ny = (nm[1] as number) * x + (nm[4] as number) * y + (nm[7] as number) * z;
            let nz = (nm[2] as number) * x + (nm[5] as number) * y + (nm[8] as number) * z;
            const len = Math.hypot(nx, ny, nz) || 1;
            const sign = flip ? -1 : 1;
            nx = (sign * nx) / len;
            ny = (sign * ny) / len;
            nz = (sign * nz) / len;
            lines.push(`vn ${num(nx)} ${num(ny)} ${num(nz)}`);
          }
        }
        lines.push(`usemtl ${materialName(prim.getMaterial())}`);
        const corner = (i: number) => {
          const v = vBase + i;
          if (uv && normal) return `${v}/${vtBase + i}/${vnBase + i}`;
          if (uv) return `${v}/${vtBase + i}`;
          if (normal) return `${v}//${vnBase + i}`;
          return `${v}`;
        };
        for (let t = 0; t + 2 < tris.length; t += 3) {
          const a = tris[t] as number;
          const b = tris[t + 1] as number;
          const c = tris[t + 2] as number;
          lines.push(flip ? `f ${corner(a)} ${corner(c)} ${corner(b)}` : `f ${corner(a)} ${corner(b)} ${corner(c)}`);
        }
        vBase += count;
        if (uv) vtBase += count;
        if (normal) vnBase += count;
      }
    }
    const objName = level === 0 ? `${baseName}.obj` : `${baseName}_LOD${level}.obj`;
    files.set(objName, lines.done());
  }

  const mtl: string[] = [`# Materials for ${baseName}, exported by Asset Forge`];
  for (const [material, name] of materialNames) {
    const [r, g, b, a] = material?.getBaseColorFactor() ?? [0.8, 0.8, 0.8, 1];
    mtl.push('', `newmtl ${name}`, 'Ka 0 0 0', `Kd ${num(r)} ${num(g)} ${num(b)}`, 'Ks 0 0 0', 'Ns 10', `d ${num(a)}`, 'illum 1');
    const texture = material?.getBaseColorTexture();
    const file = texture ? textureFiles.get(texture) : undefined;
    if (texture && file) {
      mtl.push(`map_Kd ${file}`);
      files.set(file, texture.getImage() ?? new Uint8Array());
    }
  }
  files.set(`${baseName}.mtl`, encoder.encode(`${mtl.join('\n')}\n`));
  return files;
}
