// The 3D preview in a real Chromium with SwiftShader's WebGL, against the real server's seeded "Ceramic vase": it draws
// the model, counts what it draws, toggles wireframe, turns from the keyboard, swaps versions, reports a missing file,
// and falls back to text where WebGL is missing. Served through a small Vite harness until the asset view exists.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import sharp from 'sharp';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetSchema, type Asset } from '../../src/contract/asset';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, root, seriousAxeViolations, serverProcess, tempDirs } from './support/harness';

const backend = serverProcess({ SEED: '1', ASSET_STEP_MS: '0', WEB_BUILD: '0' });
const temp = tempDirs();

/** Screenshots land here for a person to look at; nothing reads them back. */
const shotsDir = path.join(os.tmpdir(), 'model-preview-shots');


let vite: ViteDevServer | undefined;
let browser: Browser | undefined;
let harnessUrl = '';
let vase: Asset;





/** Vite's dev server for the harness page, with /api sent to the real server, as `npm run dev` does. */
async function startVite(apiUrl: string): Promise<string> {
  const port = await freePort();
  vite = await createServer({
    root,
    logLevel: 'warn',
    // Its own cache, so this run never races another Vite on node_modules/.vite.
    cacheDir: temp.make('af-e2e-vite-'),
    // Pre-bundled up front: discovering a dependency on first load would make Vite reload the page mid-test.
    optimizeDeps: { entries: ['tests/e2e/fixtures/preview-harness.html'] },
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null, proxy: { '/api': apiUrl } },
  });
  await vite.listen();
  return `http://127.0.0.1:${port}/tests/e2e/fixtures/preview-harness.html`;
}

function modelUrl(n: number): string {
  return `/api/assets/${vase.id}/versions/${n}/model.glb`;
}

async function openPreview(width: number, height: number, n: number, init?: () => void): Promise<Page> {
  if (!browser) throw new Error('The browser did not start.');
  const page = await browser.newPage({ viewport: { width, height } });
  if (init) await page.addInitScript(init);
  const query = new URLSearchParams({ url: modelUrl(n), label: `3D preview of ${vase.name}, version ${n}` });
  await page.goto(`${harnessUrl}?${query}`);
  return page;
}

function viewer(page: Page, n: number): Locator {
  return page.getByRole('application', { name: `3D preview of Ceramic vase, version ${n}` });
}

/** The number after a term in the stats list, e.g. "Triangles" -> 9798. */
async function statValue(page: Page, term: string): Promise<string> {
  return (await page.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '';
}

async function waitForModel(page: Page): Promise<void> {
  await page.locator('dt', { hasText: 'Triangles' }).waitFor({ timeout: 30_000 });
  // The model is drawn on the next animation frame; two frames leave room for the swap to be composited.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

interface Pixels {
  data: Buffer;
  png: Buffer;
}

async function pixelsOf(target: Locator): Promise<Pixels> {
  const png = await target.screenshot();
  const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, png };
}

/** Distinct colours, coarsely quantised so anti-aliasing noise alone cannot make a blank picture look busy. */
function colourCount({ data }: Pixels): number {
  const seen = new Set<number>();
  for (let i = 0; i + 2 < data.length; i += 3) {
    seen.add((((data[i] ?? 0) >> 3) << 10) | (((data[i + 1] ?? 0) >> 3) << 5) | ((data[i + 2] ?? 0) >> 3));
  }
  return seen.size;
}

/** Mean absolute difference per channel, 0–255. */
function difference(a: Pixels, b: Pixels): number {
  if (a.data.length !== b.data.length) return 255;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return sum / a.data.length;
}



/** Counts every animation frame the page asks for, from its first script on. */
function countAnimationFrames(): void {
  const original = window.requestAnimationFrame.bind(window);
  const counter = window as unknown as { framesRequested: number };
  counter.framesRequested = 0;
  window.requestAnimationFrame = (callback) => {
    counter.framesRequested += 1;
    return original(callback);
  };
}

function framesRequested(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { framesRequested: number }).framesRequested);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(shotsDir, { recursive: true });
  const apiUrl = await backend.start(await freePort(), temp.make('af-e2e-preview-data-'));
  const list: unknown = await (await fetch(`${apiUrl}/api/assets`)).json();
  const items = Array.isArray(list) ? list : (list as { items?: unknown[] }).items ?? [];
  const found = items.map((item) => AssetSchema.parse(item)).find((a) => a.name === 'Ceramic vase');
  if (!found) throw new Error('The seeded "Ceramic vase" is missing.');
  vase = found;
  harnessUrl = await startVite(apiUrl);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await backend.stop();
  temp.cleanup();
}, 30_000);

describe('the 3D preview in Chromium', () => {
  it('has real WebGL with these flags', async () => {
    if (!browser) throw new Error('The browser did not start.');
    const page = await browser.newPage();
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'none';
    });
    expect(renderer).toContain('SwiftShader');
    await page.close();
  });

  it('draws the textured final step, counts the triangles the server reports, and toggles wireframe', async () => {
    const last = vase.versions.at(-1);
    if (!last) throw new Error('The vase has no versions.');
    if (!browser) throw new Error('The browser did not start.');
    // Hold the GLB back until the loading state has been seen, or a fast load could hide it from the test.
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/model.glb', async (route) => {
      await released;
      await route.continue();
    });
    await page.goto(`${harnessUrl}?${new URLSearchParams({ url: modelUrl(last.n), label: `3D preview of Ceramic vase, version ${last.n}` })}`);
    await page.getByRole('status').filter({ hasText: 'Loading 3D preview…' }).waitFor();
    release();
    await waitForModel(page);
    expect(await statValue(page, 'Triangles')).toBe(last.triangles.toLocaleString('en-US'));
    expect(Number((await statValue(page, 'Vertices')).replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await statValue(page, 'Size')).toMatch(/^\d+\.\d\d × 1\.00 × \d+\.\d\d m$/);

    const view = viewer(page, last.n);
    const solid = await pixelsOf(view);
    expect(colourCount(solid)).toBeGreaterThan(50);
    await shoot(page, 'desktop-final-lod');

    const wireframe = page.getByRole('button', { name: 'Wireframe' });
    expect(await wireframe.getAttribute('aria-pressed')).toBe('false');
    await wireframe.click();
    expect(await wireframe.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(async () => difference(solid, await pixelsOf(view))).toBeGreaterThan(1);
    await shoot(page, 'desktop-final-lod-wireframe');
    await wireframe.click();
    expect(await wireframe.getAttribute('aria-pressed')).toBe('false');
    await page.close();
  });

  it('turns with the arrow keys and a drag, zooms with + and −, and comes back with Home, with the focus visible', async () => {
    const page = await openPreview(1440, 900, 1);
    await waitForModel(page);
    const view = viewer(page, 1);
    await expect.poll(async () => colourCount(await pixelsOf(view))).toBeGreaterThan(20);
    await shoot(page, 'desktop-grey-geometry');

    await page.keyboard.press('Tab');
    expect(await view.evaluate((el) => el === document.activeElement && getComputedStyle(el).outlineStyle !== 'none')).toBe(true);
    await shoot(page, 'desktop-grey-geometry-focused');
    // Taken with the focus ring showing, so the comparisons below see only the model move.
    const start = await pixelsOf(view);
    expect(await view.getAttribute('aria-describedby')).toBeTruthy();
    await page.getByText('Drag or use arrow keys to rotate, + and − to zoom').waitFor();

    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => difference(start, await pixelsOf(view))).toBeGreaterThan(1);
    const turned = await pixelsOf(view);
    await page.keyboard.press('+');
    await expect.poll(async () => difference(turned, await pixelsOf(view))).toBeGreaterThan(1);
    await page.keyboard.press('Home');
    // Keys and Home set the camera directly, not through damping, so Home lands exactly where the view started.
    await expect.poll(async () => difference(start, await pixelsOf(view))).toBeLessThan(0.5);

    const box = await view.boundingBox();
    if (!box) throw new Error('The viewer has no box.');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 30, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => difference(start, await pixelsOf(view))).toBeGreaterThan(1);
    await shoot(page, 'desktop-grey-geometry-dragged');
    await page.close();
  });

  it('swaps to another version in place, keeping one canvas, counts the new model, and draws nothing while idle', async () => {
    const page = await openPreview(1440, 900, 5, countAnimationFrames);
    await waitForModel(page);
    const first = vase.versions.find((v) => v.n === 1);
    if (!first) throw new Error('The vase has no version 1.');
    await page.evaluate((url) => window.harnessSetUrl?.(url), modelUrl(1));
    await expect.poll(() => statValue(page, 'Triangles'), { timeout: 30_000 }).toBe(first.triangles.toLocaleString('en-US'));
    expect(await page.locator('canvas').count()).toBe(1);
    // Rendering is on demand: once the model is shown and damping has settled, no frame is drawn until asked for.
    await page.waitForTimeout(1000);
    const settled = await framesRequested(page);
    await page.waitForTimeout(1000);
    expect(await framesRequested(page)).toBe(settled);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight');
    expect(await framesRequested(page)).toBeGreaterThan(settled);
    await page.close();
  });

  it('fits a phone: square, no sideways scroll, toolbar and stats wrap', async () => {
    const page = await openPreview(375, 800, 5);
    await waitForModel(page);
    const box = await viewer(page, 5).boundingBox();
    expect(box && Math.abs(box.width - box.height)).toBeLessThan(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shoot(page, 'phone-final-lod');
    await page.close();

    const grey = await openPreview(375, 800, 1);
    await waitForModel(grey);
    await shoot(grey, 'phone-grey-geometry');
    await grey.close();
  });

  it('says when the model cannot be loaded and offers to try again', async () => {
    const page = await openPreview(1440, 900, 99);
    const alert = page.getByRole('alert');
    await alert.getByText("Couldn't load this model").waitFor({ timeout: 30_000 });
    await alert.getByRole('button', { name: 'Try again' }).click();
    await alert.getByText("Couldn't load this model").waitFor({ timeout: 30_000 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shoot(page, 'desktop-error');
    await page.close();
  });

  it('falls back to text and still gives the stats where WebGL is missing', async () => {
    const page = await openPreview(375, 800, 5, () => {
      const original = HTMLCanvasElement.prototype.getContext;
      // A browser without WebGL: every WebGL context request fails, 2D still works.
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, options?: unknown) {
        if (type.startsWith('webgl') || type === 'experimental-webgl') return null;
        return Reflect.apply(original, this, [type, options]) as RenderingContext | null;
      } as typeof original;
    });
    await page.getByText("3D preview needs WebGL, which this browser doesn't offer.").waitFor();
    await page.locator('dt', { hasText: 'Triangles' }).waitFor({ timeout: 30_000 });
    expect(await statValue(page, 'Triangles')).toBe(vase.versions.at(-1)?.triangles.toLocaleString('en-US'));
    expect(await page.locator('canvas').count()).toBe(0);
    await shoot(page, 'phone-no-webgl');
    await page.close();
  });
});
