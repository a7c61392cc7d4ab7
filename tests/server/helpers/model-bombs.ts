// GLB bytes for tests of the model limits: a container around any JSON, and small files that describe huge models
// (the shapes an outside probe used: one mesh drawn by thousands of nodes, GPU instances, deep chains, a texture
// whose header claims a gigapixel, a zero-filled accessor).
import { Document, NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';

/** Splits a GLB into its JSON and BIN chunks. */
export function chunks(glb: Uint8Array): { json: Record<string, unknown>; bin: Uint8Array } {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  const jsonLength = view.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLength))) as Record<string, unknown>;
  const binStart = 20 + jsonLength;
  const binLength = view.getUint32(binStart, true);
  return { json, bin: glb.subarray(binStart + 8, binStart + 8 + binLength) };
}

/** A well-formed GLB container around any JSON, so that only the validator (or a limit) can object. */
export function glbFrom(json: unknown, bin: Uint8Array): Uint8Array {
  let text = new TextEncoder().encode(JSON.stringify(json));
  const pad = (4 - (text.length % 4)) % 4;
  text = new Uint8Array([...text, ...new Array<number>(pad).fill(0x20)]);
  const binPadded = new Uint8Array(Math.ceil(bin.length / 4) * 4);
  binPadded.set(bin);
  const total = 12 + 8 + text.length + 8 + binPadded.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x46546c67, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, text.length, true);
  view.setUint32(16, 0x4e4f534a, true);
  out.set(text, 20);
  view.setUint32(20 + text.length, binPadded.length, true);
  view.setUint32(24 + text.length, 0x004e4942, true);
  out.set(binPadded, 28 + text.length);
  return out;
}

/** A flat strip of `triangles` indexed triangles: a mesh whose size is exactly known. */
function stripMesh(doc: Document, triangles: number) {
  const columns = Math.ceil(triangles / 2);
  const positions = new Float32Array((columns + 1) * 2 * 3);
  for (let i = 0; i <= columns; i++) {
    positions.set([i / columns, 0, 0], i * 6);
    positions.set([i / columns, 1, 0], i * 6 + 3);
  }
  const indices = new Uint32Array(triangles * 3);
  for (let t = 0; t < triangles; t++) {
    const i = Math.floor(t / 2);
    const [a, b, c, d] = [2 * i, 2 * i + 1, 2 * i + 2, 2 * i + 3];
    indices.set(t % 2 === 0 ? [a, c, b] : [b, c, d], t * 3);
  }
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer();
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer));
  return doc.createMesh('Strip').addPrimitive(prim);
}

/** One mesh of `trianglesPerMesh` triangles, drawn by `nodes` nodes side by side: valid glTF, and tiny on disk. */
export async function instancingBomb(nodes: number, trianglesPerMesh: number): Promise<Uint8Array> {
  const doc = new Document();
  const mesh = stripMesh(doc, trianglesPerMesh);
  const scene = doc.createScene('Scene');
  for (let i = 0; i < nodes; i++) scene.addChild(doc.createNode(`Copy ${i}`).setMesh(mesh).setTranslation([0, i * 1.5, 0]));
  doc.getRoot().setDefaultScene(scene);
  return new NodeIO().writeBinary(doc);
}

/** One node drawing its mesh `instances` times through EXT_mesh_gpu_instancing. */
export async function gpuInstancingBomb(instances: number, trianglesPerMesh: number): Promise<Uint8Array> {
  const { json, bin } = chunks(await instancingBomb(1, trianglesPerMesh));
  const offsets = new Float32Array(instances * 3).map((_, k) => (k % 3 === 1 ? Math.floor(k / 3) * 1.5 : 0));
  const all = new Uint8Array(bin.byteLength + offsets.byteLength);
  all.set(bin);
  all.set(new Uint8Array(offsets.buffer), bin.byteLength);
  const g = json as {
    buffers: { byteLength: number }[];
    bufferViews: object[];
    accessors: object[];
    nodes: { extensions?: object }[];
    extensionsUsed?: string[];
  };
  g.bufferViews.push({ buffer: 0, byteOffset: bin.byteLength, byteLength: offsets.byteLength });
  g.accessors.push({ bufferView: g.bufferViews.length - 1, componentType: 5126, count: instances, type: 'VEC3' });
  (g.nodes[0] as { extensions?: object }).extensions = { EXT_mesh_gpu_instancing: { attributes: { TRANSLATION: g.accessors.length - 1 } } };
  g.extensionsUsed = [...(g.extensionsUsed ?? []), 'EXT_mesh_gpu_instancing'];
  (g.buffers[0] as { byteLength: number }).byteLength = all.byteLength;
  return glbFrom(g, all);
}

/** A chain of `depth` nodes, each the only child of the one before, with a small mesh at the end. */
export async function deepChain(depth: number): Promise<Uint8Array> {
  const doc = new Document();
  const mesh = stripMesh(doc, 2);
  const root = doc.createNode('Level 1');
  let parent = root;
  for (let i = 2; i <= depth; i++) {
    const child = doc.createNode(`Level ${i}`);
    parent.addChild(child);
    parent = child;
  }
  parent.setMesh(mesh);
  doc.getRoot().setDefaultScene(doc.createScene('Scene').addChild(root));
  return new NodeIO().writeBinary(doc);
}

/** A small model with one base-colour texture: a real PNG whose header is rewritten to claim width × height. */
export async function textureBomb(width: number, height: number): Promise<Uint8Array> {
  const png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer());
  const view = new DataView(png.buffer, png.byteOffset);
  view.setUint32(16, width); // IHDR: big-endian width, then height
  view.setUint32(20, height);
  const doc = new Document();
  const mesh = stripMesh(doc, 2);
  const texture = doc.createTexture('Claimed').setImage(png).setMimeType('image/png');
  mesh.listPrimitives()[0]?.setMaterial(doc.createMaterial('Paint').setBaseColorTexture(texture));
  doc.getRoot().setDefaultScene(doc.createScene('Scene').addChild(doc.createNode('Painted').setMesh(mesh)));
  return new NodeIO().writeBinary(doc);
}

/** A small model plus one accessor of `count` VEC3 floats with no buffer view: glTF fills it with zeros. */
export async function zeroFilledAccessor(count: number): Promise<Uint8Array> {
  const { json, bin } = chunks(await instancingBomb(1, 2));
  (json['accessors'] as object[]).push({ componentType: 5126, count, type: 'VEC3', max: [0, 0, 0], min: [0, 0, 0] });
  return glbFrom(json, bin);
}
