// Downloads in formats that need a conversion: each is built once per version, format and name, in the export
// pool, and kept beside the asset's files; later downloads stream that file. Requests for an export being built
// share the build, and one person may wait for only a few builds at a time.
import { createHash } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { HttpError, unprocessable } from '../errors';
import type { FileStore } from '../storage/file-store';
import { createExportPool, ExportFailure, type ConvertedFormat, type ExportPool, type ExportPoolOptions } from './export-pool';

/** The settings a server or a test may change: the pool's (workers, queue, limits) and the per-person cap. */
export type ExportSettings = ExportPoolOptions & {
  /** Exports one person may wait for at once; more get a 429. Default 2. */
  perUser?: number;
};

export type ExporterOptions = ExportSettings & { files: FileStore };

export interface ExportRequest {
  assetId: string;
  /** The stored GLB of the version (a relative path in the file store). */
  sourceRel: string;
  format: ConvertedFormat;
  /** Names the files inside the download; part of the cache key. */
  baseName: string;
  /** Who asks: the per-person cap counts by this. */
  userId: string;
}

export interface ExportedFile {
  stream: ReadStream;
  size: number;
}

/** A refusal that tells the client when to ask again (the route sends it as Retry-After). */
export class RetryLater extends HttpError {
  constructor(
    statusCode: 429 | 503,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(statusCode, statusCode === 429 ? 'rate_limited' : 'unavailable', message);
  }
}

/** Failures that asking again would only repeat, and how long they are remembered. */
const REMEMBERED = new Set(['unconvertible', 'out_of_memory', 'timeout']);
const REMEMBER_MS = 10 * 60_000;
const REMEMBER_MAX = 1_000;

function remember(failed: Map<string, { error: unknown; until: number }>, rel: string, error: unknown): void {
  failed.delete(rel);
  failed.set(rel, { error, until: Date.now() + REMEMBER_MS });
  // Oldest first in a Map: the bound drops the failures remembered longest ago.
  if (failed.size > REMEMBER_MAX) failed.delete(failed.keys().next().value as string);
}

/** The download's content type and ASCII file name, the same whether built now or read from the cache. */
export function exportNaming(format: ConvertedFormat, baseName: string): { contentType: string; fileName: string } {
  return { contentType: 'application/zip', fileName: `${baseName}-${format}.zip` };
}

/**
 * Part of every cache key: raise it when a change to export-model.ts changes what a download holds, so that exports
 * built before are not served again (they stay on disk until their asset is deleted).
 */
const EXPORT_REVISION = 1;

export type Exporter = ReturnType<typeof createExporter>;

export function createExporter({ files, perUser: cap, ...poolOptions }: ExporterOptions) {
  const perUser = Math.max(1, Math.floor(cap ?? 2));
  const pool = createExportPool(poolOptions);
  /** Builds under way, by the cache file they write. */
  const building = new Map<string, Promise<void>>();
  /** Exports each person is waiting for. */
  const waiting = new Map<string, number>();
  /**
   * Exports that failed for the model's own sake (unconvertible, out of memory, out of time), by cache file, with
   * the answer they got: asking again gets it at once instead of costing the worker another minute.
   */
  const failed = new Map<string, { error: unknown; until: number }>();

  function cacheRel(r: ExportRequest): string {
    const names = createHash('sha256').update(`${EXPORT_REVISION}\u0000${r.baseName}`).digest('hex').slice(0, 8);
    return files.derived(r.assetId, r.sourceRel, `${r.format}-${names}`, 'zip');
  }

  function build(rel: string, r: ExportRequest): Promise<void> {
    let shared = building.get(rel);
    if (!shared) {
      const name = rel.slice(rel.indexOf('/') + 1);
      shared = pool
        .run({ source: files.absolute(r.sourceRel), format: r.format, baseName: r.baseName })
        .then(async (bytes) => {
          await files.write(r.assetId, name, bytes);
        })
        .finally(() => building.delete(rel));
      building.set(rel, shared);
    }
    return shared;
  }

  return {
    /**
     * The export as a file to stream: from the cache, or built first. Throws an HttpError a person can act on
     * when it cannot be built, and RetryLater when this person or the server has too many exports under way.
     */
    async get(r: ExportRequest): Promise<ExportedFile> {
      const rel = cacheRel(r);
      const cached = await files.open(rel);
      if (cached) return cached;
      const known = failed.get(rel);
      if (known && known.until > Date.now()) throw known.error;

      const mine = waiting.get(r.userId) ?? 0;
      if (mine >= perUser) {
        throw new RetryLater(
          429,
          `You already have ${mine} downloads being prepared; wait for one of them to finish, then try again.`,
          5,
        );
      }
      waiting.set(r.userId, mine + 1);
      try {
        await build(rel, r);
      } catch (err) {
        const error = httpErrorOf(err, r.format, pool.limits);
        if (err instanceof ExportFailure && REMEMBERED.has(err.kind)) remember(failed, rel, error);
        throw error;
      } finally {
        const left = (waiting.get(r.userId) ?? 1) - 1;
        if (left > 0) waiting.set(r.userId, left);
        else waiting.delete(r.userId);
      }
      const built = await files.open(rel);
      // Only when the asset was deleted while its export was built.
      if (!built) throw new HttpError(404, 'not_found', 'No asset with that id.');
      return built;
    },

    /** Stops the workers; exports under way fail with a 503. */
    close: () => pool.close(),
  };
}

function httpErrorOf(err: unknown, format: ConvertedFormat, limits: ExportPool['limits']): unknown {
  if (!(err instanceof ExportFailure)) return err;
  const name = format.toUpperCase();
  const tooBig = `This version is too big to convert to ${name} on this server`;
  switch (err.kind) {
    case 'unconvertible':
      return unprocessable(`This version cannot be converted to ${name}. ${err.message}`);
    case 'out_of_memory': {
      const memory = limits.maxOldGenerationSizeMb ? `the ${limits.maxOldGenerationSizeMb} MB of memory` : 'the memory';
      return unprocessable(`${tooBig}: it needs more than ${memory} one export may use. Download it as GLB, which needs no conversion.`);
    }
    case 'timeout':
      return unprocessable(
        `${tooBig}: it takes longer than the ${Math.round(limits.timeoutMs / 1000)} s one export may run. Download it as GLB, which needs no conversion.`,
      );
    case 'busy':
      return new RetryLater(503, 'The server is preparing too many downloads right now. Try again in a few seconds, or download this version as GLB, which needs no conversion.', 10);
    case 'closed':
      return new RetryLater(503, 'The server is restarting. Try the download again in a few seconds.', 5);
    case 'crashed':
      return new HttpError(
        500,
        'internal',
        `Something went wrong while converting this version to ${name}. Try again; if it fails again, download it as GLB.`,
      );
  }
}
