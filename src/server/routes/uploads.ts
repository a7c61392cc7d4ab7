// Reads multipart uploads within limits and checks every file by its content, never by its name or type header.
import type { FastifyRequest } from 'fastify';
import { LIMITS } from '../../contract/api';
import { loadSharp } from '../on-demand';
import { HttpError, badRequest, tooLarge, unprocessable, unsupportedType } from '../errors';
import { clip } from './validate';

export type ImageMime = 'image/png' | 'image/jpeg';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const startsWith = (b: Uint8Array, magic: number[]) => magic.every((v, i) => b[i] === v);

export function sniffImage(bytes: Uint8Array): ImageMime | null {
  if (startsWith(bytes, PNG_MAGIC)) return 'image/png';
  if (startsWith(bytes, JPEG_MAGIC)) return 'image/jpeg';
  return null;
}

/** Decodes the whole image once, so a truncated or corrupt file is refused now rather than failing a step later. */
export async function checkImage(bytes: Uint8Array, label: string): Promise<ImageMime> {
  const mime = sniffImage(bytes);
  if (!mime) throw unsupportedType(`${label} is not a PNG or JPEG image.`);
  const sharp = await loadSharp();
  const meta = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => {
      throw unprocessable(`${label} could not be read as an image: the file may be damaged.`);
    });
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > LIMITS.imagePixelsMax) {
    throw unprocessable(
      `${label} is ${width}×${height} pixels; images may have at most ${(LIMITS.imagePixelsMax / 1e6).toFixed(0)} megapixels.`,
    );
  }
  try {
    // As strict as every later reader (the thumbnail, the pipeline's steps), which decode with sharp's default
    // failOn: 'warning'; a laxer check let corrupt-but-readable JPEGs through to fail there.
    await sharp(bytes, { failOn: 'warning', limitInputPixels: LIMITS.imagePixelsMax }).resize(16, 16, { fit: 'inside' }).raw().toBuffer();
  } catch {
    throw unprocessable(`${label} could not be decoded: the file may be truncated or damaged.`);
  }
  return mime;
}

export interface MultipartResult {
  fields: Record<string, string>;
  files: { field: string; bytes: Buffer; filename: string }[];
}

/**
 * Collects a multipart body: text fields and the files of the allowed fields, each under `maxFileBytes`
 * (enforced while streaming; at most `maxFiles` × `maxFileBytes` is ever held). Unknown or repeated fields
 * are a 400, and so is a body that is not well-formed multipart or stops early.
 */
export async function readMultipart(
  req: FastifyRequest,
  o: {
    fileFields: readonly string[];
    textFields: readonly string[];
    maxFileBytes: number;
    maxFiles: number;
    tooLargeMessage: string;
    tooManyFilesMessage: string;
  },
): Promise<MultipartResult> {
  if (!req.isMultipart()) throw unsupportedType('Send this request as multipart/form-data.');
  const fields: Record<string, string> = {};
  const files: MultipartResult['files'] = [];
  let current = 'A file';
  try {
    const parts = req.parts({ limits: { fileSize: o.maxFileBytes, files: o.maxFiles } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (!o.fileFields.includes(part.fieldname)) {
          part.file.resume();
          throw badRequest(`Unknown file field: ${clip(part.fieldname, 60)}.`);
        }
        current = part.filename ? clip(part.filename, 80) : 'A file';
        const bytes = await part.toBuffer();
        if (part.file.truncated) throw tooLarge(`${current}: ${o.tooLargeMessage}`);
        files.push({ field: part.fieldname, bytes, filename: part.filename });
      } else {
        if (!o.textFields.includes(part.fieldname)) throw badRequest(`Unknown field: ${clip(part.fieldname, 60)}.`);
        if (Object.hasOwn(fields, part.fieldname)) throw badRequest(`The field ${part.fieldname} was sent twice.`);
        if (part.valueTruncated) throw badRequest(`The field ${part.fieldname} is too long.`);
        // The plugin parses a part sent as application/json; its value is then not the text that was sent
        // (an object would be stored as "[object Object]"), so only plain text fields are taken.
        if (typeof part.value !== 'string' || part.mimetype === 'application/json') {
          throw badRequest(`The field ${part.fieldname} must be sent as plain text.`);
        }
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(`${current}: ${o.tooLargeMessage}`);
    if (code === 'FST_FILES_LIMIT') throw tooLarge(o.tooManyFilesMessage);
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw tooLarge('Too many form fields.');
    // Busboy's own errors (no boundary, cut-off body) carry no status: they are the client's malformed form.
    throw badRequest('The form is malformed or was cut off before it ended.');
  }
  return { fields, files };
}

/**
 * Uploads are held in memory while they are checked, so only a few are processed at once; the rest wait
 * their turn instead of adding up to more memory than the machine has.
 */
export function createUploadGate(slots: number) {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async function withSlot<T>(run: () => Promise<T>): Promise<T> {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await run();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}
