// Inserts many realistic assets at once (`npm run seed:bulk -- <count>`), for measuring the service at a studio's
// size. The assets are spread over every stage and over months, with the versions and revisions each stage implies;
// their files are a few real ones made once by the real generator and shared, so previews, thumbnails and downloads
// work and the start-up sweep keeps them.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { DEFAULT_PIPELINE, type Phase, type StepKey, type VersionSource } from '../../contract/asset';
import { modelStats } from '../models/model-stats';
import { createBuiltinGenerator } from '../pipeline/builtin-generator';
import type { Generator } from '../pipeline/generator';
import { openDatabase, type Db } from '../storage/database';
import { createFileStore, type FileStore } from '../storage/file-store';
import { DEMO_IMAGES, renderDemoImage } from './demo-images';
import { seededRandom as random } from './seeded-random';

/** Not an asset id (those are 12 characters), so deleting any asset never removes the shared files. */
const SHARED_DIR = 'bulk-shared';

/** Shares of each stage among assets that are not processing; what a studio's library looks like after a year. */
const STAGE_MIX: readonly { stage: 'done' | 'approved' | 'review' | 'failed'; share: number }[] = [
  { stage: 'done', share: 0.55 },
  { stage: 'review', share: 0.25 },
  { stage: 'approved', share: 0.12 },
  { stage: 'failed', share: 0.08 },
];

const ADJECTIVES = [
  'Weathered', 'Polished', 'Rustic', 'Modern', 'Vintage', 'Ornate', 'Minimal', 'Chipped', 'Glossy', 'Matte', 'Carved',
  'Hammered', 'Painted', 'Brushed', 'Woven', 'Tall', 'Small', 'Round', 'Square', 'Curved', 'Folding', 'Stacked',
  'Broken', 'Antique', 'Nordic', 'Industrial', 'Baroque', 'Art-deco', 'Mossy', 'Dusty', 'Frosted', 'Smoked',
  'Café', 'Crème', 'Übergroß', 'Piñata', 'Señorial', 'Ærø', 'Kyōto', '東京', 'Søndre', 'Zürich',
];
const MATERIALS = [
  'oak', 'walnut', 'pine', 'bamboo', 'brass', 'copper', 'iron', 'steel', 'chrome', 'ceramic', 'porcelain', 'terracotta',
  'glass', 'marble', 'granite', 'concrete', 'leather', 'linen', 'velvet', 'wicker', 'rattan', 'resin', 'bronze', 'jade',
];
const NOUNS = [
  'vase', 'chair', 'stool', 'table', 'desk lamp', 'floor lamp', 'lantern', 'mug', 'teapot', 'bowl', 'jug', 'bottle',
  'crate', 'barrel', 'chest', 'shelf', 'cabinet', 'mirror', 'clock', 'candle holder', 'planter', 'bench', 'sofa',
  'armchair', 'helmet', 'shield', 'sword', 'axe', 'anvil', 'bucket', 'watering can', 'kettle', 'radio', 'typewriter',
  'camera', 'telephone', 'globe', 'statue', 'bust', 'fountain', 'well', 'signpost', 'mailbox', 'hydrant', 'bicycle',
  'skateboard', 'guitar', 'violin', 'drum', 'trophy', 'crown', 'goblet', 'chalice', 'spoon', 'ladle', 'pot', 'pan',
];
const SUFFIXES = ['', '', '', '', ' v2', ' v3', ' (hero)', ' (LOD test)', ' – damaged', ' 100%', ' set_B', ' "prop"', " O'Neil"];
const REVISION_NOTES = [
  'Make it a little smoother, please.',
  'The handle is too thin; thicken it.',
  'Less shiny, more worn.',
  'Reduce the polycount, this is a background prop.',
  'Colours are too saturated.',
  'Fix the seam on the back.',
];
const FAILURES = [
  'The image is almost one colour, so no object could be found in it. Upload a photo of the object on a plain, contrasting background.',
  'The image is too small to read a shape from (at least 32 pixels on each side).',
  'This step took too long and was stopped. Retry it; a smaller polycount helps.',
];

const DAY = 24 * 3600_000;

export interface BulkSeedOptions {
  db: Db;
  files: FileStore;
  count: number;
  /** How many of them are left Processing (the running server then works through them). Default min(20, 0.1 %). */
  processing?: number;
  /** Spread of created_at before `now`. Default 365 days. */
  spanDays?: number;
  now?: number;
  /** Seed of the pseudo-random choices, so two runs make the same library. */
  seed?: number;
  generator?: Generator;
}

export interface BulkSeedResult {
  made: number;
  versions: number;
  revisions: number;
  /** Milliseconds spent making the shared files, and inserting the rows. */
  filesMs: number;
  insertMs: number;
}

interface StepFile {
  file: string;
  size: number;
  triangles: number;
}

interface Template {
  image: string;
  thumbnail: string;
  steps: StepFile[];
}


/** Runs the real generator through every step of a few demo objects, once, and stores the results to share. */
async function makeTemplates(files: FileStore, generator: Generator, howMany: number): Promise<Template[]> {
  const run = randomBytes(3).toString('hex');
  const templates: Template[] = [];
  for (const [t, demo] of DEMO_IMAGES.slice(0, howMany).entries()) {
    const png = await renderDemoImage(demo.file);
    const image = await files.write(SHARED_DIR, `${run}-t${t}-input.png`, png);
    const thumb = await sharp(png)
      .resize(320, 320, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .flatten({ background: '#f4f4f5' })
      .jpeg({ quality: 82 })
      .toBuffer();
    const thumbnail = await files.write(SHARED_DIR, `${run}-t${t}-thumbnail.jpg`, thumb);
    const steps: StepFile[] = [];
    let previous: Uint8Array | null = null;
    for (const step of DEFAULT_PIPELINE) {
      const result = await generator[step.key]({
        asset: { id: SHARED_DIR, name: demo.name, polycount: null },
        images: [{ path: files.absolute(image), mime: 'image/png' }],
        previous,
        note: null,
        signal: new AbortController().signal,
        report: () => undefined,
      });
      if (!result.ok) throw new Error(`The generator refused the ${demo.name} template at ${step.key}: ${result.reason}`);
      const file = await files.write(SHARED_DIR, `${run}-t${t}-${step.key}.glb`, result.glb);
      steps.push({ file, size: result.glb.byteLength, triangles: modelStats(result.glb).triangles });
      previous = result.glb;
    }
    templates.push({ image, thumbnail, steps });
  }
  return templates;
}

type Stage = 'processing' | (typeof STAGE_MIX)[number]['stage'];

export async function bulkSeed(o: BulkSeedOptions): Promise<BulkSeedResult> {
  const { db, files, count } = o;
  const rnd = random(o.seed ?? 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const now = o.now ?? Date.now();
  const span = (o.spanDays ?? 365) * DAY;
  const processing = Math.min(count, o.processing ?? Math.min(20, Math.ceil(count * 0.001)));

  const t0 = performance.now();
  const templates = await makeTemplates(files, o.generator ?? createBuiltinGenerator(), 3);
  const t1 = performance.now();

  const insertAsset = db.prepare(
    `INSERT INTO assets (id, name, name_lower, created_at, pipeline, step_index, phase, updated_at, progress,
       error_message, next_step_at, polycount, has_thumbnail, job_source, job_note, change_seq, thumbnail_file)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 1, ?, ?, ?, ?)`,
  );
  const insertImage = db.prepare(`INSERT INTO images (asset_id, idx, file, mime) VALUES (?, 0, ?, 'image/png')`);
  const insertVersion = db.prepare(
    `INSERT INTO versions (asset_id, n, step_key, source, created_at, note, file, size_bytes, triangles)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertRevision = db.prepare(`INSERT INTO revisions (asset_id, step_key, note, created_at) VALUES (?, ?, ?, ?)`);
  const bump = db.prepare<[number], { value: number }>(
    `UPDATE meta SET value = value + ? WHERE key = 'change_seq' RETURNING value`,
  );
  const pipelineJson = JSON.stringify(DEFAULT_PIPELINE);
  const last = DEFAULT_PIPELINE.length - 1;
  const ids = randomBytes(9 * count);

  // Oldest first, so rowids follow creation as they do for assets made one by one.
  const createdAt = Array.from({ length: count }, () => now - Math.floor(rnd() ** 1.5 * span) - 60_000).sort((a, b) => a - b);
  // The newest few are the ones still processing, as a live library's are.
  const stageOf = (i: number): Stage => {
    if (i >= count - processing) return 'processing';
    let r = rnd();
    for (const m of STAGE_MIX) {
      if (r < m.share) return m.stage;
      r -= m.share;
    }
    return 'done';
  };

  let versions = 0;
  let revisions = 0;
  // Random ids land all over the primary-key index: a page cache that holds it turns disk reads into memory reads.
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -262144');
  db.transaction(() => {
    // Every row is a change the API can see: the counter moves past all of them, each row takes its own value.
    const top = (bump.get(count) as { value: number }).value;
    let seq = top - count;
    for (let i = 0; i < count; i++) {
      const id = ids.subarray(i * 9, i * 9 + 9).toString('base64url');
      const tpl = pick(templates);
      const stage = stageOf(i);
      const created = createdAt[i] as number;
      const name = `${pick(ADJECTIVES)} ${rnd() < 0.6 ? `${pick(MATERIALS)} ` : ''}${pick(NOUNS)}${pick(SUFFIXES)}`;
      // The step the asset is on, and whether that step has a model yet.
      const step = stage === 'done' ? last : stage === 'approved' ? Math.floor(rnd() * last) : Math.floor(rnd() * (last + 1));
      const stepsWithModel = stage === 'processing' || stage === 'failed' ? step : step + 1;
      // Time moves forward from creation through each version; the last change is the asset's updated_at.
      let t = created;
      const later = () => (t = Math.min(now - 1000, t + 60_000 + Math.floor(rnd() * 2 * DAY)));
      // Made first, written after the asset row they belong to.
      const rows: (() => void)[] = [];
      let n = 0;
      const version = (key: StepKey, source: VersionSource, note: string | null, f: StepFile) => {
        const vn = ++n;
        const at = later();
        rows.push(() => insertVersion.run(id, vn, key, source, at, note, f.file, f.size, f.triangles));
        versions++;
      };
      for (let s = 0; s < stepsWithModel; s++) {
        const key = DEFAULT_PIPELINE[s]?.key as StepKey;
        const f = tpl.steps[s] as StepFile;
        version(key, 'generated', null, f);
        if (rnd() < 0.12) {
          const note = pick(REVISION_NOTES);
          const at = later();
          rows.push(() => insertRevision.run(id, key, note, at));
          revisions++;
          version(key, 'revision', note, f);
        } else if (rnd() < 0.03) {
          version(key, 'uploaded', null, f);
        }
      }
      const phase: Phase =
        stage === 'processing' ? 'processing' : stage === 'failed' ? 'failed' : stage === 'review' ? 'for_review' : 'completed';
      const updated = stage === 'processing' ? now - Math.floor(rnd() * 5000) : later();
      insertAsset.run(
        id,
        name,
        name.toLowerCase(),
        created,
        pipelineJson,
        step,
        phase,
        updated,
        phase === 'processing' ? Math.floor(rnd() * 90) / 100 : null,
        phase === 'failed' ? (step === 0 ? FAILURES[Math.floor(rnd() * 2)] : FAILURES[2]) : null,
        rnd() < 0.2 ? pick([2000, 5000, 10_000, 20_000]) : null,
        // A step that is running or failed remembers what it was asked to do, so Retry runs it again.
        phase === 'processing' || phase === 'failed' ? 'generated' : null,
        null,
        ++seq,
        tpl.thumbnail,
      );
      insertImage.run(id, tpl.image);
      for (const write of rows) write();
    }
  })();
  db.pragma(`cache_size = ${cacheBefore}`);
  const t2 = performance.now();
  return { made: count, versions, revisions, filesMs: t1 - t0, insertMs: t2 - t1 };
}

async function main(argv: string[]): Promise<void> {
  const count = Number(argv[0] ?? '100000');
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000) {
    console.error('Usage: npm run seed:bulk -- <count>   (DATA_DIR selects the data folder, default ./data)');
    process.exit(2);
  }
  const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
  const db = openDatabase(path.join(dataDir, 'asset-forge.sqlite'));
  const files = await createFileStore(path.join(dataDir, 'files'));
  try {
    const r = await bulkSeed({ db, files, count });
    console.log(
      `Added ${r.made} assets (${r.versions} versions, ${r.revisions} revisions) to ${dataDir} in ` +
        `${((r.filesMs + r.insertMs) / 1000).toFixed(1)} s (shared files ${(r.filesMs / 1000).toFixed(1)} s, rows ${(r.insertMs / 1000).toFixed(1)} s).`,
    );
  } finally {
    db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error('Bulk seed failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
