// Step "Texturing": bakes the primary reference image into a base-colour texture that lines up with the front
// projection (the image cropped to the object's box), with colour bled past the outline so that texels on the
// silhouette never show the background.
import { PropertyType } from '@gltf-transform/core';
import type { Document } from '@gltf-transform/core';
import { prune } from '@gltf-transform/functions';
import sharp from 'sharp';
import { LIMITS } from '../../../contract/api';
import type { SourceImage, StepInput } from '../generator';
import { distanceTransformYielding } from './distance';
import { drawnMeshNodes, readModel, writeModel } from './gltf-io';
import { findObjectMask, loadWorkingImage, sampleField } from './image-mask';
import type { ObjectMask, WorkingImage } from './image-mask';
import { textureSettings } from './revision-notes';
import type { TextureSettings } from './revision-notes';
import { checkpoint, StepFailure } from './step-kit';
import { hasUVs, projectFrontUVs } from './uv-projection';

/** WebGL's CLAMP_TO_EDGE: the projection spans exactly [0, 1], so wrapping would only bleed the far edge in. */
const CLAMP_TO_EDGE = 33071;

/** Working pixels inside the outline before a texel's own colour is trusted (anti-aliasing spans about one). */
const EDGE_MARGIN = 1.5;

export interface TextureOptions {
  workingSize: number;
  textureSize: number;
}

export async function runTexture(input: StepInput, o: TextureOptions): Promise<Uint8Array> {
  const doc = await readModel(input.previous);
  if (drawnMeshNodes(doc).length === 0) {
    throw new StepFailure('The model from the previous step has no mesh to texture. Upload a model with a visible mesh.');
  }
  // A model uploaded without UVs still gets a texture: project them the way the UV step would.
  if (!hasUVs(doc)) projectFrontUVs(doc);
  await checkpoint(input, 0.1);
  const img = await loadWorkingImage(input.images[0], o.workingSize);
  const mask = await findObjectMask(img, () => checkpoint(input, 0.2));
  await checkpoint(input, 0.25);
  const jpeg = await bakeBaseColour(input.images[0], img, mask, textureSettings(input.note), o.textureSize, (f) =>
    checkpoint(input, 0.25 + 0.6 * f),
  );
  applyBaseColour(doc, jpeg, input.asset.name);
  await doc.transform(prune({ propertyTypes: [PropertyType.MATERIAL, PropertyType.TEXTURE, PropertyType.ACCESSOR] }));
  await checkpoint(input, 0.9);
  return writeModel(doc);
}

async function bakeBaseColour(
  image: SourceImage | undefined,
  img: WorkingImage,
  mask: ObjectMask,
  settings: TextureSettings,
  textureSize: number,
  pause: (f: number) => Promise<void>,
): Promise<Uint8Array> {
  if (!image) throw new StepFailure('This asset has no reference image to texture from.');
  const { box } = mask;
  // The object's box in the full-resolution image; the texture covers exactly what the UVs span.
  const kx = img.sourceWidth / img.width;
  const ky = img.sourceHeight / img.height;
  const left = Math.max(0, Math.floor(box.x0 * kx));
  const top = Math.max(0, Math.floor(box.y0 * ky));
  const right = Math.min(img.sourceWidth, Math.ceil(box.x1 * kx));
  const bottom = Math.min(img.sourceHeight, Math.ceil(box.y1 * ky));
  const cropW = Math.max(1, right - left);
  const cropH = Math.max(1, bottom - top);
  // Power-of-two sides keep mipmaps available on every GPU; the UVs span [0, 1] whatever the aspect.
  const tw = powerOfTwoSide(cropW, textureSize);
  const th = powerOfTwoSide(cropH, textureSize);
  const { data } = await sharp(image.path, { limitInputPixels: LIMITS.imagePixelsMax })
    .autoOrient()
    .extract({ left, top, width: cropW, height: cropH })
    .resize(tw, th, { fit: 'fill' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (data.byteLength !== tw * th * 4) throw new StepFailure('The image could not be read: the file may be damaged. Upload it again as a PNG or JPEG.');
  await pause(0.3);

  // Texels well inside the outline keep their colour; the rest (background, and the anti-aliased edge that
  // mixes background in) take the colour of the nearest kept texel. Very thin objects keep everything inside.
  const n = tw * th;
  const f = new Float64Array(n);
  const sdf = new Float32Array(n);
  for (let y = 0; y < th; y++) {
    const wy = box.y0 + ((y + 0.5) / th) * (box.y1 - box.y0);
    for (let x = 0; x < tw; x++) {
      const wx = box.x0 + ((x + 0.5) / tw) * (box.x1 - box.x0);
      sdf[y * tw + x] = sampleField(mask.sdf, mask.width, mask.height, wx, wy);
    }
  }
  await pause(0.45);
  let kept = 0;
  for (const margin of [EDGE_MARGIN, 0]) {
    kept = 0;
    for (let i = 0; i < n; i++) {
      const keep = (sdf[i] as number) > margin;
      f[i] = keep ? 0 : Infinity;
      if (keep) kept++;
    }
    if (kept > 0) break;
  }
  const rgb = new Uint8Array(n * 3);
  if (kept > 0) {
    const { nearest } = await distanceTransformYielding(f, tw, th, true, () => pause(0.6));
    for (let i = 0; i < n; i++) {
      const near = nearest ? (nearest[i] as number) : i;
      const src = near < 0 ? i : near;
      rgb[i * 3] = data[src * 4] as number;
      rgb[i * 3 + 1] = data[src * 4 + 1] as number;
      rgb[i * 3 + 2] = data[src * 4 + 2] as number;
    }
  } else {
    for (let i = 0; i < n; i++) rgb.set(data.subarray(i * 4, i * 4 + 3), i * 3);
  }
  await pause(0.7);
  let pipeline = sharp(rgb, { raw: { width: tw, height: th, channels: 3 } });
  if (settings.brightness !== 1 || settings.saturation !== 1) {
    pipeline = pipeline.modulate({ brightness: settings.brightness, saturation: settings.saturation });
  }
  const jpeg = await pipeline.jpeg({ quality: 88 }).toBuffer();
  return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
}

/** The smallest power of two that holds `size` pixels, at most the largest power of two within `max`. */
function powerOfTwoSide(size: number, max: number): number {
  const cap = 2 ** Math.floor(Math.log2(Math.max(1, max)));
  return Math.min(cap, 2 ** Math.ceil(Math.log2(Math.max(1, size))));
}

/** One material for everything drawn: the projection covers the whole object, whatever materials it had. */
function applyBaseColour(doc: Document, jpeg: Uint8Array, name: string): void {
  const texture = doc.createTexture(`${name} base colour`).setImage(jpeg).setMimeType('image/jpeg');
  const material = doc
    .createMaterial(name)
    .setBaseColorFactor([1, 1, 1, 1])
    .setMetallicFactor(0)
    .setRoughnessFactor(0.8)
    .setBaseColorTexture(texture);
  material
    .getBaseColorTextureInfo()
    ?.setTexCoord(0)
    .setWrapS(CLAMP_TO_EDGE)
    .setWrapT(CLAMP_TO_EDGE);
  for (const node of drawnMeshNodes(doc)) {
    for (const prim of node.getMesh()?.listPrimitives() ?? []) prim.setMaterial(material);
  }
}
