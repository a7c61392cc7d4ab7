// A large, valid model for the export tests: one flat grid of `side` × `side` quads with normals and UVs.
import { Document, NodeIO } from '@gltf-transform/core';

/** About 2 × (side - 1)² triangles; side 317 gives 199,712. */
export async function gridGlb(side = 317): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const positions = new Float32Array(side * side * 3);
  const normals = new Float32Array(side * side * 3);
  const uvs = new Float32Array(side * side * 2);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      positions.set([x / (side - 1) - 0.5, Math.sin(x * 0.1) * Math.cos(y * 0.1) * 0.02, y / (side - 1) - 0.5], i * 3);
      normals.set([0, 1, 0], i * 3);
      uvs.set([x / (side - 1), y / (side - 1)], i * 2);
    }
  }
  const indices = new Uint32Array((side - 1) * (side - 1) * 6);
  let k = 0;
  for (let y = 0; y + 1 < side; y++) {
    for (let x = 0; x + 1 < side; x++) {
      const a = y * side + x;
      indices.set([a, a + side, a + 1, a + 1, a + side, a + side + 1], k);
      k += 6;
    }
  }
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(normals).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uvs).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer))
    .setMaterial(doc.createMaterial('grid').setBaseColorFactor([0.6, 0.6, 0.6, 1]));
  const mesh = doc.createMesh('grid').addPrimitive(prim);
  doc.createScene('scene').addChild(doc.createNode('grid').setMesh(mesh));
  return new NodeIO().writeBinary(doc);
}
