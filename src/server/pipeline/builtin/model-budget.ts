// What a model costs to open, measured from its JSON and image headers before anything decodes it: triangles as
// drawn (every node that instances a mesh, GPU instances and levels of detail included), nodes, scene depth,
// texture pixels and accessor data. A small file can describe an enormous model (one mesh drawn by 20,000 nodes,
// a 1 KB PNG that decodes to a gigapixel); these limits stop such a model before any step, export or statistic
// reads it.
import { imageSize } from 'image-size';
import { z } from 'zod';
import { LIMITS } from '../../../contract/api';

export interface ModelMeasure {
  /** Triangles the default scene draws: its meshes once per node that instances them, times GPU instances. */
  sceneTriangles: number;
  /** The same, plus every MSFT_lod level: what an export of all levels has to write. */
  allTriangles: number;
  nodes: number;
  /** Longest parent-to-child chain in the default scene (a root alone is 1). */
  depth: number;
  /** Width × height of every embedded image, added up: what a viewer has to decode. */
  texturePixels: number;
  /** Bytes of all accessors once decoded (count × element size), sparse and zero-filled ones included. */
  accessorBytes: number;
  /** An embedded image whose size could not be read from its header, if any (1-based). */
  unreadableImage: number | null;
}

const index = z.number().int().nonnegative();
const Extensions = z
  .looseObject({
    EXT_mesh_gpu_instancing: z.looseObject({ attributes: z.record(z.string(), index) }).optional(),
    MSFT_lod: z.looseObject({ ids: z.array(index) }).optional(),
  })
  .optional();
const GltfBudgetSchema = z.looseObject({
  scene: index.optional(),
  scenes: z.array(z.looseObject({ nodes: z.array(index).optional() })).optional(),
  nodes: z.array(z.looseObject({ mesh: index.optional(), children: z.array(index).optional(), extensions: Extensions })).optional(),
  meshes: z
    .array(
      z.looseObject({
        primitives: z.array(
          z.looseObject({ attributes: z.record(z.string(), index), indices: index.optional(), mode: z.number().int().optional() }),
        ),
      }),
    )
    .optional(),
  accessors: z.array(z.looseObject({ count: index, componentType: z.number().int(), type: z.string() })).optional(),
  bufferViews: z.array(z.looseObject({ byteOffset: index.optional(), byteLength: index })).optional(),
  images: z.array(z.looseObject({ bufferView: index.optional(), uri: z.string().optional() })).optional(),
});
type Gltf = z.infer<typeof GltfBudgetSchema>;

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

/**
 * Measures a GLB's JSON (and, for image sizes, its BIN chunk). JSON that does not even have glTF's shape measures
 * as empty: the validator is what refuses it, with a better message than a budget could give.
 */
export function measureModel(json: Record<string, unknown>, bin: Uint8Array | null): ModelMeasure {
  const parsed = GltfBudgetSchema.safeParse(json);
  const empty: ModelMeasure = { sceneTriangles: 0, allTriangles: 0, nodes: 0, depth: 0, texturePixels: 0, accessorBytes: 0, unreadableImage: null };
  if (!parsed.success) return empty;
  const g = parsed.data;
  const drawn = drawnTriangles(g);
  const images = imagePixels(g, bin);
  return {
    ...drawn,
    nodes: g.nodes?.length ?? 0,
    texturePixels: images.pixels,
    unreadableImage: images.unreadable,
    accessorBytes: (g.accessors ?? []).reduce((sum, a) => sum + a.count * (COMPONENT_BYTES[a.componentType] ?? 4) * (TYPE_COMPONENTS[a.type] ?? 16), 0),
  };
}

function drawnTriangles(g: Gltf): Pick<ModelMeasure, 'sceneTriangles' | 'allTriangles' | 'depth'> {
  const accessorCount = (i: number | undefined) => (i === undefined ? 0 : (g.accessors?.[i]?.count ?? 0));
  const meshTriangles = new Map<number, number>();
  const trianglesOf = (m: number) => {
    let total = meshTriangles.get(m);
    if (total !== undefined) return total;
    total = 0;
    for (const prim of g.meshes?.[m]?.primitives ?? []) {
      const count = prim.indices !== undefined ? accessorCount(prim.indices) : accessorCount(prim.attributes['POSITION']);
      const mode = prim.mode ?? 4;
      if (mode === 4) total += Math.floor(count / 3);
      else if (mode === 5 || mode === 6) total += Math.max(0, count - 2);
    }
    meshTriangles.set(m, total);
    return total;
  };

  let sceneTriangles = 0;
  let allTriangles = 0;
  let depth = 0;
  const scene = g.scenes?.[g.scene ?? 0];
  // Without recursion, and each node once: a node reached twice (an invalid graph, or a cycle) is not counted again.
  const seen = new Set<number>();
  const stack: { n: number; depth: number; level: boolean }[] = (scene?.nodes ?? []).map((n) => ({ n, depth: 1, level: false }));
  while (stack.length > 0) {
    const { n, depth: d, level } = stack.pop() as (typeof stack)[number];
    if (seen.has(n)) continue;
    seen.add(n);
    const node = g.nodes?.[n];
    if (!node) continue;
    if (!level && d > depth) depth = d;
    if (node.mesh !== undefined) {
      const instancing = node.extensions?.EXT_mesh_gpu_instancing;
      const copies = instancing ? accessorCount(Object.values(instancing.attributes)[0]) : 1;
      const triangles = trianglesOf(node.mesh) * copies;
      allTriangles += triangles;
      if (!level) sceneTriangles += triangles;
    }
    for (const child of node.children ?? []) stack.push({ n: child, depth: d + 1, level });
    // MSFT_lod levels live outside the scene and stand in for this node; exports write them all.
    for (const id of node.extensions?.MSFT_lod?.ids ?? []) stack.push({ n: id, depth: d, level: true });
  }
  return { sceneTriangles, allTriangles, depth };
}

function imagePixels(g: Gltf, bin: Uint8Array | null): { pixels: number; unreadable: number | null } {
  let pixels = 0;
  let unreadable: number | null = null;
  (g.images ?? []).forEach((image, i) => {
    const bytes = imageBytes(g, image, bin);
    if (bytes === undefined) return; // an external file: nothing here to decode
    let size: { width?: number; height?: number } | null;
    try {
      size = bytes ? imageSize(bytes) : null;
    } catch {
      size = null;
    }
    if (size?.width && size.height) pixels += size.width * size.height;
    else unreadable ??= i + 1;
  });
  return { pixels, unreadable };
}

/** The image's encoded bytes; null when they should be there but are not readable, undefined for an external file. */
function imageBytes(g: Gltf, image: NonNullable<Gltf['images']>[number], bin: Uint8Array | null): Uint8Array | null | undefined {
  if (image.bufferView !== undefined) {
    const view = g.bufferViews?.[image.bufferView];
    if (!view || !bin) return null;
    const start = view.byteOffset ?? 0;
    if (start + view.byteLength > bin.byteLength) return null;
    return bin.subarray(start, start + view.byteLength);
  }
  const uri = image.uri ?? '';
  const data = /^data:[^,]*;base64,/.exec(uri);
  if (data) return Buffer.from(uri.slice(data[0].length), 'base64');
  return undefined;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const times = (actual: number, max: number) => `${(actual / max).toFixed(actual / max < 10 ? 1 : 0)} times the limit`;

/**
 * The first limit the model breaks, said so a person knows which and by how much; null when it is within all.
 * The same limits hold for uploads, for the generator's own output and before any export.
 */
export function overBudget(m: ModelMeasure): string | null {
  if (m.unreadableImage !== null) {
    return `Texture ${m.unreadableImage} is not an image this service can read (PNG, JPEG, WebP or KTX2). Export the model again with standard textures.`;
  }
  if (m.nodes > LIMITS.modelNodesMax) {
    return `The model has ${count(m.nodes)} nodes, ${times(m.nodes, LIMITS.modelNodesMax)} of ${count(LIMITS.modelNodesMax)}. Merge or remove nodes and export it again.`;
  }
  if (m.depth > LIMITS.modelDepthMax) {
    return `The model's node hierarchy is ${count(m.depth)} levels deep; the limit is ${count(LIMITS.modelDepthMax)}. Flatten the hierarchy and export it again.`;
  }
  if (m.allTriangles > LIMITS.modelTrianglesMax) {
    const levels = m.allTriangles > m.sceneTriangles ? ' counting every level of detail' : '';
    return `The model draws ${count(m.allTriangles)} triangles${levels} (each node that shows a mesh draws it again), ${times(m.allTriangles, LIMITS.modelTrianglesMax)} of ${count(LIMITS.modelTrianglesMax)}. Simplify it or use fewer copies, and export it again.`;
  }
  if (m.texturePixels > LIMITS.modelTexturePixelsMax) {
    const mp = (n: number) => `${(n / 1e6).toFixed(0)} megapixels`;
    return `The model's textures add up to ${mp(m.texturePixels)}, ${times(m.texturePixels, LIMITS.modelTexturePixelsMax)} of ${mp(LIMITS.modelTexturePixelsMax)}. Use smaller textures (4096 × 4096 or less) and export it again.`;
  }
  if (m.accessorBytes > LIMITS.modelDataBytesMax) {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
    return `The model's geometry data unpacks to ${mb(m.accessorBytes)}, ${times(m.accessorBytes, LIMITS.modelDataBytesMax)} of ${mb(LIMITS.modelDataBytesMax)}. Simplify it and export it again.`;
  }
  return null;
}
