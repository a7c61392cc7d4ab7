// Step "LODs": simplified copies of each drawn mesh, linked with MSFT_lod. The levels are nodes outside the scene
// tree, so a viewer without MSFT_lod support (three.js, Blender) shows the first level only and still loads.
import type { Document, Mesh, Node } from '@gltf-transform/core';
import { PropertyType } from '@gltf-transform/core';
import { prune, simplifyPrimitive, weldPrimitive } from '@gltf-transform/functions';
import { MeshoptSimplifier } from 'meshoptimizer';
import type { StepInput } from '../generator';
import { drawnMeshNodes, primitiveTriangles, readModel, writeModel } from './gltf-io';
import { MSFT_LOD, MsftLod, SCREEN_COVERAGE } from './msft-lod';
import type { Lod } from './msft-lod';
import { lodRatios } from './revision-notes';
import { checkpoint, StepFailure } from './step-kit';

/** Below this many triangles a lower level would not be worth its draw call. */
const MIN_TRIANGLES_FOR_LOD = 64;

export async function runLod(input: StepInput): Promise<Uint8Array> {
  const doc = await readModel(input.previous);
  await removeLods(doc);
  const nodes = drawnMeshNodes(doc);
  if (nodes.length === 0) {
    throw new StepFailure('The model from the previous step has no mesh to make levels of detail from. Upload a model with a visible mesh.');
  }
  await checkpoint(input, 0.1);
  await MeshoptSimplifier.ready;
  const ratios = lodRatios(input.note);
  const extension = doc.createExtension(MsftLod);
  let linked = 0;
  for (const [n, node] of nodes.entries()) {
    const holder = node.listChildren().length > 0 ? moveMeshToLeaf(doc, node) : node;
    const lod0 = holder.getMesh();
    if (!lod0 || meshTriangles(lod0) < MIN_TRIANGLES_FOR_LOD) continue;
    const levels: Node[] = [];
    const coverage = [screenCoverage(1)];
    let previous = lod0;
    let previousRatio = 1;
    for (const ratio of ratios) {
      const mesh = simplifiedCopy(doc, previous, ratio / previousRatio, `${lod0.getName() || 'mesh'}_LOD${levels.length + 1}`);
      if (!mesh) break;
      levels.push(
        doc
          .createNode(`${holder.getName() || 'node'}_LOD${levels.length + 1}`)
          .setMesh(mesh)
          .setTranslation(holder.getTranslation())
          .setRotation(holder.getRotation())
          .setScale(holder.getScale()),
      );
      coverage.push(screenCoverage(ratio));
      previous = mesh;
      previousRatio = ratio;
      await checkpoint(input, 0.1 + (0.8 * (n + levels.length / ratios.length)) / nodes.length);
    }
    if (levels.length === 0) continue;
    const lod = extension.createLod();
    for (const level of levels) lod.addLevel(level);
    holder.setExtension(MSFT_LOD, lod);
    holder.setExtras({ ...holder.getExtras(), [SCREEN_COVERAGE]: coverage });
    linked++;
  }
  if (linked === 0) extension.dispose();
  // Copies that did not get smaller were dropped; their accessors must not be written.
  await doc.transform(prune({ propertyTypes: [PropertyType.ACCESSOR] }));
  await checkpoint(input, 0.92);
  return writeModel(doc);
}

/**
 * The share of the screen height above which a level is used; one value per level, first level included,
 * as MSFT_lod's extras describe. Halving the triangles suits about 0.7× the on-screen size.
 */
function screenCoverage(ratio: number): number {
  return Math.round(0.5 * Math.sqrt(ratio) * 1000) / 1000;
}

function meshTriangles(mesh: Mesh): number {
  return mesh.listPrimitives().reduce((sum, p) => sum + primitiveTriangles(p), 0);
}

/** A simplified copy of `mesh` (materials and UVs carried over), or null when it would not get any smaller. */
function simplifiedCopy(doc: Document, mesh: Mesh, ratio: number, name: string): Mesh | null {
  const copy = doc.createMesh(name);
  for (const prim of mesh.listPrimitives()) {
    const clone = prim.clone();
    weldPrimitive(clone, { overwrite: false });
    if (primitiveTriangles(clone) > 0 && clone.getMode() === 4) {
      simplifyPrimitive(clone, { simplifier: MeshoptSimplifier, ratio, error: 1 });
    }
    copy.addPrimitive(clone);
  }
  const before = meshTriangles(mesh);
  const after = meshTriangles(copy);
  const emptied = copy.listPrimitives().some((p) => (p.getIndices()?.getCount() ?? 1) === 0);
  if (after >= before || after === 0 || emptied) {
    for (const prim of copy.listPrimitives()) prim.dispose();
    copy.dispose();
    return null;
  }
  return copy;
}

/** A node with children cannot be swapped for a level without losing them, so its mesh moves to a new leaf. */
function moveMeshToLeaf(doc: Document, node: Node): Node {
  const mesh = node.getMesh();
  const leaf = doc.createNode(`${node.getName() || 'node'}_mesh`).setMesh(mesh);
  node.setMesh(null);
  node.addChild(leaf);
  return leaf;
}

/** Drops levels made by an earlier run, so that running the step again never stacks them. */
async function removeLods(doc: Document): Promise<void> {
  let removed = false;
  for (const node of doc.getRoot().listNodes()) {
    const lod = node.getExtension<Lod>(MSFT_LOD);
    if (!lod) continue;
    for (const level of lod.listLevels()) level.dispose();
    node.setExtension(MSFT_LOD, null);
    const { [SCREEN_COVERAGE]: _coverage, ...extras } = node.getExtras();
    node.setExtras(extras);
    removed = true;
  }
  if (removed) {
    await doc.transform(prune({ propertyTypes: [PropertyType.MESH, PropertyType.PRIMITIVE, PropertyType.ACCESSOR] }));
  }
}
