// The asset view in a real browser against the real server, with short steps and countdowns: approve and watch the
// countdown, go Back, process now; let the countdown run out; request a revision; upload a GLB; retry a failed
// asset; download the final asset as OBJ. axe-core at phone and desktop widths for every stage with actions.
// Set E2E_SCREENSHOTS=<dir> to keep a screenshot of each stage at both widths.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetSchema, type Asset } from '../../src/contract/asset';
import { blankPng, cspViolations, freePort, horizontalOverflow, launchChromium, objectPng, seriousAxeViolations, serverProcess, tempDirs } from './support/harness';

const screenshots = process.env.E2E_SCREENSHOTS;

const COUNTDOWN_MS = 4000;

const backend = serverProcess({ SEED: '0', ASSET_STEP_MS: '300', ASSET_COUNTDOWN_MS: String(COUNTDOWN_MS) });
const temp = tempDirs();

let baseUrl = '';
let context: BrowserContext | undefined;







async function api(method: string, urlPath: string, body?: FormData): Promise<Response> {
  return fetch(`${baseUrl}${urlPath}`, { method, ...(body ? { body } : {}) });
}

async function createAsset(name: string, png: Buffer): Promise<Asset> {
  const form = new FormData();
  form.append('name', name);
  form.append('images', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'object.png');
  const response = await api('POST', '/api/assets', form);
  expect(response.status).toBe(201);
  return AssetSchema.parse(await response.json());
}

async function getAsset(id: string): Promise<Asset> {
  return AssetSchema.parse(await (await api('GET', `/api/assets/${id}`)).json());
}

async function waitForAsset(id: string, done: (a: Asset) => boolean, what: string): Promise<Asset> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const asset = await getAsset(id);
    if (done(asset)) return asset;
    if (Date.now() > deadline) throw new Error(`Asset ${id} never became ${what}; it is ${JSON.stringify(asset.status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const forReview = (id: string, step: number) => waitForAsset(id, (a) => a.status.phase === 'for_review' && a.step_index === step, `For Review at step ${step}`);

async function action(method: 'POST' | 'DELETE', id: string, suffix: string): Promise<void> {
  const response = await api(method, `/api/assets/${id}/${suffix}`);
  expect(response.status, `${method} ${suffix}`).toBe(200);
}

/** Through every step by the API: approve, start the next step at once, until the last is approved. */
async function walkToCompleted(id: string): Promise<void> {
  for (let step = 0; step < 5; step++) {
    await forReview(id, step);
    await action('POST', id, 'approve');
    if (step < 4) await action('POST', id, 'next-step');
  }
  await waitForAsset(id, (a) => a.status.phase === 'completed' && a.step_index === 4, 'Completed');
}




async function newPage(width: number, height: number): Promise<Page> {
  if (!context) throw new Error('The browser did not start.');
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  return page;
}

async function openAsset(asset: Asset, width = 1440, height = 900): Promise<Page> {
  const page = await newPage(width, height);
  await page.goto(`${baseUrl}/assets/${asset.id}`);
  await page.getByRole('heading', { level: 1, name: asset.name }).waitFor({ timeout: 15_000 });
  return page;
}

/** The seconds shown in "Process ‹step› (7)", or null without a number. */
async function countdownOf(page: Page, stepLabel: string): Promise<number | null> {
  const name = await page.getByRole('button', { name: new RegExp(`^Process ${stepLabel}`) }).textContent();
  const match = /\((\d+)\)/.exec(name ?? '');
  return match?.[1] ? Number(match[1]) : null;
}

const currentStep = (page: Page) => page.locator('[aria-current="step"]').textContent();

beforeAll(async () => {
  const url = backend.start(await freePort(), temp.make('af-review-data-'));
  context = await launchChromium(temp.make('af-review-chromium-'), { acceptDownloads: true });
  baseUrl = await url;
  if (screenshots) mkdirSync(screenshots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await backend.stop();
  temp.cleanup();
}, 30_000);

describe('reviewing an asset in Chromium', () => {
  it('approve → the countdown shows and decreases → Back → Process → Processing', async () => {
    const asset = await createAsset('Review countdown', await objectPng());
    await forReview(asset.id, 0);
    const page = await openAsset(asset);
    await page.getByRole('button', { name: 'Approve' }).click();

    await page.getByRole('button', { name: /^Process Optimised Geometry \(\d+\)$/ }).waitFor({ timeout: 5000 });
    const first = await countdownOf(page, 'Optimised Geometry');
    expect(first).not.toBeNull();
    expect(first).toBeLessThanOrEqual(COUNTDOWN_MS / 1000);
    await expect.poll(() => countdownOf(page, 'Optimised Geometry'), { timeout: 3000 }).toBeLessThan(first ?? 0);

    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Process Optimised Geometry', exact: true }).waitFor({ timeout: 3000 });
    // Still Approved well past the old deadline: Back cancelled it on the server.
    await page.waitForTimeout(COUNTDOWN_MS + 500);
    expect(await page.getByRole('button', { name: 'Process Optimised Geometry', exact: true }).isVisible()).toBe(true);
    expect((await getAsset(asset.id)).status.phase).toBe('completed');

    await page.getByRole('button', { name: 'Process Optimised Geometry', exact: true }).click();
    await page.getByRole('heading', { name: 'In progress' }).waitFor({ timeout: 2000 });
    expect(await currentStep(page)).toContain('Optimised Geometry');
    // The step really runs on the server and comes back for review without a reload.
    await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 20_000 });
    expect(await currentStep(page)).toContain('Optimised Geometry');
    await page.close();
  }, 60_000);

  it('approve → the countdown runs out → the next step starts by itself', async () => {
    const asset = await createAsset('Review auto start', await objectPng());
    await forReview(asset.id, 0);
    const page = await openAsset(asset);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('button', { name: /^Process Optimised Geometry \(\d+\)$/ }).waitFor({ timeout: 5000 });
    const stages: string[] = [];
    for (let i = 0; i < 200 && stages.at(-1) !== 'Your review'; i++) {
      const heading = (await page.locator('#stage-panel-heading').textContent()) ?? '?';
      if (stages.at(-1) !== heading) stages.push(heading);
      await page.waitForTimeout(100);
    }
    expect(stages[0]).toBe('Next step');
    expect(stages.at(-1)).toBe('Your review');
    expect(await currentStep(page)).toContain('Optimised Geometry');
    expect((await getAsset(asset.id)).step_index).toBe(1);
    await page.close();
  }, 60_000);

  it('requests a revision with a note, which comes back as a new version', async () => {
    const asset = await createAsset('Review revision', await objectPng());
    await forReview(asset.id, 0);
    const page = await openAsset(asset);
    await page.getByRole('button', { name: 'Request revisions' }).click();
    await page.getByRole('textbox', { name: 'Revision notes' }).fill('Make it taller, please');
    await page.getByRole('button', { name: 'Send request' }).click();
    const history = page.getByRole('region', { name: /Version history/ });
    await history.getByText('Version 2').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 20_000 });
    const newest = history.getByRole('listitem').first();
    expect(await newest.textContent()).toContain('Revision');
    expect(await newest.textContent()).toContain('Make it taller, please');
    const server = await getAsset(asset.id);
    expect(server.revisions.map((r) => r.note)).toEqual(['Make it taller, please']);
    await page.close();
  }, 60_000);

  it('uploads a GLB as a new version, and refuses a file that is not one', async () => {
    const asset = await createAsset('Review upload', await objectPng());
    await forReview(asset.id, 0);
    const glb = Buffer.from(await (await api('GET', `/api/assets/${asset.id}/versions/1/model.glb`)).arrayBuffer());
    expect(glb.subarray(0, 4).toString('latin1')).toBe('glTF');

    const page = await openAsset(asset);
    await page.getByRole('button', { name: 'Upload new version' }).click();
    const input = page.getByLabel('Model file');
    await input.setInputFiles({ name: 'notes.glb', mimeType: 'model/gltf-binary', buffer: Buffer.from('not a model at all') });
    await page.getByText('“notes.glb” is not a GLB model').waitFor();

    await input.setInputFiles({ name: 'mine.glb', mimeType: 'model/gltf-binary', buffer: glb });
    await page.getByRole('button', { name: 'Upload model' }).click();
    const history = page.getByRole('region', { name: /Version history/ });
    await history.getByText('Version 2').waitFor({ timeout: 15_000 });
    expect(await history.getByRole('listitem').first().textContent()).toContain('Uploaded');
    const server = await getAsset(asset.id);
    expect(server.status.phase).toBe('for_review');
    expect(server.versions.at(-1)?.source).toBe('uploaded');
    await page.close();
  }, 60_000);

  it('shows a failed asset’s reason, and Retry runs the step again', async () => {
    const asset = await createAsset('Review failure', await blankPng());
    const failed = await waitForAsset(asset.id, (a) => a.status.phase === 'failed', 'Generation Failed');
    const page = await openAsset(asset);
    const reason = page.getByRole('region', { name: 'Failure reason' });
    expect(await reason.textContent()).toContain(failed.status.error_message?.split('\n')[0] ?? '???');

    const before = failed.status.updated_at;
    await page.getByRole('button', { name: 'Retry' }).click();
    // The same blank image fails again, honestly; what matters is that the step really ran again.
    await expect.poll(async () => (await getAsset(asset.id)).status.updated_at, { timeout: 15_000 }).toBeGreaterThan(before);
    await reason.waitFor({ timeout: 20_000 });
    await page.close();
  }, 60_000);

  it('downloads the final asset as OBJ: a zip', async () => {
    const asset = await createAsset('Review final', await objectPng());
    await walkToCompleted(asset.id);
    const page = await openAsset(asset);
    // The textured preview (three.js unpacks the texture into a blob: URL) loads under the server's CSP.
    await page.getByText('Triangles').first().waitFor({ timeout: 30_000 });
    expect(await cspViolations(page)).toEqual([]);
    await page.getByRole('combobox', { name: 'Format' }).selectOption('OBJ');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
    const file = await download.path();
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    // Zip entries name their files in plain text: an OBJ and its material library.
    expect(bytes.includes('.obj')).toBe(true);
    expect(bytes.includes('.mtl')).toBe(true);
    expect(page.url()).toBe(`${baseUrl}/assets/${asset.id}`);
    await page.getByRole('link', { name: 'Create new asset' }).click();
    await page.getByRole('heading', { level: 1, name: 'New asset' }).waitFor();
    await page.close();
  }, 90_000);

  it('works from the keyboard, with the focus visible, and keeps the focus in the panel when the stage changes', async () => {
    const asset = await createAsset('Review keyboard', await objectPng());
    await forReview(asset.id, 0);
    const page = await openAsset(asset);
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return { text: el?.textContent?.trim() ?? '', outline: el ? getComputedStyle(el).outlineStyle : 'none' };
      });
    let current = await focused();
    for (let i = 0; i < 30 && current.text !== 'Approve'; i++) {
      await page.keyboard.press('Tab');
      current = await focused();
    }
    expect(current.text).toBe('Approve');
    expect(current.outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: /^Process Optimised Geometry \(\d+\)$/ }).waitFor({ timeout: 5000 });
    await expect.poll(async () => (await focused()).text).toBe('Next step');
    // From the panel's heading, the next Tab reaches the Process button.
    await page.keyboard.press('Tab');
    expect((await focused()).text).toMatch(/^Process Optimised Geometry/);
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Back');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Process Optimised Geometry', exact: true }).waitFor({ timeout: 3000 });
    await page.close();
  }, 60_000);

  describe('every stage at phone and desktop widths', () => {
    const stages: Record<string, Asset> = {};

    beforeAll(async () => {
      const png = await objectPng();
      const [review, approved, completed, failed] = await Promise.all([
        createAsset('Ceramic teapot', png),
        createAsset('Oak side table', png),
        createAsset('Brass desk lamp', png),
        createAsset('Plain grey card', await blankPng()),
      ]);
      await forReview(review.id, 0);
      await forReview(approved.id, 0);
      await action('POST', approved.id, 'approve');
      await action('DELETE', approved.id, 'next-step');
      await walkToCompleted(completed.id);
      await waitForAsset(failed.id, (a) => a.status.phase === 'failed', 'Generation Failed');
      Object.assign(stages, { 'For Review': review, Approved: approved, Completed: completed, 'Generation Failed': failed });
    }, 120_000);

    for (const [width, height] of [
      [375, 812],
      [1440, 900],
    ] as const) {
      for (const stage of ['For Review', 'Approved', 'Completed', 'Generation Failed']) {
        it(`${stage} at ${width} px: no serious or critical axe violations${width === 375 ? ', no sideways scroll' : ''}`, async () => {
          const asset = stages[stage];
          if (!asset) throw new Error('missing asset');
          const page = await openAsset(asset, width, height);
          if (stage === 'For Review') await page.getByRole('button', { name: 'Request revisions' }).click();
          // Let the lazy preview settle so it is part of what is checked.
          await page.waitForTimeout(800);
          expect(await seriousAxeViolations(page)).toEqual([]);
          if (width === 375) expect(await horizontalOverflow(page)).toBe(0);
          if (screenshots) {
            await page.screenshot({ path: path.join(screenshots, `${stage.replace(/\s+/g, '-').toLowerCase()}-${width}.png`), fullPage: true });
          }
          await page.close();
        }, 30_000);
      }
    }

    it('the Delete confirmation is an accessible modal dialog', async () => {
      const asset = stages['Generation Failed'];
      if (!asset) throw new Error('missing asset');
      const page = await openAsset(asset, 375, 812);
      await page.getByRole('button', { name: 'Delete' }).click();
      const dialog = page.getByRole('dialog', { name: `Delete “${asset.name}”?` });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      expect(await seriousAxeViolations(page)).toEqual([]);
      if (screenshots) await page.screenshot({ path: path.join(screenshots, 'delete-dialog-375.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Delete');
      await page.close();
    }, 30_000);
  });
});
