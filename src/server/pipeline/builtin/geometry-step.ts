// Step "High Poly Geometry": reference image → object mask → closed inflated relief → GLB with a clay material.
import { Document } from '@gltf-transform/core';
import type { StepInput } from '../generator';
import { writeModel } from './gltf-io';
import { findObjectMask, loadWorkingImage } from './image-mask';
import { buildRelief } from './relief';
import type { ReliefMesh } from './relief';
import { geometrySettings } from './revision-notes';
import { checkpoint } from './step-kit';

export interface GeometryOptions {
  workingSize: number;
  highPolyTriangles: number;
}

export const GENERATOR_NAME = 'Asset Forge built-in generator';

export async function runGeometry(input: StepInput, o: GeometryOptions): Promise<Uint8Array> {
  const img = await loadWorkingImage(input.images[0], o.workingSize);
  await checkpoint(input, 0.1);
  const mask = await findObjectMask(img, () => checkpoint(input, 0.15));
  await checkpoint(input, 0.2);
  const settings = geometrySettings(input.note);
  const relief = await buildRelief(
    img,
    mask,
    {
      targetTriangles: o.highPolyTriangles * settings.budget,
      depthScale: settings.depthScale,
      detailScale: settings.detailScale,
    },
    (f) => checkpoint(input, 0.2 + 0.65 * f),
  );
  const doc = reliefDocument(relief, input.asset.name);
  await checkpoint(input, 0.9);
  return writeModel(doc);
}

function reliefDocument(relief: ReliefMesh, name: string): Document {
  const doc = new Document();
  doc.getRoot().getAsset().generator = GENERATOR_NAME;
  const buffer = doc.createBuffer();
  const position = doc.createAccessor('POSITION').setType('VEC3').setArray(relief.positions).setBuffer(buffer);
  const normal = doc.createAccessor('NORMAL').setType('VEC3').setArray(relief.normals).setBuffer(buffer);
  const vertexCount = relief.positions.length / 3;
  const indexArray = vertexCount <= 65535 ? Uint16Array.from(relief.indices) : relief.indices;
  const indices = doc.createAccessor('indices').setType('SCALAR').setArray(indexArray).setBuffer(buffer);
  // Neutral clay until the texturing step: the shape is what a person reviews here.
  const clay = doc
    .createMaterial('Clay')
    .setBaseColorFactor([0.5, 0.5, 0.5, 1])
    .setMetallicFactor(0)
    .setRoughnessFactor(0.85);
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', position)
    .setAttribute('NORMAL', normal)
    .setIndices(indices)
    .setMaterial(clay);
  const mesh = doc.createMesh(name).addPrimitive(prim);
  const node = doc.createNode(name).setMesh(mesh);
  const scene = doc.createScene(name).addChild(node);
  doc.getRoot().setDefaultScene(scene);
  return doc;
}
