// Counting what a loaded model draws (triangles, vertices, bounding size) and saying it in words a person reads.
import { Box3, Mesh, Vector3, type BufferGeometry, type Object3D } from 'three';

export interface ModelStats {
  triangles: number;
  vertices: number;
  /** Bounding box size in metres (glTF's unit): x = width, y = height, z = depth. */
  size: { x: number; y: number; z: number };
}

/** Triangles the GPU draws for one geometry: an index (or the positions) clipped to its draw range. */
export function trianglesOf(geometry: BufferGeometry): number {
  const source = geometry.index ?? geometry.getAttribute('position');
  if (!source) return 0;
  const start = Math.max(0, geometry.drawRange.start);
  const end = Math.min(source.count, start + geometry.drawRange.count);
  return Math.max(0, Math.floor((end - start) / 3));
}

/**
 * The tight box around the visible meshes, in world space. Box3.setFromObject would also take in hidden nodes (an
 * unused level of detail, a helper), which are not on screen.
 */
export function visibleBoundingBox(root: Object3D): Box3 {
  const box = new Box3();
  const point = new Vector3();
  root.updateWorldMatrix(true, true);
  root.traverseVisible((object) => {
    if (!(object instanceof Mesh)) return;
    const position = (object.geometry as BufferGeometry).getAttribute('position');
    if (!position) return;
    for (let i = 0; i < position.count; i++) box.expandByPoint(point.fromBufferAttribute(position, i).applyMatrix4(object.matrixWorld));
  });
  return box;
}

/** Counts only visible triangle meshes: lines and points draw no triangles, and a hidden node is not on screen. */
export function computeModelStats(root: Object3D): ModelStats {
  let triangles = 0;
  let vertices = 0;
  root.traverseVisible((object) => {
    if (!(object instanceof Mesh)) return;
    const geometry: BufferGeometry = object.geometry;
    triangles += trianglesOf(geometry);
    vertices += geometry.getAttribute('position')?.count ?? 0;
  });
  const box = visibleBoundingBox(root);
  const size = box.isEmpty() ? new Vector3() : box.getSize(new Vector3());
  return { triangles, vertices, size: { x: size.x, y: size.y, z: size.z } };
}

const countFormat = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return countFormat.format(Math.round(n));
}

/** Two decimals suit a model of about a metre; bigger ones get fewer so the numbers stay short. */
function formatLength(metres: number): string {
  const abs = Math.abs(metres);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return metres.toFixed(digits);
}

/** "0.62 × 1.00 × 0.31 m": width × height × depth. */
export function formatDimensions(size: ModelStats['size']): string {
  return `${formatLength(size.x)} × ${formatLength(size.y)} × ${formatLength(size.z)} m`;
}
