// Seeds demo assets in every stage on first start (SPEC §6), through the real service and generator, so
// what a newcomer sees is what the product really does.
import type { FastifyBaseLogger } from 'fastify';
import sharp from 'sharp';
import type { Generator } from '../pipeline/generator';
import { createAssetService, type AssetService } from '../services/asset-service';
import type { AssetRepository } from '../storage/asset-repository';
import type { FileStore } from '../storage/file-store';
import { DEMO_IMAGES, renderDemoImage } from './demo-images';

export interface SeedDeps {
  repo: AssetRepository;
  files: FileStore;
  generator: Generator;
  log: FastifyBaseLogger;
}

async function demo(i: number): Promise<{ name: string; png: Buffer }> {
  const d = DEMO_IMAGES[i % DEMO_IMAGES.length];
  if (!d) throw new Error('No demo images are bundled.');
  return { name: d.name, png: await renderDemoImage(d.file) };
}

async function create(s: AssetService, name: string, png: Buffer): Promise<string> {
  return (await s.create({ name, polycount: null, images: [{ bytes: png, mime: 'image/png' }] })).id;
}

/** Approves the current step and runs the next one `times` times, waiting for each step to finish. */
async function advance(s: AssetService, id: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    s.approve(id);
    s.startNextStep(id);
    await s.runner.idle();
  }
}

/** Returns how many assets it made; 0 when the database was seeded before. */
export async function seedDemoAssets(deps: SeedDeps): Promise<number> {
  const db = deps.repo.db;
  const done = db.prepare(`SELECT value FROM meta WHERE key = 'seeded'`).get();
  if (done) return 0;

  // Steps run back to back here (no minimum step time) so the first start is quick.
  const s = createAssetService({ ...deps, stepMs: 0, countdownMs: 10_000, stepTimeoutMs: 120_000, workers: 2 });
  let made = 0;
  try {
    const blank = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#ffffff' } }).png().toBuffer();
    await create(s, 'Blank canvas (demo of a failed step)', blank);
    made++;

    const completed = await demo(0);
    const completedId = await create(s, completed.name, completed.png);
    made++;
    await s.runner.idle();
    await advance(s, completedId, 4);
    s.approve(completedId);

    const texturing = await demo(1);
    const texturingId = await create(s, texturing.name, texturing.png);
    made++;
    await s.runner.idle();
    await advance(s, texturingId, 3);

    const approved = await demo(2);
    const approvedId = await create(s, approved.name, approved.png);
    made++;
    await s.runner.idle();
    await advance(s, approvedId, 1);
    s.approve(approvedId);
    s.cancelCountdown(approvedId);

    const revised = await demo(3);
    const revisedId = await create(s, revised.name, revised.png);
    made++;
    await s.runner.idle();
    s.requestRevision(revisedId, 'Make it a little smoother, please.');
    await s.runner.idle();

    // Left Processing on purpose: the running server picks it up, so a newcomer sees a step move.
    const processing = await demo(4);
    await s.runner.close();
    await create(s, processing.name, processing.png);
    made++;
  } finally {
    await s.close();
  }
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', 1)`).run();
  return made;
}
