// Reads and writes assets, their images, versions and revisions. Statements are prepared once; every
// multi-row write is one transaction and bumps the change counter that list ETags are made from.
import type { Asset, Phase, PipelineStep, Revision, StepKey, Version, VersionSource } from '../../contract/asset';
import type { PhaseCounts, Sort } from '../../contract/api';
import type { Db } from './database';

export interface AssetRow {
  id: string;
  name: string;
  name_lower: string;
  created_at: number;
  pipeline: string;
  step_index: number;
  phase: Phase;
  updated_at: number;
  progress: number | null;
  error_message: string | null;
  next_step_at: number | null;
  polycount: number | null;
  has_thumbnail: number;
  job_source: 'generated' | 'revision' | null;
  job_note: string | null;
  change_seq: number;
}

export interface VersionRow {
  asset_id: string;
  n: number;
  step_key: StepKey;
  source: VersionSource;
  created_at: number;
  note: string | null;
  file: string;
  size_bytes: number;
  triangles: number;
}

export interface ImageRow {
  asset_id: string;
  idx: number;
  file: string;
  mime: 'image/png' | 'image/jpeg';
}

interface RevisionRow {
  step_key: StepKey;
  note: string;
  created_at: number;
}

export interface NewAsset {
  id: string;
  name: string;
  createdAt: number;
  pipeline: readonly PipelineStep[];
  polycount: number | null;
  hasThumbnail: boolean;
  images: readonly { file: string; mime: ImageRow['mime'] }[];
}

/** A position in a sorted list: the sort column's value and the id that breaks ties. */
export type ListCursor = [string | number, string];

export interface ListParams {
  phase?: Phase;
  q?: string;
  sort: Sort;
  limit: number;
  after?: ListCursor;
}

/** Sort orders as fixed SQL fragments: nothing a client sends is ever spliced into SQL. */
const SORT_SQL: Record<Sort, { column: string; order: string; after: string }> = {
  newest: {
    column: 'created_at',
    order: 'created_at DESC, id DESC',
    after: '(created_at < @afterValue OR (created_at = @afterValue AND id < @afterId))',
  },
  updated: {
    column: 'updated_at',
    order: 'updated_at DESC, id DESC',
    after: '(updated_at < @afterValue OR (updated_at = @afterValue AND id < @afterId))',
  },
  name: {
    column: 'name_lower',
    order: 'name_lower ASC, id ASC',
    after: '(name_lower > @afterValue OR (name_lower = @afterValue AND id > @afterId))',
  },
};

/** The steps an asset was created with (stored as JSON so a pipeline can change without a migration). */
export function pipelineOf(row: Pick<AssetRow, 'pipeline'>): PipelineStep[] {
  return JSON.parse(row.pipeline) as PipelineStep[];
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern for "name contains q", case-insensitively: the list and its counts must agree on it. */
function namePattern(q: string): string {
  return `%${escapeLike(q.toLowerCase())}%`;
}

/**
 * SQLite's LIKE reads its pattern as C text, which ends at the first NUL: "%vase\0zzz%" would match any name
 * ending in "vase". Names never hold a NUL (they refuse control characters), so such a search matches nothing.
 */
function matchesNothing(q: string): boolean {
  return q.includes('\0');
}

export type AssetRepository = ReturnType<typeof createAssetRepository>;

export function createAssetRepository(db: Db) {
  const bumpSeq = db.prepare<[], { value: number }>(
    `UPDATE meta SET value = value + 1 WHERE key = 'change_seq' RETURNING value`,
  );
  const readSeq = db.prepare<[], { value: number }>(`SELECT value FROM meta WHERE key = 'change_seq'`);
  const nextSeq = (): number => (bumpSeq.get() as { value: number }).value;

  const getRow = db.prepare<[string], AssetRow>(`SELECT * FROM assets WHERE id = ?`);
  const insertAsset = db.prepare(
    `INSERT INTO assets (id, name, name_lower, created_at, pipeline, step_index, phase, updated_at, progress,
       error_message, next_step_at, polycount, has_thumbnail, job_source, job_note, change_seq)
     VALUES (@id, @name, @name_lower, @created_at, @pipeline, 0, 'processing', @created_at, 0,
       NULL, NULL, @polycount, @has_thumbnail, 'generated', NULL, @seq)`,
  );
  const insertImage = db.prepare(`INSERT INTO images (asset_id, idx, file, mime) VALUES (?, ?, ?, ?)`);
  const selectImages = db.prepare<[string], ImageRow>(`SELECT * FROM images WHERE asset_id = ? ORDER BY idx`);
  const selectVersions = db.prepare<[string], VersionRow>(`SELECT * FROM versions WHERE asset_id = ? ORDER BY n`);
  const selectVersion = db.prepare<[string, number], VersionRow>(`SELECT * FROM versions WHERE asset_id = ? AND n = ?`);
  const selectLatestVersion = db.prepare<[string], VersionRow>(
    `SELECT * FROM versions WHERE asset_id = ? ORDER BY n DESC LIMIT 1`,
  );
  const selectLatestVersionOfStep = db.prepare<[string, string], VersionRow>(
    `SELECT * FROM versions WHERE asset_id = ? AND step_key = ? ORDER BY n DESC LIMIT 1`,
  );
  const selectMaxVersion = db.prepare<[string], { n: number | null }>(`SELECT MAX(n) AS n FROM versions WHERE asset_id = ?`);
  const insertVersion = db.prepare(
    `INSERT INTO versions (asset_id, n, step_key, source, created_at, note, file, size_bytes, triangles)
     VALUES (@asset_id, @n, @step_key, @source, @created_at, @note, @file, @size_bytes, @triangles)`,
  );
  const selectRevisions = db.prepare<[string], RevisionRow>(
    `SELECT step_key, note, created_at FROM revisions WHERE asset_id = ? ORDER BY id`,
  );
  const insertRevision = db.prepare(`INSERT INTO revisions (asset_id, step_key, note, created_at) VALUES (?, ?, ?, ?)`);
  const deleteAsset = db.prepare(`DELETE FROM assets WHERE id = ?`);
  const selectStoredFiles = db.prepare<[], { file: string }>(
    `SELECT file FROM images UNION ALL SELECT file FROM versions
     UNION ALL SELECT id || '/thumbnail.jpg' FROM assets WHERE has_thumbnail = 1`,
  );
  const updateState = db.prepare(
    `UPDATE assets SET step_index = @step_index, phase = @phase, updated_at = @updated_at, progress = @progress,
       error_message = @error_message, next_step_at = @next_step_at, job_source = @job_source, job_note = @job_note,
       change_seq = @seq
     WHERE id = @id`,
  );
  const updateProgress = db.prepare(
    `UPDATE assets SET progress = @progress, change_seq = @seq WHERE id = @id AND phase = 'processing'`,
  );
  const selectProcessing = db.prepare<[], { id: string }>(
    `SELECT id FROM assets WHERE phase = 'processing' ORDER BY updated_at, id`,
  );
  const selectDue = db.prepare<[number], { id: string }>(
    `SELECT id FROM assets WHERE next_step_at IS NOT NULL AND next_step_at <= ? ORDER BY next_step_at, id`,
  );
  const selectNextDeadline = db.prepare<[], { at: number | null }>(
    `SELECT MIN(next_step_at) AS at FROM assets WHERE next_step_at IS NOT NULL`,
  );
  const countAll = db.prepare<[], { phase: Phase; n: number }>(`SELECT phase, COUNT(*) AS n FROM assets GROUP BY phase`);
  const countByName = db.prepare<[string], { phase: Phase; n: number }>(
    `SELECT phase, COUNT(*) AS n FROM assets WHERE name_lower LIKE ? ESCAPE '\\' GROUP BY phase`,
  );

  // One prepared statement per (sort, filter) shape, made on first use.
  const listStatements = new Map<string, ReturnType<Db['prepare']>>();
  function listStatement(p: ListParams) {
    const key = `${p.sort}|${p.phase ? 1 : 0}|${p.q ? 1 : 0}|${p.after ? 1 : 0}`;
    let stmt = listStatements.get(key);
    if (!stmt) {
      const s = SORT_SQL[p.sort];
      const where: string[] = [];
      if (p.phase) where.push('phase = @phase');
      if (p.q) where.push(`name_lower LIKE @pattern ESCAPE '\\'`);
      if (p.after) where.push(s.after);
      const sql = `SELECT * FROM assets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${s.order} LIMIT @limit`;
      stmt = db.prepare(sql);
      listStatements.set(key, stmt);
    }
    return stmt;
  }

  function toVersion(v: VersionRow): Version {
    return {
      n: v.n,
      step_key: v.step_key,
      source: v.source,
      created_at: v.created_at,
      ...(v.note !== null ? { note: v.note } : {}),
      size_bytes: v.size_bytes,
      triangles: v.triangles,
    };
  }

  function toAsset(row: AssetRow): Asset {
    const revisions: Revision[] = selectRevisions.all(row.id);
    return {
      id: row.id,
      name: row.name,
      created_at: row.created_at,
      pipeline: pipelineOf(row),
      step_index: row.step_index,
      status: {
        phase: row.phase,
        updated_at: row.updated_at,
        ...(row.phase === 'processing' ? { progress: row.progress ?? 0 } : {}),
        ...(row.phase === 'failed' && row.error_message !== null ? { error_message: row.error_message } : {}),
      },
      next_step_at: row.next_step_at,
      versions: selectVersions.all(row.id).map(toVersion),
      revisions,
      thumbnail_url: row.has_thumbnail ? `/api/assets/${row.id}/thumbnail.jpg` : null,
      polycount: row.polycount,
    };
  }

  type StatePatch = Partial<
    Pick<AssetRow, 'step_index' | 'phase' | 'progress' | 'error_message' | 'next_step_at' | 'job_source' | 'job_note'>
  >;

  return {
    db,
    changeSeq: (): number => (readSeq.get() as { value: number }).value,
    get: (id: string): AssetRow | undefined => getRow.get(id),
    toAsset,
    images: (id: string): ImageRow[] => selectImages.all(id),
    version: (id: string, n: number): VersionRow | undefined => selectVersion.get(id, n),
    latestVersion: (id: string): VersionRow | undefined => selectLatestVersion.get(id),
    latestVersionOfStep: (id: string, step: StepKey): VersionRow | undefined => selectLatestVersionOfStep.get(id, step),
    nextVersionNumber: (id: string): number => (selectMaxVersion.get(id)?.n ?? 0) + 1,

    insert: db.transaction((a: NewAsset): void => {
      insertAsset.run({
        id: a.id,
        name: a.name,
        name_lower: a.name.toLowerCase(),
        created_at: a.createdAt,
        pipeline: JSON.stringify(a.pipeline),
        polycount: a.polycount,
        has_thumbnail: a.hasThumbnail ? 1 : 0,
        seq: nextSeq(),
      });
      a.images.forEach((img, i) => insertImage.run(a.id, i, img.file, img.mime));
    }),

    /** Applies a state change to a row the caller has just read in the same transaction. */
    updateState(row: AssetRow, patch: StatePatch, now: number): AssetRow {
      const next: AssetRow = { ...row, ...patch, updated_at: now, change_seq: nextSeq() };
      updateState.run({
        id: next.id,
        step_index: next.step_index,
        phase: next.phase,
        updated_at: next.updated_at,
        progress: next.progress,
        error_message: next.error_message,
        next_step_at: next.next_step_at,
        job_source: next.job_source,
        job_note: next.job_note,
        seq: next.change_seq,
      });
      return next;
    },

    setProgress: (id: string, progress: number): void => {
      db.transaction(() => updateProgress.run({ id, progress, seq: nextSeq() }))();
    },

    addVersion(v: VersionRow): void {
      insertVersion.run(v);
    },

    addRevision(id: string, step: StepKey, note: string, now: number): void {
      insertRevision.run(id, step, note, now);
    },

    delete: (id: string): boolean =>
      db.transaction(() => {
        const changed = deleteAsset.run(id).changes > 0;
        if (changed) nextSeq();
        return changed;
      })(),

    /** Every file a row points at: what a sweep of the files folder must keep. */
    storedFiles: (): Set<string> => new Set(selectStoredFiles.all().map((r) => r.file)),

    processingIds: (): string[] => selectProcessing.all().map((r) => r.id),
    dueIds: (now: number): string[] => selectDue.all(now).map((r) => r.id),
    nextDeadline: (): number | null => selectNextDeadline.get()?.at ?? null,

    counts(q?: string): PhaseCounts {
      const counts: PhaseCounts = { processing: 0, for_review: 0, completed: 0, failed: 0 };
      if (q && matchesNothing(q)) return counts;
      const rows = q ? countByName.all(namePattern(q)) : countAll.all();
      for (const r of rows) counts[r.phase] = r.n;
      return counts;
    },

    list(p: ListParams): AssetRow[] {
      if (p.q && matchesNothing(p.q)) return [];
      const params: Record<string, string | number> = { limit: p.limit };
      if (p.phase) params.phase = p.phase;
      if (p.q) params.pattern = namePattern(p.q);
      if (p.after) {
        params.afterValue = p.after[0];
        params.afterId = p.after[1];
      }
      return listStatement(p).all(params) as AssetRow[];
    },

    /** The value a list sorted by `sort` orders this row by, for building the next cursor. */
    sortValue(row: AssetRow, sort: Sort): string | number {
      return row[SORT_SQL[sort].column as 'created_at' | 'updated_at' | 'name_lower'];
    },
  };
}
