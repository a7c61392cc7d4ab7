// Reads the GLB container (header, JSON chunk, optional BIN chunk) without trusting a byte of it, and counts
// the triangles the default scene draws straight from the JSON, so that no buffer has to be decoded.
import { z } from 'zod';

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

export type ContainerResult = { ok: true; json: Record<string, unknown>; binLength: number } | { ok: false; reason: string };

const startsWith = (bytes: Uint8Array, sig: readonly number[]) => sig.every((b, i) => bytes[i] === b);

/** Whether the bytes start with the GLB signature "glTF" (the cheap first test of an upload). */
export function hasGlbMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46;
}

function notAGlb(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'This is a PNG image, not a 3D model. Upload the model as a .glb file.';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'This is a JPEG image, not a 3D model. Upload the model as a .glb file.';
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  if (head.startsWith('{')) {
    return 'This looks like a .gltf text file. Upload a single binary .glb file instead: it carries its buffers and textures inside.';
  }
  return 'This file is not a GLB model: it does not start with the binary glTF signature. Export the model as .glb and upload that.';
}

/** Checks the container's structure; the JSON is parsed but not validated (that is the Khronos validator's job). */
export function readContainer(bytes: Uint8Array): ContainerResult {
  try {
    if (bytes.byteLength < 12) {
      return { ok: false, reason: bytes.byteLength === 0 ? 'The file is empty.' : notAGlb(bytes) };
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== GLB_MAGIC) return { ok: false, reason: notAGlb(bytes) };
    const version = view.getUint32(4, true);
    if (version !== 2) {
      return { ok: false, reason: `This GLB uses glTF version ${version}; only glTF 2.0 models are supported. Export it again as glTF 2.0.` };
    }
    const declared = view.getUint32(8, true);
    if (declared !== bytes.byteLength) {
      return {
        ok: false,
        reason: `The file is incomplete or has extra bytes: its header says ${declared} bytes but it has ${bytes.byteLength}. It may have been cut off; export and upload it again.`,
      };
    }
    const damaged = (what: string) => ({ ok: false as const, reason: `The file is damaged: ${what}. Export the model again as .glb.` });
    if (bytes.byteLength < 20) return damaged('it has no JSON chunk');
    const jsonLength = view.getUint32(12, true);
    if (view.getUint32(16, true) !== CHUNK_JSON) return damaged('its first chunk is not the JSON chunk');
    if (jsonLength === 0 || 20 + jsonLength > bytes.byteLength) return damaged('its JSON chunk length is wrong');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(20, 20 + jsonLength)));
    } catch {
      return damaged('its JSON chunk is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return damaged('its JSON chunk is not a glTF object');
    let offset = 20 + jsonLength;
    let binLength = 0;
    let chunkIndex = 1;
    while (offset < bytes.byteLength) {
      if (offset + 8 > bytes.byteLength) return damaged('it ends in the middle of a chunk header');
      const length = view.getUint32(offset, true);
      const type = view.getUint32(offset + 4, true);
      if (offset + 8 + length > bytes.byteLength) return damaged('a chunk is longer than the file');
      if (type === CHUNK_BIN) {
        if (chunkIndex !== 1) return damaged('its binary chunk is not the second chunk');
        binLength = length;
      }
      offset += 8 + length;
      chunkIndex++;
    }
    return { ok: true, json: json as Record<string, unknown>, binLength };
  } catch {
    return { ok: false, reason: 'The file could not be read as a GLB model.' };
  }
}

const index = z.number().int().nonnegative();
const GltfCountSchema = z.looseObject({
  scene: index.optional(),
  scenes: z.array(z.looseObject({ nodes: z.array(index).optional() })).optional(),
  nodes: z
    .array(
      z.looseObject({
        mesh: index.optional(),
        children: z.array(index).optional(),
        extensions: z
          .looseObject({
            EXT_mesh_gpu_instancing: z.looseObject({ attributes: z.record(z.string(), index) }).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  meshes: z
    .array(
      z.looseObject({
        primitives: z.array(
          z.looseObject({ attributes: z.record(z.string(), index), indices: index.optional(), mode: z.number().int().optional() }),
        ),
      }),
    )
    .optional(),
  accessors: z.array(z.looseObject({ count: index })).optional(),
});

/** Triangles drawn by the default scene (nodes outside it, such as MSFT_lod levels, do not count). */
export function countSceneTriangles(json: Record<string, unknown>): number {
  const parsed = GltfCountSchema.safeParse(json);
  if (!parsed.success) return 0;
  const g = parsed.data;
  const scene = g.scenes?.[g.scene ?? 0];
  if (!scene) return 0;
  const accessorCount = (i: number | undefined) => (i === undefined ? 0 : (g.accessors?.[i]?.count ?? 0));
  const meshTriangles = (m: number) => {
    let total = 0;
    for (const prim of g.meshes?.[m]?.primitives ?? []) {
      const count = prim.indices !== undefined ? accessorCount(prim.indices) : accessorCount(prim.attributes['POSITION']);
      const mode = prim.mode ?? 4;
      if (mode === 4) total += Math.floor(count / 3);
      else if (mode === 5 || mode === 6) total += Math.max(0, count - 2);
    }
    return total;
  };
  let total = 0;
  const seen = new Set<number>();
  const stack = [...(scene.nodes ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as number;
    // A node reached twice is an invalid graph; count it once rather than loop.
    if (seen.has(n)) continue;
    seen.add(n);
    const node = g.nodes?.[n];
    if (!node) continue;
    if (node.mesh !== undefined) {
      const instancing = node.extensions?.EXT_mesh_gpu_instancing;
      const firstAttribute = instancing ? Object.values(instancing.attributes)[0] : undefined;
      const copies = instancing ? accessorCount(firstAttribute) : 1;
      total += meshTriangles(node.mesh) * copies;
    }
    stack.push(...(node.children ?? []));
  }
  return total;
}
