// The new-asset form's checks, from the contract's own schemas and limits, so the page says no before the server has to.
import { AssetNameSchema, LIMITS, PolycountSchema } from '../../../../contract/api';
import type { ApiError } from '../../../lib/api-client';
import { formatBytes } from '../../../lib/format';

const IMAGE_TYPES = ['image/png', 'image/jpeg'];

export function fileProblem(file: File): string | null {
  // Some systems give no type for a file; its extension is then the best hint (the server checks the bytes anyway).
  const typeOk = IMAGE_TYPES.includes(file.type) || (file.type === '' && /\.(png|jpe?g)$/i.test(file.name));
  if (!typeOk) return 'Not a PNG or JPEG image.';
  if (file.size > LIMITS.imageBytesMax) {
    return `Too large (${formatBytes(file.size)}); images may be at most ${LIMITS.imageBytesMax / 1024 / 1024} MB.`;
  }
  if (file.size === 0) return 'This file is empty.';
  return null;
}

/** `complete` also reports what is merely missing, which is only worth saying once the person tries to submit. */
export function imagesProblem(files: readonly File[], complete: boolean): string | null {
  if (files.length > LIMITS.imagesMax) {
    return `Add at most ${LIMITS.imagesMax} images: remove ${files.length - LIMITS.imagesMax}.`;
  }
  if (files.some((f) => fileProblem(f) !== null)) return 'Remove the images marked below; they cannot be used.';
  if (complete && files.length === 0) return 'Add at least one image (PNG or JPEG) of the object.';
  return null;
}

export function nameProblem(name: string): string | null {
  const parsed = AssetNameSchema.safeParse(name);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Enter a name.');
}

export function polycountProblem(polycount: string): string | null {
  if (!polycount.trim()) return null;
  const parsed = PolycountSchema.safeParse(polycount.trim());
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Enter a whole number.');
}

export type NewAssetField = 'name' | 'images' | 'polycount' | 'form';

/** Which field a server refusal is about, so its message can sit next to that field. */
export function fieldOfServerError(error: ApiError): NewAssetField {
  if (error.status === 413 || error.status === 415 || error.status === 422) return 'images';
  if (error.status === 400) {
    // The server names the field first: "Invalid form: polycount: …", "Add at least one image …".
    if (/\bname\b/i.test(error.message)) return 'name';
    if (/polycount/i.test(error.message)) return 'polycount';
    if (/image|file/i.test(error.message)) return 'images';
  }
  return 'form';
}
