// Builds the closed "inflated relief" mesh from an object mask: the union of balls inscribed in the outline
// gives a rounded body, a touch of image luminance adds surface detail, and a mirrored back is stitched to
// the front along the outline so that the mesh is watertight.
import { distanceTransform } from './distance';
import { REASONS, sampleField } from './image-mask';
import type { ObjectMask, WorkingImage } from './image-mask';
import { StepFailure } from './step-kit';

export interface ReliefOptions {
  /** Triangles to aim for, front and back together. */
  targetTriangles: number;
  /** Multiplies the depth of the rounded body (1 = as deep as it is wide). */
  depthScale: number;
  /** Multiplies the luminance detail (0 = none). */
  detailScale: number;
}

export interface ReliefMesh {
  /** Metres; Y up, facing +Z, height 1, bottom at y = 0, centred on x and z. */
  positions: Float32Array;
  normals: Float32Array;
  indices: Uint32Array;
}

/** The finest grid step in working pixels: finer would only resample the same pixels. */
const MIN_STEP = 0.5;

/**
 * Height of the body above the image plane, in pixels: for each pixel, the highest point over it of any
 * ball inscribed in the outline. A disc becomes a sphere, a bar a cylinder, and thin parts stay thin.
 */
function bodyHeight(mask: ObjectMask): Float32Array {
  const n = mask.width * mask.height;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = mask.sdf[i] as number;
    f[i] = mask.inside[i] && r > 0 ? -(r * r) : Infinity;
  }
  const { value } = distanceTransform(f, mask.width, mask.height);
  const h = new Float32Array(n);
  for (let i = 0; i < n; i++) h[i] = mask.inside[i] ? Math.sqrt(Math.max(0, -(value[i] as number))) : 0;
  return h;
}

/** Running-sum box blur of `values` in place (rows then columns), radius r. */
function boxBlur(values: Float32Array, w: number, h: number, r: number): void {
  const line = new Float32Array(Math.max(w, h));
  const pass = (count: number, length: number, index: (line: number, k: number) => number) => {
    for (let l = 0; l < count; l++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += values[index(l, Math.min(Math.max(k, 0), length - 1))] as number;
      for (let k = 0; k < length; k++) {
        line[k] = sum / (2 * r + 1);
        const add = Math.min(k + r + 1, length - 1);
        const drop = Math.max(k - r, 0);
        sum += (values[index(l, add)] as number) - (values[index(l, drop)] as number);
      }
      for (let k = 0; k < length; k++) values[index(l, k)] = line[k] as number;
    }
  };
  pass(h, w, (y, x) => y * w + x);
  pass(w, h, (x, y) => y * w + x);
}

/** Luminance minus its local mean, inside the mask only (the background must not leak into the mean). */
function luminanceDetail(img: WorkingImage, mask: ObjectMask): Float32Array {
  const { width: w, height: h } = mask;
  const n = w * h;
  const lum = new Float32Array(n);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (!mask.inside[i]) continue;
    const o = i * 4;
    lum[i] = 0.2126 * (img.rgba[o] as number) + 0.7152 * (img.rgba[o + 1] as number) + 0.0722 * (img.rgba[o + 2] as number);
    weight[i] = 1;
  }
  const mean = Float32Array.from(lum);
  const r = Math.max(2, Math.round(Math.max(w, h) * 0.015));
  boxBlur(mean, w, h, r);
  boxBlur(weight, w, h, r);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const wgt = weight[i] as number;
    if (mask.inside[i] && wgt > 1e-6) out[i] = (lum[i] as number) - (mean[i] as number) / wgt;
  }
  return out;
}

/** Depth field (pixels) of the front surface: rounded body plus a little detail that fades out at the outline. */
function frontDepth(img: WorkingImage, mask: ObjectMask, o: ReliefOptions): Float32Array {
  const body = bodyHeight(mask);
  const n = mask.width * mask.height;
  const depth = new Float32Array(n);
  const detail = o.detailScale > 0 ? luminanceDetail(img, mask) : null;
  // About 2 % of the object's size for a full black-to-white step: visible, never a spike.
  const amplitude = (0.02 * Math.max(mask.box.x1 - mask.box.x0, mask.box.y1 - mask.box.y0)) / 255;
  for (let i = 0; i < n; i++) {
    if (!mask.inside[i]) continue;
    const base = o.depthScale * (body[i] as number);
    const fade = Math.min(1, Math.max(0, (mask.sdf[i] as number) / 3));
    const bump = detail ? o.detailScale * amplitude * (detail[i] as number) * fade : 0;
    // Never let detail push the front through the back.
    depth[i] = Math.max(0.5 * base, base + bump);
  }
  return depth;
}

/** Moves an outline vertex onto the zero level of the signed distance, by at most `limit` pixels. */
function snapToOutline(mask: ObjectMask, x: number, y: number, limit: number): [number, number] {
  const { sdf, width: w, height: h } = mask;
  let px = x;
  let py = y;
  for (let it = 0; it < 4; it++) {
    const s = sampleField(sdf, w, h, px, py);
    if (Math.abs(s) < 0.01) break;
    const gx = sampleField(sdf, w, h, px + 0.5, py) - sampleField(sdf, w, h, px - 0.5, py);
    const gy = sampleField(sdf, w, h, px, py + 0.5) - sampleField(sdf, w, h, px, py - 0.5);
    const g2 = gx * gx + gy * gy;
    if (g2 < 1e-6) break;
    px -= (s * gx) / g2;
    py -= (s * gy) / g2;
  }
  const dx = px - x;
  const dy = py - y;
  const len = Math.hypot(dx, dy);
  if (len > limit) return [x + (dx * limit) / len, y + (dy * limit) / len];
  return [px, py];
}

/**
 * Splits every edge that joins two outline vertices but is shared by two triangles. Repeats because a
 * split triangle may hold a second such edge; `midpoint` creates the new vertex id.
 */
function splitInnerRimEdges(tris: number[], isRim: (v: number) => boolean, midpoint: (u: number, v: number) => number): void {
  for (let pass = 0; pass < 4; pass++) {
    const byEdge = new Map<number, number[]>();
    const key = (u: number, v: number) => (u < v ? u * 0x4000000 + v : v * 0x4000000 + u);
    for (let t = 0; t < tris.length; t += 3) {
      for (let e = 0; e < 3; e++) {
        const u = tris[t + e] as number;
        const v = tris[t + ((e + 1) % 3)] as number;
        if (!isRim(u) || !isRim(v)) continue;
        const k = key(u, v);
        const list = byEdge.get(k);
        if (list) list.push(t);
        else byEdge.set(k, [t]);
      }
    }
    const touched = new Set<number>();
    let splits = 0;
    for (const [k, list] of byEdge) {
      if (list.length !== 2) continue;
      const [t1, t2] = list as [number, number];
      if (touched.has(t1) || touched.has(t2)) continue;
      touched.add(t1);
      touched.add(t2);
      const u = Math.floor(k / 0x4000000);
      const v = k - u * 0x4000000;
      const m = midpoint(u, v);
      for (const t of [t1, t2]) {
        // Rotate so that the triangle reads (a, b, c) with {a, b} = {u, v}, keeping its winding.
        let r = 0;
        while (r < 2 && !isEdge(tris, t, r, u, v)) r++;
        const a = tris[t + r] as number;
        const b = tris[t + ((r + 1) % 3)] as number;
        const c = tris[t + ((r + 2) % 3)] as number;
        tris[t] = a;
        tris[t + 1] = m;
        tris[t + 2] = c;
        tris.push(m, b, c);
      }
      splits++;
    }
    if (splits === 0) return;
  }
}

function isEdge(tris: number[], t: number, r: number, u: number, v: number): boolean {
  const a = tris[t + r] as number;
  const b = tris[t + ((r + 1) % 3)] as number;
  return (a === u && b === v) || (a === v && b === u);
}

export async function buildRelief(
  img: WorkingImage,
  mask: ObjectMask,
  o: ReliefOptions,
  pause: (fraction: number) => Promise<void>,
): Promise<ReliefMesh> {
  const depth = frontDepth(img, mask, o);
  await pause(0.3);

  const { box, width: w, height: h } = mask;
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const step = Math.max(MIN_STEP, Math.sqrt((4 * mask.area) / Math.max(1000, o.targetTriangles)));
  const nx = Math.max(2, Math.ceil(bw / step));
  const ny = Math.max(2, Math.ceil(bh / step));
  const ox = box.x0 + (bw - (nx - 1) * step) / 2;
  const oy = box.y0 + (bh - (ny - 1) * step) / 2;
  const gridX = (i: number) => ox + i * step;
  const gridY = (j: number) => oy + j * step;

  const inGrid = new Uint8Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) inGrid[j * nx + i] = sampleField(mask.sdf, w, h, gridX(i), gridY(j)) > 0 ? 1 : 0;
  }

  // Front triangles over grid vertices; every cell with 3 or 4 corners inside contributes, so the outline
  // follows diagonals instead of a staircase. Edge use counts find the outline (edges used once).
  const tris: number[] = [];
  const hUse = new Uint8Array(nx * ny);
  const vUse = new Uint8Array(nx * ny);
  const rim = new Uint8Array(nx * ny);
  const emit = (p: number, q: number, r: number) => {
    // Grid rows grow downwards in the image, i.e. towards -Y. Winding is decided from grid indices, before
    // any vertex moves, so that snapping to the outline never flips a triangle against its neighbours.
    const px = p % nx, py = (p - px) / nx;
    const qx = q % nx, qy = (q - qx) / nx;
    const rx = r % nx, ry = (r - rx) / nx;
    const cross = (qx - px) * -(ry - py) - -(qy - py) * (rx - px);
    if (cross > 0) tris.push(p, q, r);
    else tris.push(p, r, q);
  };
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = j * nx + i;
      const b = a + 1;
      const d = a + nx;
      const c = d + 1;
      const ia = inGrid[a] as number, ib = inGrid[b] as number, ic = inGrid[c] as number, id = inGrid[d] as number;
      const count = ia + ib + ic + id;
      if (count < 3) continue;
      if (count === 4) {
        emit(a, b, c);
        emit(a, c, d);
      } else if (!ic) {
        emit(a, b, d);
        rim[b] = 1;
        rim[d] = 1;
      } else if (!id) {
        emit(a, b, c);
        rim[a] = 1;
        rim[c] = 1;
      } else if (!ia) {
        emit(b, c, d);
        rim[b] = 1;
        rim[d] = 1;
      } else {
        emit(a, c, d);
        rim[a] = 1;
        rim[c] = 1;
      }
      if (ia && ib) hUse[a] = (hUse[a] as number) + 1;
      if (id && ic) hUse[d] = (hUse[d] as number) + 1;
      if (ia && id) vUse[a] = (vUse[a] as number) + 1;
      if (ib && ic) vUse[b] = (vUse[b] as number) + 1;
    }
  }
  if (tris.length === 0) throw new StepFailure(REASONS.tooThin);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const a = j * nx + i;
      if (hUse[a] === 1) {
        rim[a] = 1;
        rim[a + 1] = 1;
      }
      if (vUse[a] === 1) {
        rim[a] = 1;
        rim[a + nx] = 1;
      }
    }
  }
  // Outline vertices are shared by front and back; an inner edge between two of them (thin parts, corners)
  // would be shared by four triangles and have no thickness, so it is split at a midpoint that is not.
  const extraX: number[] = [];
  const extraY: number[] = [];
  const gridCount = nx * ny;
  const isRim = (v: number) => v < gridCount && rim[v] === 1;
  const coordX = (v: number) => (v < gridCount ? gridX(v % nx) : (extraX[v - gridCount] as number));
  const coordY = (v: number) => (v < gridCount ? gridY(Math.floor(v / nx)) : (extraY[v - gridCount] as number));
  splitInnerRimEdges(tris, isRim, (u, v) => {
    extraX.push((coordX(u) + coordX(v)) / 2);
    extraY.push((coordY(u) + coordY(v)) / 2);
    return gridCount + extraX.length - 1;
  });
  await pause(0.55);

  // Vertices: outline vertices are shared by front and back (z = 0); the others come in mirrored pairs.
  const idCount = gridCount + extraX.length;
  const frontId = new Int32Array(idCount).fill(-1);
  const backId = new Int32Array(idCount).fill(-1);
  let vertexCount = 0;
  for (const g of tris) {
    if (frontId[g] !== -1) continue;
    frontId[g] = vertexCount++;
    backId[g] = isRim(g) ? (frontId[g] as number) : vertexCount++;
  }
  const px = new Float64Array(vertexCount);
  const py = new Float64Array(vertexCount);
  const pz = new Float64Array(vertexCount);
  const limit = 0.75 * step;
  for (let g = 0; g < idCount; g++) {
    const f = frontId[g] as number;
    if (f < 0) continue;
    const x = coordX(g);
    const y = coordY(g);
    if (isRim(g)) {
      const [sx, sy] = snapToOutline(mask, x, y, limit);
      px[f] = sx;
      py[f] = sy;
      pz[f] = 0;
    } else {
      // A midpoint may sit on the outline of a very thin part; give it a sliver of thickness anyway.
      const z = Math.max(sampleField(depth, w, h, x, y), 0.05 * step);
      const b = backId[g] as number;
      px[f] = x;
      py[f] = y;
      pz[f] = z;
      px[b] = x;
      py[b] = y;
      pz[b] = -z;
    }
  }
  await pause(0.75);

  // Stretch the vertices' extent onto the mask's box exactly, so that projecting the image over the
  // model's bounding box lines the texture up with the outline.
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let v = 0; v < vertexCount; v++) {
    const x = px[v] as number;
    const y = py[v] as number;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const sx = maxX > minX ? bw / (maxX - minX) : 1;
  const sy = maxY > minY ? bh / (maxY - minY) : 1;
  const metres = 1 / bh;
  const cx = box.x0 + bw / 2;
  const positions = new Float32Array(vertexCount * 3);
  for (let v = 0; v < vertexCount; v++) {
    const x = box.x0 + ((px[v] as number) - minX) * sx;
    const y = box.y0 + ((py[v] as number) - minY) * sy;
    positions[v * 3] = (x - cx) * metres;
    positions[v * 3 + 1] = (box.y1 - y) * metres;
    positions[v * 3 + 2] = (pz[v] as number) * metres;
  }

  const triCount = tris.length / 3;
  const indices = new Uint32Array(triCount * 6);
  for (let t = 0; t < triCount; t++) {
    const a = tris[t * 3] as number;
    const b = tris[t * 3 + 1] as number;
    const c = tris[t * 3 + 2] as number;
    indices[t * 3] = frontId[a] as number;
    indices[t * 3 + 1] = frontId[b] as number;
    indices[t * 3 + 2] = frontId[c] as number;
    const o = (triCount + t) * 3;
    indices[o] = backId[a] as number;
    indices[o + 1] = backId[c] as number;
    indices[o + 2] = backId[b] as number;
  }
  return { positions, normals: vertexNormals(positions, indices), indices };
}

/** Area-weighted smooth normals; a vertex with no area gets +Z so that every normal is a unit vector. */
export function vertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const acc = new Float64Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = (indices[t] as number) * 3;
    const b = (indices[t + 1] as number) * 3;
    const c = (indices[t + 2] as number) * 3;
    const ux = (positions[b] as number) - (positions[a] as number);
    const uy = (positions[b + 1] as number) - (positions[a + 1] as number);
    const uz = (positions[b + 2] as number) - (positions[a + 2] as number);
    const vx = (positions[c] as number) - (positions[a] as number);
    const vy = (positions[c + 1] as number) - (positions[a + 1] as number);
    const vz = (positions[c + 2] as number) - (positions[a + 2] as number);
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    for (const k of [a, b, c]) {
      acc[k] = (acc[k] as number) + nx;
      acc[k + 1] = (acc[k + 1] as number) + ny;
      acc[k + 2] = (acc[k + 2] as number) + nz;
    }
  }
  const normals = new Float32Array(positions.length);
  for (let v = 0; v < positions.length; v += 3) {
    const x = acc[v] as number;
    const y = acc[v + 1] as number;
    const z = acc[v + 2] as number;
    const len = Math.hypot(x, y, z);
    if (len > 1e-20) {
      normals[v] = x / len;
      normals[v + 1] = y / len;
      normals[v + 2] = z / len;
    } else {
      normals[v + 2] = 1;
    }
  }
  return normals;
}
