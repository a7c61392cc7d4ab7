// Step "Optimised Geometry": weld and simplify any GLB toward the asset's triangle target with meshoptimizer.
import { PropertyType } from '@gltf-transform/core';
import type { Document, Primitive } from '@gltf-transform/core';
import { compactPrimitive, prune, simplify, weld } from '@gltf-transform/functions';
import { MeshoptSimplifier } from 'meshoptimizer';
import type { StepInput } from '../generator';
import { readModel, sceneTriangles, writeModel } from './gltf-io';
import { optimiseTarget } from './revision-notes';
import { checkpoint, StepFailure } from './step-kit';

const TRIANGLES = 4;

export interface OptimiseOptions {
  defaultPolycount: number;
}

export async function runOptimise(input: StepInput, o: OptimiseOptions): Promise<Uint8Array> {
  const doc = await readModel(input.previous);
  await checkpoint(input, 0.1);
  const before = sceneTriangles(doc);
  if (before === 0) {
    throw new StepFailure('The model from the previous step has no triangles to optimise. Upload a model with a visible mesh.');
  }
  const target = optimiseTarget(input.note, input.asset.polycount ?? o.defaultPolycount);
  // A model already under the target is kept as it is: simplifying it would only lose shape.
  if (before <= target) return writeModel(doc);

  await doc.transform(weld());
  await checkpoint(input, 0.3);
  await simplifyToward(doc, target, (f) => checkpoint(input, 0.3 + 0.55 * f));
  await doc.transform(prune({ propertyTypes: [PropertyType.ACCESSOR, PropertyType.PRIMITIVE, PropertyType.MESH] }));
  await checkpoint(input, 0.9);
  return writeModel(doc);
}

/**
 * Simplifies every mesh by the same ratio until the default scene is at or under `target`. The error limit
 * is lifted (error: 1) because the triangle target is what was asked for; a last "permissive" pass may
 * collapse across UV or normal seams, which bound the ordinary pass on models with hard edges.
 */
export async function simplifyToward(doc: Document, target: number, pause: (f: number) => Promise<void>): Promise<void> {
  await MeshoptSimplifier.ready;
  for (let pass = 0; pass < 2; pass++) {
    const current = sceneTriangles(doc);
    if (current <= target) return;
    await doc.transform(simplify({ simplifier: MeshoptSimplifier, ratio: (target / current) * 0.98, error: 1 }));
    await pause((pass + 1) / 3);
  }
  const current = sceneTriangles(doc);
  if (current <= target) return;
  const ratio = (target / current) * 0.98;
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) permissiveSimplify(prim, ratio);
  }
}

function permissiveSimplify(prim: Primitive, ratio: number): void {
  const indices = prim.getIndices();
  const position = prim.getAttribute('POSITION');
  if (!indices || !position || prim.getMode() !== TRIANGLES) return;
  const positions = position.getArray();
  // Quantized positions were already handled by the ordinary pass; this pass is only for plain floats.
  if (!(positions instanceof Float32Array) || position.getNormalized()) return;
  const src = indices.getArray();
  if (!src) return;
  const srcIndices = src instanceof Uint32Array ? src : Uint32Array.from(src);
  const targetCount = Math.floor((srcIndices.length * ratio) / 3) * 3;
  const [dst] = MeshoptSimplifier.simplify(srcIndices, positions, 3, targetCount, 1, ['Permissive']);
  // An empty primitive would be invalid glTF; keeping a few extra triangles is the lesser evil.
  if (dst.length === 0) return;
  prim.setIndices(indices.clone().setArray(dst));
  compactPrimitive(prim);
}
