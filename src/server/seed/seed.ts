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

/** Approves the current step and runs the next one `times` times, waiting for each; stops at a failed step. */
async function advance(s: AssetService, id: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    if (s.get(id).status.phase !== 'for_review') return;
    s.approve(id);
    s.startNextStep(id);
    await s.runner.idle();
  }
}

type Plan = (s: AssetService) => Promise<unknown>;

/** Long enough for a newcomer to open the page and see the countdown, short enough to see it fire. */
const DEMO_COUNTDOWN_MS = 60_000;

/** Returns how many assets it made; 0 when the database was seeded before. */
export async function seedDemoAssets(deps: SeedDeps): Promise<number> {
  const db = deps.repo.db;
  if (db.prepare(`SELECT value FROM meta WHERE key = 'seeded'`).get()) return 0;
  // Marked first: a seed cut short is never run again, so it can never add the same demo assets twice.
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', 1)`).run();

  const steps = async (i: number, s: AssetService) => {
    const d = await demo(i);
    const id = await create(s, d.name, d.png);
    await s.runner.idle();
    return id;
  };
  const plans: Plan[] = [
    async (s) => {
      const blank = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#ffffff' } }).png().toBuffer();
      await create(s, 'Blank canvas (demo of a failed step)', blank);
      await s.runner.idle();
    },
    async (s) => {
      const id = await steps(0, s);
      await advance(s, id, 4);
      if (s.get(id).status.phase === 'for_review') s.approve(id); // Completed
    },
    async (s) => advance(s, await steps(1, s), 3), // For Review at Texturing
    async (s) => {
      // Approved with the server's countdown running: a newcomer watches it start the next step by itself.
      const d = await demo(1);
      const id = await create(s, 'Espresso cup', d.png);
      await s.runner.idle();
      if (s.get(id).status.phase === 'for_review') s.approve(id);
    },
    async (s) => {
      const id = await steps(2, s);
      await advance(s, id, 1);
      if (s.get(id).status.phase !== 'for_review') return;
      s.approve(id);
      s.cancelCountdown(id); // Approved, waiting for Process to be clicked
    },
    async (s) => {
      const id = await steps(3, s);
      if (s.get(id).status.phase !== 'for_review') return;
      s.requestRevision(id, 'Make it a little smoother, please.');
      await s.runner.idle();
    },
  ];

  // Steps run back to back here (no minimum step time) so the first start is quick.
  const s = createAssetService({ ...deps, stepMs: 0, countdownMs: DEMO_COUNTDOWN_MS, stepTimeoutMs: 120_000, workers: 2 });
  let made = 0;
  try {
    for (const plan of plans) {
      try {
        await plan(s);
        made++;
      } catch (err) {
        deps.log.warn({ err }, 'a demo asset could not be seeded; the server starts without it');
      }
    }
    // Left Processing on purpose: the running server picks it up, so a newcomer sees a step move.
    await s.runner.close();
    try {
      const d = await demo(4);
      await create(s, d.name, d.png);
      made++;
    } catch (err) {
      deps.log.warn({ err }, 'a demo asset could not be seeded; the server starts without it');
    }
  } finally {
    await s.close();
  }
  return made;
}
