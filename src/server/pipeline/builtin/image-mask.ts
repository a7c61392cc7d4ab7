// Reads the primary reference image and finds the object in it: the quality check that fails honestly,
// the object mask (from alpha, or a flood fill from the background colour) and its signed distance field.
import sharp from 'sharp';
import { LIMITS } from '../../../contract/api';
import type { SourceImage } from '../generator';
import { distanceTo } from './distance';
import { StepFailure } from './step-kit';

export const REASONS = {
  noImage: 'This asset has no reference image to build from. Create the asset again with at least one image.',
  unreadable: 'The image could not be read: the file may be damaged. Upload it again as a PNG or JPEG.',
  blank:
    'The image looks blank: it is almost one colour, so there is no object to build. Upload a photo or render of the object.',
  transparent:
    'The image looks blank: it is almost completely transparent, so there is no object to build. Upload a photo or render of the object.',
  noObject:
    'No object could be found in the image: apart from a few specks it is all background. Upload an image in which the object is clearly visible.',
  fullFrame:
    "The object's outline can't be read: the object (or a busy background) fills the whole image. Upload an image of the object on a plain background with some space around it, or a PNG with a transparent background.",
  tooThin:
    "The object's outline is too thin to build a solid shape from. Upload a larger or closer image of the object.",
  tooSmall: (w: number, h: number) =>
    `The image is too small (${w}×${h} pixels) to read a shape from: it needs at least ${LIMITS.imageSideMin} pixels on each side. Upload a larger image of the object.`,
} as const;

/** The primary image reduced to the working resolution, as straight (not premultiplied) RGBA. */
export interface WorkingImage {
  width: number;
  height: number;
  rgba: Uint8Array;
  /** Size of the original after EXIF orientation, for cropping it at full resolution. */
  sourceWidth: number;
  sourceHeight: number;
}

/** Pixel-edge bounds: the object spans [x0, x1) × [y0, y1) in working pixels. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ObjectMask {
  width: number;
  height: number;
  /** 1 where the object is. */
  inside: Uint8Array;
  /** Signed distance to the outline in pixels, positive inside; sampled at pixel centres. */
  sdf: Float32Array;
  box: Box;
  area: number;
}

/** Decodes the image with its EXIF orientation applied and reduces it so that its longest side is at most `workingSize`. */
export async function loadWorkingImage(image: SourceImage | undefined, workingSize: number): Promise<WorkingImage> {
  if (!image) throw new StepFailure(REASONS.noImage);
  try {
    const meta = await sharp(image.path, { limitInputPixels: LIMITS.imagePixelsMax }).metadata();
    const sourceWidth = meta.autoOrient.width;
    const sourceHeight = meta.autoOrient.height;
    if (sourceWidth < LIMITS.imageSideMin || sourceHeight < LIMITS.imageSideMin) {
      throw new StepFailure(REASONS.tooSmall(sourceWidth, sourceHeight));
    }
    const { data, info } = await sharp(image.path, { limitInputPixels: LIMITS.imagePixelsMax })
      .autoOrient()
      .resize(workingSize, workingSize, { fit: 'inside', withoutEnlargement: true })
      // Grey, 16-bit and CMYK inputs all become 8-bit sRGBA, the only layout the mask code reads.
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || data.byteLength !== info.width * info.height * 4) throw new StepFailure(REASONS.unreadable);
    return {
      width: info.width,
      height: info.height,
      rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      sourceWidth,
      sourceHeight,
    };
  } catch (err) {
    if (err instanceof StepFailure) throw err;
    throw new StepFailure(REASONS.unreadable);
  }
}

/** Colour distance that matches what a person calls "the same colour": the largest channel difference. */
function colourDistance(rgba: Uint8Array, i: number, ref: readonly [number, number, number]): number {
  const o = i * 4;
  return Math.max(
    Math.abs((rgba[o] as number) - ref[0]),
    Math.abs((rgba[o + 1] as number) - ref[1]),
    Math.abs((rgba[o + 2] as number) - ref[2]),
  );
}

function median(hist: Uint32Array, total: number): number {
  let seen = 0;
  for (let v = 0; v < hist.length; v++) {
    seen += hist[v] as number;
    if (seen * 2 >= total) return v;
  }
  return hist.length - 1;
}

function borderColour(img: WorkingImage): [number, number, number] {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)] as const;
  const { width: w, height: h, rgba } = img;
  let count = 0;
  const add = (x: number, y: number) => {
    const o = (y * w + x) * 4;
    for (let c = 0; c < 3; c++) {
      const bin = hist[c as 0 | 1 | 2];
      const v = rgba[o + c] as number;
      bin[v] = (bin[v] as number) + 1;
    }
    count++;
  };
  for (let x = 0; x < w; x++) {
    add(x, 0);
    add(x, h - 1);
  }
  for (let y = 1; y < h - 1; y++) {
    add(0, y);
    add(w - 1, y);
  }
  return [median(hist[0], count), median(hist[1], count), median(hist[2], count)];
}

/** Tolerances, in 0–255 channel units, for "looks like the background". */
const BLANK_TOLERANCE = 24;
const BACKGROUND_TOLERANCE = 40;

/** Background = pixels reachable from the border through pixels close to the border's colour. */
function floodFillMask(img: WorkingImage, ref: readonly [number, number, number]): Uint8Array {
  const { width: w, height: h, rgba } = img;
  const n = w * h;
  const background = new Uint8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const seed = (i: number) => {
    if (!background[i] && colourDistance(rgba, i, ref) <= BACKGROUND_TOLERANCE) {
      background[i] = 1;
      queue[tail++] = i;
    }
  };
  for (let x = 0; x < w; x++) {
    seed(x);
    seed((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    seed(y * w);
    seed(y * w + w - 1);
  }
  while (head < tail) {
    const i = queue[head++] as number;
    const x = i % w;
    if (x > 0) seed(i - 1);
    if (x < w - 1) seed(i + 1);
    if (i >= w) seed(i - w);
    if (i < n - w) seed(i + w);
  }
  const inside = new Uint8Array(n);
  for (let i = 0; i < n; i++) inside[i] = background[i] ? 0 : 1;
  return inside;
}

/** Labels 4-connected regions where `grid[i] === value`; returns the label per pixel (-1 elsewhere) and region sizes. */
function regions(grid: Uint8Array, w: number, h: number, value: number): { label: Int32Array; sizes: number[]; touchesBorder: boolean[] } {
  const n = w * h;
  const label = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  const touchesBorder: boolean[] = [];
  const queue = new Int32Array(n);
  for (let start = 0; start < n; start++) {
    if (grid[start] !== value || label[start] !== -1) continue;
    const id = sizes.length;
    let head = 0;
    let tail = 0;
    let size = 0;
    let border = false;
    label[start] = id;
    queue[tail++] = start;
    while (head < tail) {
      const i = queue[head++] as number;
      size++;
      const x = i % w;
      const y = (i - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) border = true;
      // Unrolled neighbour visits: this loop runs once per pixel.
      if (x > 0 && grid[i - 1] === value && label[i - 1] === -1) {
        label[i - 1] = id;
        queue[tail++] = i - 1;
      }
      if (x < w - 1 && grid[i + 1] === value && label[i + 1] === -1) {
        label[i + 1] = id;
        queue[tail++] = i + 1;
      }
      if (y > 0 && grid[i - w] === value && label[i - w] === -1) {
        label[i - w] = id;
        queue[tail++] = i - w;
      }
      if (y < h - 1 && grid[i + w] === value && label[i + w] === -1) {
        label[i + w] = id;
        queue[tail++] = i + w;
      }
    }
    sizes.push(size);
    touchesBorder.push(border);
  }
  return { label, sizes, touchesBorder };
}

/** Drops specks and fills pinholes, so that noise does not become tiny shells or tunnels in the mesh. */
function cleanMask(inside: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const parts = regions(inside, w, h, 1);
  let largest = 0;
  for (const size of parts.sizes) if (size > largest) largest = size;
  const minPart = Math.max(20, largest * 0.02);
  for (let i = 0; i < n; i++) {
    const id = parts.label[i] as number;
    if (id >= 0 && (parts.sizes[id] as number) < minPart) inside[i] = 0;
  }
  const holes = regions(inside, w, h, 0);
  const maxHole = Math.max(4, n * 0.0015);
  for (let i = 0; i < n; i++) {
    const id = holes.label[i] as number;
    if (id >= 0 && !holes.touchesBorder[id] && (holes.sizes[id] as number) < maxHole) inside[i] = 1;
  }
}

/** Finds the object, or throws a StepFailure that says why the image cannot be used. */
export async function findObjectMask(img: WorkingImage, pause: () => Promise<void>): Promise<ObjectMask> {
  const { width: w, height: h, rgba } = img;
  const n = w * h;
  let transparent = 0;
  for (let i = 0; i < n; i++) if ((rgba[i * 4 + 3] as number) < 128) transparent++;

  let inside: Uint8Array;
  // A few see-through pixels (a rounded corner, a watermark) do not make alpha the outline.
  if (transparent >= n * 0.01) {
    if (n - transparent < Math.max(16, n * 0.002)) throw new StepFailure(REASONS.transparent);
    inside = new Uint8Array(n);
    for (let i = 0; i < n; i++) inside[i] = (rgba[i * 4 + 3] as number) >= 128 ? 1 : 0;
  } else {
    const ref = borderColour(img);
    let same = 0;
    for (let i = 0; i < n; i++) if (colourDistance(rgba, i, ref) <= BLANK_TOLERANCE) same++;
    if (same >= n * 0.995) throw new StepFailure(REASONS.blank);
    inside = floodFillMask(img, ref);
  }
  cleanMask(inside, w, h);

  let area = 0;
  let x0 = w;
  let y0 = h;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!inside[y * w + x]) continue;
      area++;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x + 1 > x1) x1 = x + 1;
      if (y + 1 > y1) y1 = y + 1;
    }
  }
  if (area < Math.max(24, n * 0.002)) throw new StepFailure(REASONS.noObject);
  if (area > n * 0.97) throw new StepFailure(REASONS.fullFrame);

  await pause();
  const outside = new Uint8Array(n);
  for (let i = 0; i < n; i++) outside[i] = inside[i] ? 0 : 1;
  // The image edge counts as outside too, so an object cut by the frame still gets a closed outline.
  const dIn = distanceToOutsideOrEdge(outside, w, h);
  const dOut = distanceTo(inside, w, h);
  const sdf = new Float32Array(n);
  // Pixel centres sit half a pixel from the outline that separates them from their neighbours.
  for (let i = 0; i < n; i++) sdf[i] = inside[i] ? (dIn[i] as number) - 0.5 : 0.5 - (dOut[i] as number);
  return { width: w, height: h, inside, sdf, box: { x0, y0, x1, y1 }, area };
}

function distanceToOutsideOrEdge(outside: Uint8Array, w: number, h: number): Float32Array {
  // Pad by one pixel of "outside" all round, then crop back.
  const pw = w + 2;
  const ph = h + 2;
  const padded = new Uint8Array(pw * ph).fill(1);
  for (let y = 0; y < h; y++) padded.set(outside.subarray(y * w, y * w + w), (y + 1) * pw + 1);
  const d = distanceTo(padded, pw, ph);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(d.subarray((y + 1) * pw + 1, (y + 1) * pw + 1 + w), y * w);
  return out;
}

/** Bilinear sample of a pixel-centred field at continuous image coordinates (pixel x spans [x, x + 1)). */
export function sampleField(field: Float32Array, w: number, h: number, x: number, y: number): number {
  const fx = Math.min(Math.max(x - 0.5, 0), w - 1);
  const fy = Math.min(Math.max(y - 0.5, 0), h - 1);
  const ix = Math.min(Math.floor(fx), Math.max(0, w - 2));
  const iy = Math.min(Math.floor(fy), Math.max(0, h - 2));
  const tx = fx - ix;
  const ty = fy - iy;
  const ix1 = Math.min(ix + 1, w - 1);
  const iy1 = Math.min(iy + 1, h - 1);
  const a = field[iy * w + ix] as number;
  const b = field[iy * w + ix1] as number;
  const c = field[iy1 * w + ix] as number;
  const d = field[iy1 * w + ix1] as number;
  return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
}
