// Exact squared-distance transforms on a pixel grid (Felzenszwalb & Huttenlocher's lower envelope of parabolas).
// One routine serves three needs: distance to the outline, the "union of inscribed balls" height of the relief,
// and the nearest-inside-pixel map used to bleed texture colour past the outline.

/** Scratch buffers for one line of the transform, reused across lines. */
interface LineScratch {
  f: Float64Array;
  d: Float64Array;
  arg: Int32Array;
  v: Int32Array;
  z: Float64Array;
}

function scratch(n: number): LineScratch {
  return {
    f: new Float64Array(n),
    d: new Float64Array(n),
    arg: new Int32Array(n),
    v: new Int32Array(n),
    z: new Float64Array(n + 1),
  };
}

/**
 * d[q] = min over p of ((q - p)² + f[p]); arg[q] = the minimising p (or -1 when every f is infinite).
 * f may be negative; +Infinity marks samples that take no part.
 */
function envelope(n: number, s: LineScratch): void {
  const { f, d, arg, v, z } = s;
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q] as number;
    if (fq === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let sx: number;
    for (;;) {
      const p = v[k] as number;
      sx = (fq + q * q - ((f[p] as number) + p * p)) / (2 * q - 2 * p);
      // z[0] is -Infinity, so the first parabola is never removed and k stays >= 0.
      if (sx <= (z[k] as number)) k--;
      else break;
    }
    k++;
    v[k] = q;
    z[k] = sx;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    d.fill(Infinity, 0, n);
    arg.fill(-1, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while ((z[k + 1] as number) < q) k++;
    const p = v[k] as number;
    d[q] = (q - p) * (q - p) + (f[p] as number);
    arg[q] = p;
  }
}

export interface TransformResult {
  /** min over pixels p of (|x - p|² + f(p)), per pixel x. */
  value: Float64Array;
  /** Index (y * width + x) of the pixel that gives the minimum, or -1. Only when asked for. */
  nearest: Int32Array | null;
}

interface ColumnPass {
  cols: Float64Array;
  colArg: Int32Array | null;
}

function columnPass(f: Float64Array, width: number, height: number, withNearest: boolean): ColumnPass {
  const n = width * height;
  const cols = new Float64Array(n);
  const colArg = withNearest ? new Int32Array(n) : null;
  const sc = scratch(height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) sc.f[y] = f[y * width + x] as number;
    envelope(height, sc);
    for (let y = 0; y < height; y++) {
      cols[y * width + x] = sc.d[y] as number;
      if (colArg) colArg[y * width + x] = sc.arg[y] as number;
    }
  }
  return { cols, colArg };
}

function rowPass({ cols, colArg }: ColumnPass, width: number, height: number): TransformResult {
  const n = width * height;
  const value = new Float64Array(n);
  const nearest = colArg ? new Int32Array(n) : null;
  const sr = scratch(width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) sr.f[x] = cols[row + x] as number;
    envelope(width, sr);
    for (let x = 0; x < width; x++) {
      value[row + x] = sr.d[x] as number;
      if (nearest && colArg) {
        const px = sr.arg[x] as number;
        nearest[row + x] = px < 0 ? -1 : (colArg[row + px] as number) * width + px;
      }
    }
  }
  return { value, nearest };
}

/** The generalised squared-distance transform of `f` (width × height, row-major; +Infinity = absent). */
export function distanceTransform(f: Float64Array, width: number, height: number, withNearest = false): TransformResult {
  return rowPass(columnPass(f, width, height, withNearest), width, height);
}

/** The same, handing control back to the event loop between its two passes (for texture-sized grids). */
export async function distanceTransformYielding(
  f: Float64Array,
  width: number,
  height: number,
  withNearest: boolean,
  pause: () => Promise<void>,
): Promise<TransformResult> {
  const columns = columnPass(f, width, height, withNearest);
  await pause();
  return rowPass(columns, width, height);
}

/** Euclidean distance from every pixel to the nearest pixel where `target` is set (0 on those pixels). */
export function distanceTo(target: Uint8Array, width: number, height: number): Float32Array {
  const f = new Float64Array(width * height);
  for (let i = 0; i < f.length; i++) f[i] = target[i] ? 0 : Infinity;
  const { value } = distanceTransform(f, width, height);
  const out = new Float32Array(value.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(value[i] as number);
  return out;
}
