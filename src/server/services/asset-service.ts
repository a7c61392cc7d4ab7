// The rules of an asset's life: creating it, the review actions, the countdown to the next step, and
// recording what each step produced. Every stage change goes through the stage machine.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { DEFAULT_PIPELINE, type Asset, type Phase } from '../../contract/asset';
import type { AssetList, DownloadFormat, PhaseCounts, Sort } from '../../contract/api';
import { loadSharp } from '../on-demand';
import { createExporter, exportNaming, type Exporter } from '../exports/exporter';
import { hasGlbMagic } from '../pipeline/builtin/glb-container';
import { createModelChecker, type ModelChecker } from '../models/model-checker';
import type { Generator } from '../pipeline/generator';
import { createCountdownScheduler } from '../pipeline/countdown-scheduler';
import { createStepRunner, type StepJob } from '../pipeline/step-runner';
import { pipelineOf, type AssetRepository, type AssetRow, type ListCursor, type ListParams } from '../storage/asset-repository';
import type { FileStore } from '../storage/file-store';
import { notFound, unprocessable, unsupportedType, wrongStage } from '../errors';
import { transition, type Action } from './stage-machine';

export interface NewAssetInput {
  name: string;
  polycount: number | null;
  /** Already checked by content: decodable PNG or JPEG within the size limits. */
  images: readonly { bytes: Uint8Array; mime: 'image/png' | 'image/jpeg' }[];
}

export interface AssetServiceOptions {
  repo: AssetRepository;
  files: FileStore;
  generator: Generator;
  /**
   * Builds and caches the downloads that need a conversion; its owner closes it. Default: one with the default
   * limits, whose worker starts only when a conversion is asked for and stops when idle (the seed never asks).
   */
  exporter?: Exporter;
  /** Checks uploaded and generated models in a worker thread. Default: one owned (and closed) by this service. */
  modelChecker?: ModelChecker;
  log: FastifyBaseLogger;
  stepMs: number;
  countdownMs: number;
  stepTimeoutMs: number;
  workers: number;
  now?: () => number;
}

export type AssetService = ReturnType<typeof createAssetService>;

export interface ListRequest {
  phase?: Phase;
  q?: string;
  sort: Sort;
  limit: number;
  after?: ListCursor;
  /** "0" or a token from an earlier answer (ListQuerySchema has checked its shape). */
  since?: string;
}

/** A list answer as it goes on the wire: its tag, and its JSON (UTF-8) unless the client already holds that tag. */
export interface ListPage {
  tag: string;
  json: Buffer | null;
}

interface CachedPage {
  /** The change counter the tag was checked at: while it has not moved, nothing in the database has. */
  seq: number;
  tag: string;
  /** Encoded once: a cached page is sent as these bytes, with no string to copy per request. */
  json?: Buffer;
}

/**
 * Pages answered recently, by query. Every open dashboard asks for the same few pages, so a poll after a change
 * elsewhere costs one small index read (the page's ids and change counters) instead of building the page again.
 */
const PAGE_CACHE_MAX = 64;

/** A file name for the header made from the asset's name: ASCII only; the full name travels in filename*. */
export function fileSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 60);
  return slug || 'asset';
}

const THUMBNAIL_PX = 320;

/** A stored file as the routes serve it: an entity tag for revalidation, and the bytes once they are wanted. */
export interface StoredFile {
  tag: string;
  size?: number;
  open(): NodeJS.ReadableStream;
}

/** Stored files are never rewritten under the same name, so the name identifies the bytes; hashed, to say nothing of the folder layout. */
function fileTag(file: string): string {
  return `"${createHash('sha256').update(file).digest('base64url').slice(0, 22)}"`;
}

export function newAssetId(): string {
  return randomBytes(9).toString('base64url');
}

export function createAssetService(o: AssetServiceOptions) {
  const { repo, files, log } = o;
  const exporter = o.exporter ?? createExporter({ files });
  const modelChecker = o.modelChecker ?? createModelChecker();
  const now = o.now ?? Date.now;
  // Part of every tag, so a tag from before a restart (or from a reset database) never matches again.
  const boot = randomBytes(6).toString('base64url');
  const db = repo.db;

  const runner = createStepRunner({
    repo,
    files,
    generator: o.generator,
    stepMs: o.stepMs,
    timeoutMs: o.stepTimeoutMs,
    workers: o.workers,
    log,
    complete: completeStep,
    fail: failStep,
  });

  const scheduler = createCountdownScheduler({
    nextDeadline: repo.nextDeadline,
    dueIds: repo.dueIds,
    now,
    startDue: (id) => startNextStep(id),
    onError(err, id) {
      if (id === null) {
        log.error({ err }, 'countdown could not read or start deadlines (disk or database fault); retrying in 1 s');
        return;
      }
      // Never leave a deadline that cannot fire: it would be retried in a tight loop.
      log.error({ err, assetId: id }, 'countdown could not start the next step; clearing it');
      try {
        db.transaction(() => {
          const row = repo.get(id);
          if (row) repo.updateState(row, { next_step_at: null }, now());
        })();
      } catch (clearErr) {
        log.error({ err: clearErr, assetId: id }, 'could not clear the countdown');
      }
    },
  });

  function mustGet(id: string): AssetRow {
    const row = repo.get(id);
    if (!row) throw notFound();
    return row;
  }

  function stepCount(row: AssetRow): number {
    return pipelineOf(row).length;
  }

  function check(row: AssetRow, action: Action) {
    return transition(
      { phase: row.phase, step_index: row.step_index, step_count: stepCount(row), next_step_at: row.next_step_at },
      action,
    );
  }

  /** Reads, checks and writes in one synchronous transaction, so two requests can never both pass the check. */
  function act(id: string, action: Action, patch: (row: AssetRow) => Partial<AssetRow>, also?: (row: AssetRow) => void): Asset {
    const updated = db.transaction(() => {
      const row = mustGet(id);
      const phase = check(row, action);
      also?.(row);
      return repo.updateState(row, { ...patch(row), phase }, now());
    })();
    return repo.toAsset(updated);
  }

  async function completeStep(job: StepJob, glb: Uint8Array, stop: AbortSignal): Promise<void> {
    const stillOnStep = () => {
      const row = repo.get(job.assetId);
      return row?.phase === 'processing' && row.step_index === job.stepIndex ? row : undefined;
    };
    if (stop.aborted || !stillOnStep()) return;
    // Held to the limits uploads are: a model over them could be neither previewed, exported nor built on.
    const stats = await modelChecker.stats(glb);
    if (stop.aborted || !stillOnStep()) return;
    if (stats.overLimit) {
      failStep(job, `The model this step made cannot be kept. ${stats.overLimit}`);
      return;
    }
    const file = await files.write(job.assetId, `v${repo.nextVersionNumber(job.assetId)}-${randomBytes(4).toString('hex')}.glb`, glb);
    let recorded: boolean;
    try {
      recorded = recordStep(job, file, glb.byteLength, stats.triangles, stillOnStep, stop);
    } catch (err) {
      // Not recorded (a full database, say): the file must not linger as an orphan until the next start.
      await files.remove(file).catch(() => undefined);
      throw err;
    }
    if (recorded) return;
    // Deleted while the file was written: remove the folder the write may have re-created, not just the file.
    if (repo.get(job.assetId)) await files.remove(file);
    else await files.removeAsset(job.assetId);
  }

  function recordStep(
    job: StepJob,
    file: string,
    sizeBytes: number,
    triangles: number,
    stillOnStep: () => AssetRow | undefined,
    stop: AbortSignal,
  ): boolean {
    return db.transaction(() => {
      const row = stillOnStep();
      if (!row || stop.aborted) return false;
      const phase = check(row, 'finish_step');
      repo.addVersion({
        asset_id: row.id,
        n: repo.nextVersionNumber(row.id),
        step_key: job.stepKey,
        source: row.job_source ?? 'generated',
        created_at: now(),
        note: row.job_source === 'revision' ? row.job_note : null,
        file,
        size_bytes: sizeBytes,
        triangles,
      });
      repo.updateState(row, { phase, progress: null, error_message: null, job_source: null, job_note: null }, now());
      return true;
    })();
  }

  function failStep(job: StepJob, reason: string): void {
    db.transaction(() => {
      const row = repo.get(job.assetId);
      if (!row || row.phase !== 'processing' || row.step_index !== job.stepIndex) return;
      const phase = check(row, 'fail_step');
      // job_source and job_note stay, so Retry runs the same request again.
      repo.updateState(row, { phase, progress: null, error_message: reason }, now());
    })();
  }

  function startNextStep(id: string): Asset {
    const asset = act(id, 'start_next_step', (row) => ({
      step_index: row.step_index + 1,
      progress: 0,
      error_message: null,
      next_step_at: null,
      job_source: 'generated',
      job_note: null,
    }));
    runner.enqueue(id);
    scheduler.reschedule();
    return asset;
  }

  const pageCache = new Map<string, CachedPage>();
  const pageKey = (r: ListRequest) =>
    JSON.stringify([r.phase ?? null, r.q?.trim() || null, r.sort, r.limit, r.after ?? null, r.since ?? null]);
  // One read transaction per page: the tag and the body describe the same state, even with another process
  // writing. Made once: better-sqlite3 builds a transaction's wrappers on every db.transaction() call, which a
  // poll answered with a 304 would otherwise pay each time.
  const readListPage = db.transaction((r: ListRequest, key: string, clientHas: (tag: string) => boolean): ListPage => {
    const q = r.q?.trim() || undefined;
    const p = listParamsOf(r, q);
    const seq = repo.changeSeq();
    let entry = pageCache.get(key);
    // Read once here and reused for the body: a search's counts and page are most of what a new page costs.
    let read: { hits: PhaseCounts; rows: AssetRow[] } | undefined;
    if (!entry || entry.seq !== seq) {
      const hits = repo.counts(q);
      const rows = repo.list(p, hits);
      read = { hits, rows };
      const since = sinceSeq(r.since, seq);
      const h = createHash('sha1').update(`${boot}|${key}|${since ?? '-'}|`);
      for (const s of rows) h.update(`${s.id}:${s.change_seq},`);
      h.update(`|${hits.processing},${hits.for_review},${hits.completed},${hits.failed}`);
      const tag = `${boot}.l${h.digest('base64url').slice(0, 22)}`;
      entry = entry?.tag === tag ? { ...entry, seq } : { seq, tag };
    }
    pageCache.delete(key);
    pageCache.set(key, entry);
    if (pageCache.size > PAGE_CACHE_MAX) pageCache.delete(pageCache.keys().next().value as string);
    if (clientHas(entry.tag)) return { tag: entry.tag, json: null };
    entry.json ??= Buffer.from(JSON.stringify(buildList(r, p, q, seq, read)));
    return { tag: entry.tag, json: entry.json };
  });
  const readList = db.transaction((r: ListRequest): AssetList => {
    const q = r.q?.trim() || undefined;
    return buildList(r, listParamsOf(r, q), q, repo.changeSeq());
  });

  /** The change counter a "since" token names, when it is one this server can answer from; else null. */
  function sinceSeq(since: string | undefined, seq: number): number | null {
    if (since === undefined || since === '0') return null;
    const dot = since.lastIndexOf('.');
    const n = Number(since.slice(dot + 1));
    // Another boot's token, or a counter ahead of this database (it was replaced): answer in full.
    return since.slice(0, dot) === boot && n <= seq ? n : null;
  }

  function buildList(
    r: ListRequest,
    p: ListParams,
    q: string | undefined,
    seq: number,
    read?: { hits: PhaseCounts; rows: AssetRow[] },
  ): AssetList {
    const counts = read?.hits ?? repo.counts(q);
    const rows = read?.rows ?? repo.list(p, counts);
    const page = rows.slice(0, r.limit);
    const last = page[page.length - 1];
    const since = sinceSeq(r.since, seq);
    const changed = since === null ? page : page.filter((row) => row.change_seq > since);
    // The newest change the client will hold for this page; every later change to any row has a higher counter.
    const token = `${boot}.${page.reduce((max, row) => Math.max(max, row.change_seq), since ?? 0)}`;
    return {
      items: repo.toAssets(changed),
      next_cursor: rows.length > r.limit && last ? encodeCursor(r.sort, [repo.sortValue(last, r.sort), last.id]) : null,
      counts,
      ...(r.since !== undefined ? { token } : {}),
      ...(since !== null ? { item_ids: page.map((row) => row.id) } : {}),
    };
  }

  return {
    runner,

    /** Re-queues steps that were running when the process stopped and re-arms countdowns. */
    resume(): void {
      for (const id of repo.processingIds()) {
        repo.setProgress(id, 0);
        runner.enqueue(id);
      }
      scheduler.reschedule();
    },

    async close(): Promise<void> {
      scheduler.close();
      await runner.close();
      if (!o.modelChecker) await modelChecker.close();
    },

    get(id: string): Asset {
      return repo.toAsset(mustGet(id));
    },

    /**
     * One list page, with a tag made from what the page would contain (its rows' ids and change counters, the
     * counts, the "since" it answers) rather than from the whole database, so a poll gets a 304 while other
     * assets change. `clientHas(tag)`: whether the client's If-None-Match names this tag; then no JSON is made.
     */
    listPage(r: ListRequest, clientHas: (tag: string) => boolean): ListPage {
      // The common poll: nothing changed since this page's tag was made, and the client has it or the bytes are
      // cached. Answered from memory (the counter of this process's own writes, re-read every SEQ_RESYNC_MS).
      const key = pageKey(r);
      const cached = pageCache.get(key);
      if (cached && cached.seq === repo.recentChangeSeq()) {
        // Most recently used again, so a page polled all the time is never the one pushed out.
        pageCache.delete(key);
        pageCache.set(key, cached);
        if (clientHas(cached.tag)) return { tag: cached.tag, json: null };
        if (cached.json) return { tag: cached.tag, json: cached.json };
      }
      return readListPage(r, key, clientHas);
    },

    /**
     * The asset's tag, which changes whenever the asset does, and the asset itself unless `clientHas(tag)`: a poll
     * answered with a 304 then reads one row, not the asset's versions and revisions.
     */
    getTagged(id: string, clientHas: (tag: string) => boolean): { asset: Asset | null; tag: string } {
      const row = mustGet(id);
      const tag = `${boot}.a${row.change_seq}`;
      return { asset: clientHas(tag) ? null : repo.toAsset(row), tag };
    },

    list(r: ListRequest): AssetList {
      return readList(r);
    },

    /** The stored GLB of version `n`, for the preview; opened only when the client does not already have it. */
    versionFile(id: string, n: number): StoredFile {
      mustGet(id);
      const v = repo.version(id, n);
      if (!v) throw notFound(`This asset has no version ${n}.`);
      return { tag: fileTag(v.file), size: v.size_bytes, open: () => files.stream(v.file) };
    },

    thumbnail(id: string): StoredFile {
      const row = mustGet(id);
      if (!row.has_thumbnail) throw notFound('This asset has no thumbnail.');
      const file = row.thumbnail_file ?? `${id}/thumbnail.jpg`;
      return { tag: fileTag(file), open: () => files.stream(file) };
    },

    /**
     * A version (the latest by default) as a file to stream for download, with the names to give it: the stored GLB
     * as it is, or a conversion the exporter builds in a worker once and then serves from its cache.
     */
    async download(id: string, format: DownloadFormat, version: number | undefined, userId: string) {
      const row = mustGet(id);
      const latest = repo.latestVersion(id);
      const v = version !== undefined ? repo.version(id, version) : latest;
      if (!v) {
        if (version !== undefined) throw notFound(`This asset has no version ${version}.`);
        throw wrongStage('This asset has no model yet: wait for its first step to finish.');
      }
      const isLatest = latest?.n === v.n;
      const base = isLatest ? fileSlug(row.name) : `${fileSlug(row.name)}-v${v.n}`;
      const readable = isLatest ? row.name : `${row.name} v${v.n}`;
      if (format === 'glb') {
        return { stream: files.stream(v.file), size: v.size_bytes, contentType: 'model/gltf-binary', fileName: `${base}.glb`, displayFileName: `${readable}.glb` };
      }
      const file = await exporter.get({ assetId: id, sourceRel: v.file, format, baseName: base, userId }).catch((err: unknown) => {
        // Deleted while its export waited or ran: the worker found no file to read, which is the asset's absence.
        if (!repo.get(id)) throw notFound();
        throw err;
      });
      if (!repo.get(id)) {
        // Deleted while its export was built: the export must not outlive the asset's folder.
        file.stream.destroy();
        await files.removeAsset(id).catch(() => undefined);
        throw notFound();
      }
      const { contentType, fileName } = exportNaming(format, base);
      // The readable name keeps what the ASCII name adds after its base ("-obj.zip"), so formats stay apart.
      return { ...file, contentType, fileName, displayFileName: `${readable}${fileName.slice(base.length)}` };
    },

    /** Refuses an upload before its body is read, when the stage would refuse it anyway. */
    assertCanUpload(id: string): void {
      check(mustGet(id), 'upload_version');
    },

    async create(input: NewAssetInput): Promise<Asset> {
      const id = newAssetId();
      const stored: { file: string; mime: 'image/png' | 'image/jpeg' }[] = [];
      try {
        for (const [i, img] of input.images.entries()) {
          const ext = img.mime === 'image/png' ? 'png' : 'jpg';
          stored.push({ file: await files.write(id, `input-${i}.${ext}`, img.bytes), mime: img.mime });
        }
        const first = input.images[0];
        let hasThumbnail = false;
        if (first) {
          const sharp = await loadSharp();
          const thumb = await sharp(first.bytes)
            .rotate()
            .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
            .flatten({ background: '#f4f4f5' })
            .jpeg({ quality: 82 })
            .toBuffer()
            .catch(() => {
              // checkImage decodes as strictly as this; should an image still fail here, it is the file's fault.
              throw unprocessable('The first image could not be read to make a thumbnail: the file may be damaged.');
            });
          await files.write(id, 'thumbnail.jpg', thumb);
          hasThumbnail = true;
        }
        repo.insert({
          id,
          name: input.name,
          createdAt: now(),
          pipeline: DEFAULT_PIPELINE,
          polycount: input.polycount,
          hasThumbnail,
          images: stored,
        });
      } catch (err) {
        // Nothing half-made stays behind: no row means no files either.
        await files.removeAsset(id).catch(() => undefined);
        throw err;
      }
      runner.enqueue(id);
      return repo.toAsset(mustGet(id));
    },

    approve(id: string): Asset {
      const asset = act(id, 'approve', (row) => ({
        next_step_at: row.step_index >= stepCount(row) - 1 ? null : now() + o.countdownMs,
      }));
      scheduler.reschedule();
      return asset;
    },

    startNextStep(id: string): Asset {
      return startNextStep(id);
    },

    cancelCountdown(id: string): Asset {
      const asset = act(id, 'cancel_countdown', () => ({ next_step_at: null }));
      scheduler.reschedule();
      return asset;
    },

    requestRevision(id: string, note: string): Asset {
      const asset = act(
        id,
        'request_revision',
        () => ({ progress: 0, error_message: null, job_source: 'revision', job_note: note }),
        (row) => repo.addRevision(row.id, pipelineOf(row)[row.step_index]?.key ?? 'geometry', note, now()),
      );
      runner.enqueue(id);
      return asset;
    },

    async uploadVersion(id: string, bytes: Uint8Array): Promise<Asset> {
      check(mustGet(id), 'upload_version'); // fail fast, before the expensive check
      if (!hasGlbMagic(bytes)) {
        throw unsupportedType('The file is not a GLB (binary glTF 2.0) model. Export the model as .glb and upload that.');
      }
      const result = await modelChecker.check(bytes);
      if (!result.ok) throw unprocessable(result.reason);
      const n = repo.nextVersionNumber(id);
      let file: string;
      try {
        file = await files.write(id, `v${n}-${randomBytes(4).toString('hex')}.glb`, bytes);
      } catch (err) {
        // Deleted while the file was written (its folder was removed under the write): a 404, not a 500.
        if (!repo.get(id)) {
          await files.removeAsset(id).catch(() => undefined);
          throw notFound();
        }
        throw err;
      }
      try {
        const updated = db.transaction(() => {
          const row = mustGet(id);
          const phase = check(row, 'upload_version');
          const stepKey = pipelineOf(row)[row.step_index]?.key;
          if (!stepKey) throw wrongStage('The asset has no current step.');
          repo.addVersion({
            asset_id: id,
            n: repo.nextVersionNumber(id),
            step_key: stepKey,
            source: 'uploaded',
            created_at: now(),
            note: null,
            file,
            size_bytes: bytes.byteLength,
            triangles: result.triangles,
          });
          return repo.updateState(row, { phase }, now());
        })();
        return repo.toAsset(updated);
      } catch (err) {
        // The write may have re-created the folder of an asset deleted meanwhile: remove all of it then.
        if (repo.get(id)) await files.remove(file).catch(() => undefined);
        else await files.removeAsset(id).catch(() => undefined);
        throw err;
      }
    },

    retry(id: string): Asset {
      const asset = act(id, 'retry', () => ({ progress: 0, error_message: null }));
      runner.enqueue(id);
      return asset;
    },

    async delete(id: string): Promise<void> {
      runner.cancel(id);
      if (!repo.delete(id)) throw notFound();
      scheduler.reschedule();
      // The row is gone, so the asset is deleted; files left by a failure here are swept at the next start.
      await files.removeAsset(id).catch((err: unknown) => log.warn({ err, assetId: id }, 'could not remove the files of a deleted asset'));
    },
  };
}

function listParamsOf(r: ListRequest, q: string | undefined): ListParams {
  return {
    sort: r.sort,
    limit: r.limit + 1, // one more than asked: whether it exists says whether there is a next page
    ...(r.phase ? { phase: r.phase } : {}),
    ...(q ? { q } : {}),
    ...(r.after ? { after: r.after } : {}),
  };
}

/** A cursor names its sort, so one made for another order is refused instead of silently misread. */
export function encodeCursor(sort: Sort, c: ListCursor): string {
  return Buffer.from(JSON.stringify([sort, ...c])).toString('base64url');
}
