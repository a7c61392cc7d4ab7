// Reads and writes assets, their images, versions and revisions. Statements are prepared once; every
// multi-row write is one transaction and bumps the change counter; every row a write touches takes the new
// counter value as its change_seq, which is what list ETags and "changes since" answers are made from.
import { PHASES, type Asset, type Phase, type PipelineStep, type Revision, type StepKey, type Version, type VersionSource } from '../../contract/asset';
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
  /** Set when the thumbnail is a shared file (bulk seed); null means `<id>/thumbnail.jpg`. */
  thumbnail_file: string | null;
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

/**
 * What "name contains q" looks for in name_lower, case-insensitively: the list and its counts must agree on it.
 * Tested with instr(name_lower, needle) > 0, an exact substring test (no wildcards to escape) that costs less than
 * half of LIKE '%…%' on every row it checks.
 */
function nameNeedle(q: string): string {
  return q.toLowerCase();
}

/**
 * Names never hold a NUL (they refuse control characters), so a search with one matches nothing: answered without
 * a query, as parts of SQLite read text as C strings that end at the first NUL ("vase\0zzz" would find "vase").
 */
function matchesNothing(q: string): boolean {
  return q.includes('\0');
}

/** How long a change counter read by this process stands for the database's (see recentChangeSeq). */
export const SEQ_RESYNC_MS = 250;

/** The trigram index finds substrings of 3 characters or more; shorter searches fall back to a scan. */
export const FTS_MIN_CHARS = 3;

/** q as one FTS5 phrase: every character literal, so the phrase matches exactly where q is a substring. */
function ftsPhrase(lowered: string): string {
  return `"${lowered.replace(/"/g, '""')}"`;
}

function useFts(lowered: string): boolean {
  return [...lowered].length >= FTS_MIN_CHARS;
}

/** How a name search finds its page: through the trigram index then sorted, or by walking the sort order. */
type SearchPlan = 'fts' | 'scan';

export type AssetRepository = ReturnType<typeof createAssetRepository>;

export function createAssetRepository(db: Db) {
  const bumpSeq = db.prepare<[], { value: number }>(
    `UPDATE meta SET value = value + 1 WHERE key = 'change_seq' RETURNING value`,
  );
  const readSeq = db.prepare<[], { value: number }>(`SELECT value FROM meta WHERE key = 'change_seq'`);
  // The counter as this process last saw it: every write here moves it, so an unchanged page can be told from
  // memory. Writers in other processes (an admin script) are seen on the next read of the row, at most
  // SEQ_RESYNC_MS later.
  let seen = { seq: -1, at: -Infinity };
  const nextSeq = (): number => {
    const value = (bumpSeq.get() as { value: number }).value;
    seen = { seq: value, at: performance.now() };
    return value;
  };
  const readSeqNow = (): number => {
    const value = (readSeq.get() as { value: number }).value;
    seen = { seq: value, at: performance.now() };
    return value;
  };

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
     UNION ALL SELECT COALESCE(thumbnail_file, id || '/thumbnail.jpg') FROM assets WHERE has_thumbnail = 1`,
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
  // Kept by triggers (migration 3): counting all assets reads four rows, never the table.
  const countAll = db.prepare<[], { phase: Phase; n: number }>(`SELECT phase, n FROM phase_counts`);
  // Each phase's hits counted in that phase's own trigram index (migration 5): index entries only, no row is read.
  // A phrase of 3+ characters matches exactly the names that contain it (the property test in
  // tests/server/scale compares every count with includes()).
  const countByFts = db.prepare<{ match: string }, PhaseCounts>(
    `SELECT ${PHASES.map((ph) => `(SELECT COUNT(*) FROM assets_names_${ph} WHERE assets_names_${ph} MATCH @match) AS ${ph}`).join(', ')}`,
  );
  const countByScan = db.prepare<{ needle: string }, { phase: Phase; n: number }>(
    `SELECT phase, COUNT(*) AS n FROM assets WHERE instr(name_lower, @needle) > 0 GROUP BY phase`,
  );
  const selectVersionsOf = db.prepare<[string], VersionRow>(
    `SELECT * FROM versions WHERE asset_id IN (SELECT value FROM json_each(?)) ORDER BY asset_id, n`,
  );
  const selectRevisionsOf = db.prepare<[string], RevisionRow & { asset_id: string }>(
    `SELECT asset_id, step_key, note, created_at FROM revisions WHERE asset_id IN (SELECT value FROM json_each(?))
     ORDER BY asset_id, id`,
  );

  // One prepared statement per (sort, filter, plan) shape, made on first use.
  const listStatements = new Map<string, ReturnType<Db['prepare']>>();
  function listStatement(p: ListParams, plan: SearchPlan | null) {
    const key = `${p.sort}|${p.phase ? 1 : 0}|${plan ?? '-'}|${p.after ? 1 : 0}`;
    let stmt = listStatements.get(key);
    if (!stmt) {
      const s = SORT_SQL[p.sort];
      const where: string[] = [];
      if (plan === 'fts') where.push('rowid IN (SELECT rowid FROM assets_search WHERE assets_search MATCH @match)');
      if (p.phase) where.push('phase = @phase');
      if (plan) where.push('instr(name_lower, @needle) > 0');
      if (p.after) where.push(s.after);
      // A rare term: look its few hits up by rowid and sort them (NOT INDEXED keeps the planner from walking a
      // whole sort index instead). A common one: walk the sort order, the LIMIT is reached after a few rows.
      const from = plan === 'fts' ? 'assets NOT INDEXED' : 'assets';
      const sql = `SELECT * FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${s.order} LIMIT @limit`;
      stmt = db.prepare(sql);
      listStatements.set(key, stmt);
    }
    return stmt;
  }

  function countsOf(q: string | undefined): PhaseCounts {
    const counts: PhaseCounts = { processing: 0, for_review: 0, completed: 0, failed: 0 };
    if (q && matchesNothing(q)) return counts;
    if (q && useFts(nameNeedle(q))) return { ...(countByFts.get({ match: ftsPhrase(nameNeedle(q)) }) as PhaseCounts) };
    const rows = q ? countByScan.all({ needle: nameNeedle(q) }) : countAll.all();
    for (const r of rows) counts[r.phase] = r.n;
    return counts;
  }

  /**
   * Walking the sort order reads about limit × (rows in scope) / (hits in scope) rows before the page is full;
   * the trigram route reads every hit once and sorts them. Take the cheaper.
   */
  function searchPlan(p: ListParams, hits: PhaseCounts): SearchPlan | null {
    if (!p.q) return null;
    if (!useFts(p.q.toLowerCase())) return 'scan';
    const all = countsOf(undefined);
    const total = (c: PhaseCounts) => c.processing + c.for_review + c.completed + c.failed;
    const inScope = p.phase ? hits[p.phase] : total(hits);
    const scope = p.phase ? all[p.phase] : total(all);
    if (inScope === 0) return 'fts';
    return (p.limit * scope) / inScope < total(hits) ? 'scan' : 'fts';
  }

  function listParams(p: ListParams): Record<string, string | number> {
    const params: Record<string, string | number> = { limit: p.limit };
    if (p.phase) params.phase = p.phase;
    if (p.q) {
      params.needle = nameNeedle(p.q);
      params.match = ftsPhrase(p.q.toLowerCase());
    }
    if (p.after) {
      params.afterValue = p.after[0];
      params.afterId = p.after[1];
    }
    return params;
  }

  function runList(p: ListParams, hits: PhaseCounts): AssetRow[] {
    if (p.q && matchesNothing(p.q)) return [];
    const plan = searchPlan(p, hits);
    const params = listParams(p);
    if (plan !== 'fts') delete params.match;
    if (!plan) delete params.needle;
    return listStatement(p, plan).all(params) as AssetRow[];
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
    return assetOf(row, selectVersions.all(row.id).map(toVersion), selectRevisions.all(row.id));
  }

  function assetOf(row: AssetRow, versions: Version[], revisions: Revision[]): Asset {
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
      versions,
      revisions,
      thumbnail_url: row.has_thumbnail ? `/api/assets/${row.id}/thumbnail.jpg` : null,
      polycount: row.polycount,
    };
  }

  /** Rows of many assets, in their order, grouped by asset and converted with `to`. */
  function byAsset<R extends { asset_id: string }, T>(rows: readonly R[], to: (row: R) => T): Map<string, T[]> {
    const grouped = new Map<string, T[]>();
    for (const row of rows) {
      const list = grouped.get(row.asset_id);
      if (list) list.push(to(row));
      else grouped.set(row.asset_id, [to(row)]);
    }
    return grouped;
  }

  /** Many rows as assets, with their versions and revisions read in two queries instead of two per row. */
  function toAssets(rows: readonly AssetRow[]): Asset[] {
    if (rows.length === 0) return [];
    const ids = JSON.stringify(rows.map((r) => r.id));
    const versions = byAsset(selectVersionsOf.all(ids), toVersion);
    const revisions = byAsset(selectRevisionsOf.all(ids), (r) => ({ step_key: r.step_key, note: r.note, created_at: r.created_at }));
    return rows.map((row) => assetOf(row, versions.get(row.id) ?? [], revisions.get(row.id) ?? []));
  }

  type StatePatch = Partial<
    Pick<AssetRow, 'step_index' | 'phase' | 'progress' | 'error_message' | 'next_step_at' | 'job_source' | 'job_note'>
  >;

  return {
    db,
    /** The change counter, read from the database: inside a transaction, the state that transaction sees. */
    changeSeq: readSeqNow,

    /**
     * The change counter without a query when this process wrote or read it in the last SEQ_RESYNC_MS: for telling
     * that nothing changed (a poll's 304), where a read costs more than the rest of the answer. It can be ahead of
     * the database after a rolled-back write; then the caller just takes its slower path.
     */
    recentChangeSeq: (): number => (performance.now() - seen.at < SEQ_RESYNC_MS ? seen.seq : readSeqNow()),
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
    storedFiles(): Set<string> {
      // Row by row: bulk-seeded assets share a few files, so the set stays small while the rows are many.
      const keep = new Set<string>();
      for (const r of selectStoredFiles.iterate()) keep.add(r.file);
      return keep;
    },

    processingIds: (): string[] => selectProcessing.all().map((r) => r.id),
    dueIds: (now: number): string[] => selectDue.all(now).map((r) => r.id),
    nextDeadline: (): number | null => selectNextDeadline.get()?.at ?? null,

    toAssets,

    /** Per-phase counts of every asset, or of those whose name contains `q` (case-insensitively). */
    counts: (q?: string): PhaseCounts => countsOf(q),

    /** `hits`: counts(p.q), which the caller has anyway; it picks how a search is run. */
    list(p: ListParams, hits: PhaseCounts = countsOf(p.q)): AssetRow[] {
      return runList(p, hits);
    },

    /** The value a list sorted by `sort` orders this row by, for building the next cursor. */
    sortValue(row: AssetRow, sort: Sort): string | number {
      return row[SORT_SQL[sort].column as 'created_at' | 'updated_at' | 'name_lower'];
    },
  };
}
