// The preview's numbers: triangles and vertices of what is drawn, bounding size in metres, and how they read.
import { BoxGeometry, BufferGeometry, Float32BufferAttribute, Group, LineSegments, Mesh, MeshBasicMaterial } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import {
  computeModelStats,
  formatCount,
  formatDimensions,
  trianglesOf,
} from '../../../src/web/features/assets/components/model-preview/model-stats';
import { boxGlb } from './make-glb';

function parse(bytes: Uint8Array) {
  const copy = bytes.slice().buffer;
  return new GLTFLoader().parseAsync(copy, '');
}

describe('trianglesOf', () => {
  it('counts an indexed geometry by its index and a plain one by its positions', () => {
    const box = new BoxGeometry(1, 1, 1);
    expect(trianglesOf(box)).toBe(12);
    expect(trianglesOf(box.toNonIndexed())).toBe(12);
  });

  it('counts only the draw range', () => {
    const box = new BoxGeometry(1, 1, 1);
    box.setDrawRange(6, 9);
    expect(trianglesOf(box)).toBe(3);
  });

  it('is 0 for a geometry without positions', () => {
    expect(trianglesOf(new BufferGeometry())).toBe(0);
  });
});

describe('computeModelStats', () => {
  it('adds up visible meshes and ignores hidden ones and lines', () => {
    const root = new Group();
    root.add(new Mesh(new BoxGeometry(2, 1, 0.5), new MeshBasicMaterial()));
    const hidden = new Mesh(new BoxGeometry(10, 10, 10), new MeshBasicMaterial());
    hidden.visible = false;
    root.add(hidden);
    const line = new BufferGeometry();
    line.setAttribute('position', new Float32BufferAttribute([0, 0, 0, 1, 1, 1], 3));
    root.add(new LineSegments(line));

    const stats = computeModelStats(root);
    expect(stats.triangles).toBe(12);
    expect(stats.vertices).toBe(24);
    // The hidden box is 10 m wide; only what is drawn counts towards the size.
    expect(stats.size.x).toBeCloseTo(2);
    expect(stats.size.y).toBeCloseTo(1);
    expect(stats.size.z).toBeCloseTo(0.5);
  });

  it('reads a GLB as the preview does: the scene only, sized in metres', async () => {
    const gltf = await parse(await boxGlb([0.62, 1, 0.31], { extraUnusedNode: true }));
    const stats = computeModelStats(gltf.scene);
    expect(stats).toEqual({ triangles: 12, vertices: 8, size: { x: expect.closeTo(0.62, 5), y: expect.closeTo(1, 5), z: expect.closeTo(0.31, 5) } });
    expect(formatDimensions(stats.size)).toBe('0.62 × 1.00 × 0.31 m');
  });

  it('gives a zero size for an empty model rather than infinities', () => {
    expect(computeModelStats(new Group())).toEqual({ triangles: 0, vertices: 0, size: { x: 0, y: 0, z: 0 } });
  });
});

describe('formatting', () => {
  it('groups thousands', () => {
    expect(formatCount(158560)).toBe('158,560');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567.4)).toBe('1,234,567');
  });

  it('gives two decimals at human scale and fewer for big models', () => {
    expect(formatDimensions({ x: 0.6, y: 1, z: 0.5432 })).toBe('0.60 × 1.00 × 0.54 m');
    expect(formatDimensions({ x: 12.345, y: 150.2, z: 0.004 })).toBe('12.3 × 150 × 0.00 m');
  });
});
