// One place that reads and writes GLB documents for the pipeline and the exports: every Khronos extension
// glTF-Transform knows, MSFT_lod, and meshopt decoding, so that a person's own model survives the steps.
import { Logger, NodeIO, Primitive } from '@gltf-transform/core';
import type { Document, Node, Scene } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { MeshoptDecoder } from 'meshoptimizer';
import { readContainer } from './glb-container';
import { measureModel, overBudget } from './model-budget';
import { MsftLod } from './msft-lod';
import { StepFailure } from './step-kit';

/** Compression we can decode but do not write back: the steps' outputs stay plain glTF. */
const DROP_ON_READ = ['EXT_meshopt_compression', 'KHR_draco_mesh_compression'];

let ioPromise: Promise<NodeIO> | null = null;

export function gltfIO(): Promise<NodeIO> {
  ioPromise ??= (async () => {
    await MeshoptDecoder.ready;
    return new NodeIO()
      .setLogger(new Logger(Logger.Verbosity.ERROR))
      .registerExtensions([...ALL_EXTENSIONS, MsftLod])
      .registerDependencies({ 'meshopt.decoder': MeshoptDecoder });
  })();
  return ioPromise;
}

/** Reads a GLB, or throws a StepFailure that tells the person what is wrong with the model. */
export async function readModel(bytes: Uint8Array | null, what = 'The model from the previous step'): Promise<Document> {
  if (!bytes) throw new StepFailure(`${what} is missing. Re-run the previous step or upload a model there.`);
  const container = readContainer(bytes);
  if (!container.ok) throw new StepFailure(`${what} could not be read. ${container.reason}`);
  const used = container.json['extensionsUsed'];
  if (Array.isArray(used) && used.includes('KHR_draco_mesh_compression')) {
    throw new StepFailure(
      `${what} uses Draco mesh compression, which this service cannot decode. Export it again without Draco compression and upload it.`,
    );
  }
  // Before glTF-Transform unpacks a byte: a small file can describe a model far too big to hold in memory.
  const tooBig = overBudget(measureModel(container.json, container.bin));
  if (tooBig) throw new StepFailure(`${what} is too big to process. ${tooBig}`);
  let doc: Document;
  try {
    doc = await (await gltfIO()).readBinary(bytes);
  } catch {
    throw new StepFailure(`${what} could not be read: its data is damaged or uses a feature this service does not support. Upload a valid .glb file.`);
  }
  doc.setLogger(new Logger(Logger.Verbosity.ERROR));
  for (const ext of doc.getRoot().listExtensionsUsed()) {
    if (DROP_ON_READ.includes(ext.extensionName)) ext.dispose();
  }
  return doc;
}

export async function writeModel(doc: Document): Promise<Uint8Array> {
  return (await gltfIO()).writeBinary(doc);
}

export function defaultScene(doc: Document): Scene | null {
  const root = doc.getRoot();
  return root.getDefaultScene() ?? root.listScenes()[0] ?? null;
}

/** Nodes of the default scene that hold a mesh, in scene order (a node reached twice is listed once). */
export function drawnMeshNodes(doc: Document): Node[] {
  const scene = defaultScene(doc);
  const out: Node[] = [];
  if (!scene) return out;
  const seen = new Set<Node>();
  scene.traverse((node) => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.getMesh()) out.push(node);
  });
  return out;
}

export function primitiveTriangles(prim: Primitive): number {
  const count = prim.getIndices()?.getCount() ?? prim.getAttribute('POSITION')?.getCount() ?? 0;
  switch (prim.getMode()) {
    case Primitive.Mode.TRIANGLES:
      return Math.floor(count / 3);
    case Primitive.Mode.TRIANGLE_STRIP:
    case Primitive.Mode.TRIANGLE_FAN:
      return Math.max(0, count - 2);
    default:
      return 0;
  }
}

/** Triangles the default scene draws. */
export function sceneTriangles(doc: Document): number {
  let total = 0;
  for (const node of drawnMeshNodes(doc)) {
    for (const prim of node.getMesh()?.listPrimitives() ?? []) total += primitiveTriangles(prim);
  }
  return total;
}
