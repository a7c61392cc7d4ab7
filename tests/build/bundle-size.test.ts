// The list page's size budget (issue 7): builds the page into a temp folder and adds up, gzipped, the JavaScript a
// first visit to "/" loads before anything else — the entry chunk and every chunk index.html preloads or the entry
// imports statically — which must stay within 150 KB, with three.js (the 3D preview) in a lazy chunk of its own.
// Sizes are deterministic for a given lockfile, so this can fail the suite; timings live in `npm run bench`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const BUDGET_BYTES = 150 * 1000;

type Chunk = Rolldown.OutputChunk;

let outDir = '';
let chunks = new Map<string, Chunk>();
let html = '';

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), 'af-bundle-'));
  // Vitest runs with NODE_ENV=test, which Vite would bake into the bundle (React's development build): build as
  // `npm start` does.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      root,
      mode: 'production',
      configFile: path.join(root, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, reportCompressedSize: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
  chunks = new Map(outputs.filter((o): o is Chunk => o.type === 'chunk').map((c) => [c.fileName, c]));
  html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** The chunks the browser loads up front: index.html's module script and modulepreloads, and their static imports. */
function initialChunks(): Chunk[] {
  const fromHtml = [...html.matchAll(/<(?:script type="module"[^>]*\ssrc|link rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1] ?? '');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const chunk = chunks.get(file);
    if (!chunk) throw new Error(`index.html loads ${file}, which the build did not produce.`);
    seen.add(file);
    chunk.imports.forEach(visit);
  };
  fromHtml.forEach(visit);
  return [...seen].map((f) => chunks.get(f) as Chunk);
}

const gzipBytes = (chunk: Chunk) => gzipSync(readFileSync(path.join(outDir, chunk.fileName))).length;
const hasThree = (chunk: Chunk) => chunk.moduleIds.some((id) => /[\\/]node_modules[\\/]three[\\/]/.test(id));

describe('the list page bundle', () => {
  it('loads at most 150 KB of gzipped JavaScript up front', () => {
    const initial = initialChunks();
    expect(initial.some((c) => c.isEntry)).toBe(true);
    const sizes = initial.map((c) => `${c.fileName}: ${(gzipBytes(c) / 1000).toFixed(1)} KB`);
    const total = initial.reduce((sum, c) => sum + gzipBytes(c), 0);
    expect(total, `initial JS is ${(total / 1000).toFixed(1)} KB gzip:\n${sizes.join('\n')}`).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('keeps three.js out of the initial chunks, in a lazy chunk of its own', () => {
    const initial = initialChunks();
    expect(initial.filter(hasThree).map((c) => c.fileName)).toEqual([]);
    const lazy = [...chunks.values()].filter(hasThree);
    expect(lazy.length).toBeGreaterThan(0);
    expect(lazy.every((c) => !c.isEntry)).toBe(true);
  });
});
