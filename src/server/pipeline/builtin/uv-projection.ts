// Step "UV Unwrapping": a front planar projection over the model's X/Y bounding box. It matches how the relief
// was built from the image (front and back see the same pixel), so the texture bake needs no seams; on any
// other model it still gives every vertex a valid coordinate in [0, 1].
import type { Document, Primitive } from '@gltf-transform/core';
import type { StepInput } from '../generator';
import { drawnMeshNodes, readModel, writeModel } from './gltf-io';
import { checkpoint, StepFailure } from './step-kit';

export async function runUv(input: StepInput): Promise<Uint8Array> {
  const doc = await readModel(input.previous);
  await checkpoint(input, 0.2);
  if (!projectFrontUVs(doc)) {
    throw new StepFailure('The model from the previous step has no mesh to unwrap. Upload a model with a visible mesh.');
  }
  await checkpoint(input, 0.8);
  return writeModel(doc);
}

type Mat4 = ArrayLike<number>;

function transform(m: Mat4, x: number, y: number, z: number): [number, number] {
  return [
    (m[0] as number) * x + (m[4] as number) * y + (m[8] as number) * z + (m[12] as number),
    (m[1] as number) * x + (m[5] as number) * y + (m[9] as number) * z + (m[13] as number),
  ];
}

/** Writes TEXCOORD_0 on every drawn primitive (replacing any); false when the scene draws no mesh. */
export function projectFrontUVs(doc: Document): boolean {
  // A primitive shared by several nodes is projected where it is first drawn.
  const placed = new Map<Primitive, Mat4>();
  for (const node of drawnMeshNodes(doc)) {
    const matrix = node.getWorldMatrix();
    for (const prim of node.getMesh()?.listPrimitives() ?? []) {
      if (!placed.has(prim) && prim.getAttribute('POSITION')) placed.set(prim, matrix);
    }
  }
  if (placed.size === 0) return false;

  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  const el = [0, 0, 0];
  for (const [prim, m] of placed) {
    const position = prim.getAttribute('POSITION');
    if (!position) continue;
    for (let i = 0; i < position.getCount(); i++) {
      position.getElement(i, el);
      const [x, y] = transform(m, el[0] as number, el[1] as number, el[2] as number);
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const spanX = maxX - minX > 1e-12 ? maxX - minX : 1;
  const spanY = maxY - minY > 1e-12 ? maxY - minY : 1;

  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer();
  for (const [prim, m] of placed) {
    const position = prim.getAttribute('POSITION');
    if (!position) continue;
    const count = position.getCount();
    const uv = new Float32Array(count * 2);
    for (let i = 0; i < count; i++) {
      position.getElement(i, el);
      const [x, y] = transform(m, el[0] as number, el[1] as number, el[2] as number);
      // glTF's V runs down the image, so the top of the model (max Y) is V = 0.
      uv[i * 2] = clamp01((x - minX) / spanX);
      uv[i * 2 + 1] = clamp01((maxY - y) / spanY);
    }
    const accessor = doc.createAccessor('TEXCOORD_0').setType('VEC2').setArray(uv).setBuffer(buffer);
    const previous = prim.getAttribute('TEXCOORD_0');
    prim.setAttribute('TEXCOORD_0', accessor);
    if (previous && previous.listParents().length <= 1) previous.dispose();
  }
  return true;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** True when every drawn primitive already has texture coordinates. */
export function hasUVs(doc: Document): boolean {
  const nodes = drawnMeshNodes(doc);
  if (nodes.length === 0) return false;
  return nodes.every((n) => (n.getMesh()?.listPrimitives() ?? []).every((p) => p.getAttribute('TEXCOORD_0') !== null));
}
