// Builds small GLBs in memory with glTF-Transform, so each preview test carries its own model and needs no fixture file.
import { Document, NodeIO } from '@gltf-transform/core';

/**
 * An axis-aligned box of `size` metres made of 12 indexed triangles over 8 vertices, standing on y = 0, in a clay
 * material; `extraUnusedNode` adds a mesh node that no scene includes (as MSFT_lod levels are), which must not count.
 */
export async function boxGlb(size: [number, number, number], options: { extraUnusedNode?: boolean } = {}): Promise<Uint8Array> {
  const [x, y, z] = size;
  const doc = new Document();
  const buffer = doc.createBuffer();
  const corners = [
    [0, 0, 0],
    [x, 0, 0],
    [x, y, 0],
    [0, y, 0],
    [0, 0, z],
    [x, 0, z],
    [x, y, z],
    [0, y, z],
  ].flat();
  const faces = [0, 1, 2, 0, 2, 3, 4, 6, 5, 4, 7, 6, 0, 4, 5, 0, 5, 1, 3, 2, 6, 3, 6, 7, 0, 3, 7, 0, 7, 4, 1, 5, 6, 1, 6, 2];
  const position = doc.createAccessor().setType('VEC3').setArray(new Float32Array(corners)).setBuffer(buffer);
  const indices = doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(faces)).setBuffer(buffer);
  const material = doc.createMaterial('Clay').setBaseColorFactor([0.5, 0.5, 0.5, 1]).setRoughnessFactor(0.85);
  const prim = doc.createPrimitive().setAttribute('POSITION', position).setIndices(indices).setMaterial(material);
  const mesh = doc.createMesh('Box').addPrimitive(prim);
  doc.createScene('Scene').addChild(doc.createNode('Box').setMesh(mesh));
  if (options.extraUnusedNode) doc.createNode('Box_LOD1').setMesh(doc.createMesh('Box_LOD1').addPrimitive(prim.clone()));
  return new NodeIO().writeBinary(doc);
}
