// Uploads: admits them within per-person and overall caps, reads multipart bodies with an idle timeout and a bound on
// the memory they hold, and checks every file by its content, never by its name or type header.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LIMITS } from '../../contract/api';
import { stripHidden } from '../../contract/text';
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

export interface MultipartOptions {
  fileFields: readonly string[];
  textFields: readonly string[];
  maxFileBytes: number;
  maxFiles: number;
  tooLargeMessage: string;
  tooManyFilesMessage: string;
}

/**
 * How uploads share the server. A body is read into memory at whatever pace the client sends it, holding no
 * checking slot while it arrives, so a slow sender delays nobody but itself; only the CPU-heavy check of a body
 * that has fully arrived waits for one of the few checking slots.
 */
export interface UploadLimits {
  /** Uploads one person may have in flight at once; one more is a 429 before its body is read. */
  perUser: number;
  /** Uploads in flight overall (arriving, waiting or being checked); one more is a 503 before its body is read. */
  inFlight: number;
  /** Bytes of upload bodies held in memory overall; the upload whose bytes would go past it is a 503. */
  heldBytes: number;
  /**
   * The share of `heldBytes` one person's uploads may hold; their upload that would go past it is a 429. Without
   * it, one person sending four large bodies slowly enough would hold all of it and turn everyone else away.
   */
  heldBytesPerUser: number;
  /** Uploads checked at once (image decoding, GLB validation); the rest wait with their body in memory. */
  checking: number;
  /** A body that sends nothing for this long is answered 408 and its connection closed. */
  idleMs: number;
  /** When the server stops, how long bodies still arriving may take to finish before they get a 503. */
  stopGraceMs: number;
}

export const UPLOAD_LIMITS: UploadLimits = {
  // Enough for a script or a page that sends a few at once; a slow one only ever delays its own sender.
  perUser: 4,
  // Memory is bounded by heldBytes; this bounds the connections the uploads of many people keep open.
  inFlight: 32,
  // Four uploads at their largest (64 MB models): one for each checking slot.
  heldBytes: 256 * 1024 * 1024,
  // Two of the largest models: one person can never hold more than half.
  heldBytesPerUser: 128 * 1024 * 1024,
  checking: 4,
  idleMs: 15_000,
  // Well within main.ts's 10 s before a stop gives up waiting and exits.
  stopGraceMs: 3_000,
};

/** Seconds a refused upload is told to wait (Retry-After) before trying again. */
const RETRY_AFTER_S = 10;

const timedOut = () =>
  new HttpError(408, 'timeout', 'The upload stopped arriving, so the server gave up on it. Check the connection and upload again.');

/** One upload admitted by an UploadGuard: read its body, then check it in a checking slot. */
export interface Upload {
  /**
   * Collects the multipart body: text fields and the files of the allowed fields, each under `maxFileBytes`
   * (enforced while streaming). Unknown or repeated fields are a 400, and so is a body that is not well-formed
   * multipart or stops early; a body that sends nothing for `idleMs` is a 408.
   */
  read(o: MultipartOptions): Promise<MultipartResult>;
  /** Runs the CPU-heavy check of a body that has arrived, a few uploads at a time. */
  check<T>(run: () => Promise<T>): Promise<T>;
}

export interface UploadGuard {
  /**
   * Admits an upload (a 429 when its sender has `perUser` in flight, a 503 when the server has `inFlight`),
   * before any of its body is read, then runs it. A 408, 429 or 503 closes the connection, so a refused
   * sender cannot keep it open by trickling the rest of its body.
   */
  run<T>(req: FastifyRequest, reply: FastifyReply, upload: (u: Upload) => Promise<T>): Promise<T>;
  /**
   * For a stop: bodies still arriving after `stopGraceMs` get a 503 and their connection closes, so a slow sender
   * cannot hold the stop up.
   */
  stopReading(): void;
}

export function createUploadGuard(limits: UploadLimits): UploadGuard {
  const perUser = new Map<string, number>();
  const heldByUser = new Map<string, number>();
  let inFlight = 0;
  let heldBytes = 0;
  const withCheckingSlot = createUploadGate(limits.checking);
  /** How to give up on each body still arriving. */
  const arriving = new Set<(err: HttpError) => void>();
  let stopped = false;
  const stopping = () => new HttpError(503, 'unavailable', 'The server is restarting. Upload again in a moment.');

  return {
    async run(req, reply, upload) {
      // Every upload route needs a signed-in editor (policy.ts), so there is always a principal; the address is
      // only a fallback.
      const who = req.principal?.user.id ?? `ip:${req.ip}`;
      const mine = perUser.get(who) ?? 0;
      if (mine >= limits.perUser) {
        refuse(reply, true);
        throw new HttpError(
          429,
          'rate_limited',
          `You already have ${mine} uploads in progress; wait for one to finish, then try again.`,
        );
      }
      if (inFlight >= limits.inFlight) {
        refuse(reply, true);
        throw new HttpError(503, 'unavailable', 'The server is busy with other uploads. Try again in a moment.');
      }
      if (stopped) {
        refuse(reply, true);
        throw stopping();
      }
      perUser.set(who, mine + 1);
      inFlight++;
      let held = 0;
      let done = false;
      const hold = (n: number) => {
        if (done) throw new HttpError(400, 'bad_request', 'The upload has already ended.');
        const mineHeld = heldByUser.get(who) ?? 0;
        if (mineHeld + n > limits.heldBytesPerUser) {
          throw new HttpError(
            429,
            'rate_limited',
            `Your uploads in progress already hold ${Math.round(mineHeld / 2 ** 20)} MB, as much as one person may; wait for one to finish, then try again.`,
          );
        }
        if (heldBytes + n > limits.heldBytes) {
          throw new HttpError(503, 'unavailable', 'The server is busy with other large uploads. Try again in a moment.');
        }
        heldBytes += n;
        heldByUser.set(who, mineHeld + n);
        held += n;
      };
      try {
        return await upload({
          read: (o) => readMultipart(req, o, { idleMs: limits.idleMs, hold, arriving }),
          check: withCheckingSlot,
        });
      } catch (err) {
        if (err instanceof HttpError && (err.statusCode === 408 || err.statusCode === 429 || err.statusCode === 503)) {
          refuse(reply, err.statusCode !== 408);
        }
        throw err;
      } finally {
        done = true;
        heldBytes -= held;
        const mineLeft = (heldByUser.get(who) ?? held) - held;
        if (mineLeft > 0) heldByUser.set(who, mineLeft);
        else heldByUser.delete(who);
        inFlight--;
        const left = (perUser.get(who) ?? 1) - 1;
        if (left > 0) perUser.set(who, left);
        else perUser.delete(who);
      }
    },
    stopReading() {
      setTimeout(() => {
        stopped = true;
        for (const giveUp of arriving) giveUp(stopping());
      }, limits.stopGraceMs).unref();
    },
  };
}

/** Headers of a refused upload: the connection closes after the answer, and a 429/503 says when to try again. */
function refuse(reply: FastifyReply, retry: boolean): void {
  void reply.header('connection', 'close');
  if (retry) void reply.header('retry-after', String(RETRY_AFTER_S));
}

async function readMultipart(
  req: FastifyRequest,
  o: MultipartOptions,
  g: { idleMs: number; hold: (bytes: number) => void; arriving: Set<(err: HttpError) => void> },
): Promise<MultipartResult> {
  if (!req.isMultipart()) throw unsupportedType('Send this request as multipart/form-data.');
  let giveUp: (err: HttpError) => void = () => undefined;
  const givenUp = new Promise<never>((_, reject) => {
    giveUp = reject;
  });
  g.arriving.add(giveUp);
  const timer = setTimeout(() => giveUp(timedOut()), g.idleMs);
  const stillArriving = () => timer.refresh();
  // Added in the same tick as collect() pipes the body into the parser, as the plugin adds its own listener:
  // the body flows to both from the next tick on, and only to the parser once this one is removed.
  req.raw.on('data', stillArriving);
  let abandoned = false;
  const collecting = collect(req, o, (n) => {
    if (abandoned) throw timedOut();
    g.hold(n);
  });
  try {
    return await Promise.race([collecting, givenUp]);
  } catch (err) {
    abandoned = true;
    // A body given up on (idle, or the server stopping) ends once its connection closes; its late error goes nowhere.
    collecting.catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
    g.arriving.delete(giveUp);
    req.raw.off('data', stillArriving);
  }
}

async function collect(req: FastifyRequest, o: MultipartOptions, hold: (bytes: number) => void): Promise<MultipartResult> {
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
        current = part.filename ? clip(stripHidden(part.filename), 80) : 'A file';
        const chunks: Buffer[] = [];
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          if (part.file.truncated) break;
          hold(chunk.byteLength);
          chunks.push(chunk);
        }
        if (part.file.truncated) throw tooLarge(`${current}: ${o.tooLargeMessage}`);
        // Only ever quoted back in messages; a hidden character there could make the quote read as something else.
        files.push({ field: part.fieldname, bytes: Buffer.concat(chunks), filename: stripHidden(part.filename) });
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

/** At most `slots` runs at once; the rest wait their turn, first come first served. */
function createUploadGate(slots: number) {
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
