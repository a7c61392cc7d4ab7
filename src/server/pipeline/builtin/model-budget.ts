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
  /**
   * The most triangles any reader produces: the scene as drawn, or an export of every level of detail (one file per
   * level, each node written at that level or, with fewer levels, at its last one).
   */
  allTriangles: number;
  /** The same for vertices: each primitive writes every vertex of its POSITION accessor, however few it draws. */
  allVertices: number;
  nodes: number;
  /** Longest parent-to-child chain in the default scene (a root alone is 1). */
  depth: number;
  /** Width × height of every embedded image, added up: what a viewer has to decode. */
  texturePixels: number;
  /**
   * Bytes the model unpacks to: every accessor (count × element size, sparse and zero-filled ones included), every
   * buffer view that meshopt compression expands (count × stride), and every buffer as declared.
   */
  dataBytes: number;
  /** An embedded image whose size could not be read from its header, if any (1-based). */
  unreadableImage: number | null;
  /** Set when the JSON does not have the shape measuring needs: nothing can be said about its size. */
  unmeasurable: boolean;
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
  buffers: z.array(z.looseObject({ byteLength: index })).optional(),
  bufferViews: z
    .array(
      z.looseObject({
        byteOffset: index.optional(),
        byteLength: index,
        extensions: z
          .looseObject({ EXT_meshopt_compression: z.looseObject({ count: index, byteStride: index }).optional() })
          .optional(),
      }),
    )
    .optional(),
  images: z.array(z.looseObject({ bufferView: index.optional(), uri: z.string().optional() })).optional(),
});
type Gltf = z.infer<typeof GltfBudgetSchema>;

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

const EMPTY: ModelMeasure = {
  sceneTriangles: 0,
  allTriangles: 0,
  allVertices: 0,
  nodes: 0,
  depth: 0,
  texturePixels: 0,
  dataBytes: 0,
  unreadableImage: null,
  unmeasurable: false,
};

/**
 * Measures a GLB's JSON (and, for image sizes, its BIN chunk) the way its readers will expand it: the viewer draws
 * the default scene with GPU instances; the OBJ export writes every level of detail of every mesh node.
 */
export function measureModel(json: Record<string, unknown>, bin: Uint8Array | null): ModelMeasure {
  const parsed = GltfBudgetSchema.safeParse(json);
  if (!parsed.success) return { ...EMPTY, unmeasurable: true };
  const g = parsed.data;
  const images = imagePixels(g, bin);
  const accessorBytes = (g.accessors ?? []).reduce((sum, a) => sum + a.count * (COMPONENT_BYTES[a.componentType] ?? 4) * (TYPE_COMPONENTS[a.type] ?? 16), 0);
  const meshoptBytes = (g.bufferViews ?? []).reduce((sum, v) => {
    const m = v.extensions?.EXT_meshopt_compression;
    return sum + (m ? m.count * m.byteStride : 0);
  }, 0);
  const bufferBytes = (g.buffers ?? []).reduce((sum, b) => sum + b.byteLength, 0);
  return {
    ...drawn(g),
    nodes: g.nodes?.length ?? 0,
    texturePixels: images.pixels,
    unreadableImage: images.unreadable,
    dataBytes: accessorBytes + meshoptBytes + bufferBytes,
    unmeasurable: false,
  };
}

interface Size {
  triangles: number;
  vertices: number;
}

function drawn(g: Gltf): Pick<ModelMeasure, 'sceneTriangles' | 'allTriangles' | 'allVertices' | 'depth'> {
  const accessorCount = (i: number | undefined) => (i === undefined ? 0 : (g.accessors?.[i]?.count ?? 0));
  const meshSizes = new Map<number, Size>();
  const meshSize = (m: number | undefined): Size => {
    if (m === undefined) return { triangles: 0, vertices: 0 };
    let size = meshSizes.get(m);
    if (size) return size;
    size = { triangles: 0, vertices: 0 };
    for (const prim of g.meshes?.[m]?.primitives ?? []) {
      const count = prim.indices !== undefined ? accessorCount(prim.indices) : accessorCount(prim.attributes['POSITION']);
      const mode = prim.mode ?? 4;
      if (mode === 4) size.triangles += Math.floor(count / 3);
      else if (mode === 5 || mode === 6) size.triangles += Math.max(0, count - 2);
      size.vertices += accessorCount(prim.attributes['POSITION']);
    }
    meshSizes.set(m, size);
    return size;
  };

  let scene: Size = { triangles: 0, vertices: 0 };
  let depth = 0;
  const meshNodes: number[] = [];
  // Without recursion, and each node once: a node reached twice (an invalid graph, or a cycle) is not counted again.
  const seen = new Set<number>();
  const stack = (g.scenes?.[g.scene ?? 0]?.nodes ?? []).map((n) => ({ n, depth: 1 }));
  while (stack.length > 0) {
    const { n, depth: d } = stack.pop() as (typeof stack)[number];
    if (seen.has(n)) continue;
    seen.add(n);
    const node = g.nodes?.[n];
    if (!node) continue;
    if (d > depth) depth = d;
    if (node.mesh !== undefined) {
      meshNodes.push(n);
      const instancing = node.extensions?.EXT_mesh_gpu_instancing;
      // A viewer draws at least the mesh itself, whatever the instancing attributes say.
      const copies = instancing ? Object.values(instancing.attributes).reduce((most, a) => Math.max(most, accessorCount(a)), 1) : 1;
      const size = meshSize(node.mesh);
      scene = { triangles: scene.triangles + size.triangles * copies, vertices: scene.vertices + size.vertices * copies };
    }
    for (const child of node.children ?? []) stack.push({ n: child, depth: d + 1 });
  }

  // The export writes one file per level, 1 + the most levels any mesh node has; in each, every mesh node is written
  // at that level, or at its last level when it has fewer (itself when it has none). Counted per node in O(levels).
  const levelsOf = (n: number) => g.nodes?.[n]?.extensions?.MSFT_lod?.ids ?? [];
  const files = 1 + meshNodes.reduce((most, n) => Math.max(most, levelsOf(n).length), 0);
  let written: Size = { triangles: 0, vertices: 0 };
  const add = (size: Size, times: number) => {
    written = { triangles: written.triangles + size.triangles * times, vertices: written.vertices + size.vertices * times };
  };
  for (const n of meshNodes) {
    const ids = levelsOf(n);
    add(meshSize(g.nodes?.[n]?.mesh), ids.length === 0 ? files : 1);
    ids.forEach((id, k) => add(meshSize(g.nodes?.[id]?.mesh), k === ids.length - 1 ? files - ids.length : 1));
  }
  return {
    sceneTriangles: scene.triangles,
    allTriangles: Math.max(scene.triangles, written.triangles),
    allVertices: Math.max(scene.vertices, written.vertices),
    depth,
  };
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
  if (m.unmeasurable) {
    return 'The model could not be measured: its JSON does not have the shape of glTF 2.0 (a count, index or level that is not a whole number, say). Export it again as .glb.';
  }
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
    const levels = m.allTriangles > m.sceneTriangles ? ' counting every level of detail an export writes' : '';
    return `The model draws ${count(m.allTriangles)} triangles${levels} (each node that shows a mesh draws it again), ${times(m.allTriangles, LIMITS.modelTrianglesMax)} of ${count(LIMITS.modelTrianglesMax)}. Simplify it or use fewer copies, and export it again.`;
  }
  if (m.texturePixels > LIMITS.modelTexturePixelsMax) {
    const mp = (n: number) => `${(n / 1e6).toFixed(0)} megapixels`;
    return `The model's textures add up to ${mp(m.texturePixels)}, ${times(m.texturePixels, LIMITS.modelTexturePixelsMax)} of ${mp(LIMITS.modelTexturePixelsMax)}. Use smaller textures (4096 × 4096 or less) and export it again.`;
  }
  if (m.allVertices > LIMITS.modelVerticesMax) {
    return `The model writes ${count(m.allVertices)} vertices (each primitive writes every vertex it refers to, at every level of detail), ${times(m.allVertices, LIMITS.modelVerticesMax)} of ${count(LIMITS.modelVerticesMax)}. Simplify it and export it again.`;
  }
  if (m.dataBytes > LIMITS.modelDataBytesMax) {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
    return `The model's data unpacks to ${mb(m.dataBytes)}, ${times(m.dataBytes, LIMITS.modelDataBytesMax)} of ${mb(LIMITS.modelDataBytesMax)}. Simplify it and export it again.`;
  }
  return null;
}
