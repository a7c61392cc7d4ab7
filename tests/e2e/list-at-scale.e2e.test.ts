// The Assets page with 2,000 assets in a real browser: the feed keeps a bounded number of cards in the DOM while
// scrolling and loading pages by itself, the focused card keeps the focus when it scrolls out of view, Tab and
// Page Down go on from it, and axe finds nothing serious deep in the list at phone and desktop widths.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkSeed } from '../../src/server/seed/bulk-seed';
import { openDatabase } from '../../src/server/storage/database';
import { createFileStore } from '../../src/server/storage/file-store';
import { freePort, horizontalOverflow, launchChromium, seriousAxeViolations, serverProcess, tempDirs } from './support/harness';

const COUNT = 2000;
const backend = serverProcess({ SEED: '0' });
const temp = tempDirs();
let baseUrl = '';
let context: BrowserContext | undefined;

beforeAll(async () => {
  const dataDir = temp.make('af-e2e-scale-');
  const db = openDatabase(path.join(dataDir, 'asset-forge.sqlite'));
  try {
    await bulkSeed({ db, files: await createFileStore(path.join(dataDir, 'files')), count: COUNT, processing: 0 });
  } finally {
    db.close();
  }
  const url = backend.start(await freePort(), dataDir);
  context = await launchChromium(temp.make('af-e2e-scale-chromium-'));
  baseUrl = await url;
}, 180_000);

afterAll(async () => {
  await context?.close();
  await backend.stop();
  temp.cleanup();
}, 30_000);

async function openList(width: number, height: number): Promise<Page> {
  if (!context) throw new Error('The browser did not start.');
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(`${baseUrl}/`);
  await page.getByRole('feed', { name: 'Assets' }).getByRole('article').first().waitFor({ timeout: 15_000 });
  return page;
}

const articles = (page: Page) => page.locator('article').count();
const focusedPosition = (page: Page) => page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('aria-posinset') ?? null);

describe('the list at scale in Chromium', () => {
  it('scrolls deep, loading pages by itself, with a bounded number of cards in the DOM', async () => {
    const page = await openList(1440, 900);
    let most = 0;
    for (let i = 0; i < 80; i++) {
      await page.mouse.wheel(0, 2500);
      await page.waitForTimeout(40);
      most = Math.max(most, await articles(page));
    }
    await expect.poll(() => page.evaluate(() => Number(document.querySelector('article:last-of-type')?.getAttribute('aria-posinset') ?? 0) > 300), { timeout: 15_000 }).toBe(true);
    expect(most).toBeLessThanOrEqual(120);
    const last = page.locator('article').last();
    expect(await last.getAttribute('aria-setsize')).toBe(String(COUNT));
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  }, 90_000);

  it('keeps the focus on a card scrolled out of view; Tab and Page Down go on from it', async () => {
    const page = await openList(1440, 900);
    await page.getByRole('feed', { name: 'Assets' }).getByRole('link').nth(4).focus();
    await page.keyboard.press('Tab');
    expect(await focusedPosition(page)).toBe('6');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement?.closest('article') as Element).outlineStyle)).not.toBe('none');

    for (let i = 0; i < 20; i++) {
      await page.mouse.wheel(0, 3000);
      await page.waitForTimeout(40);
    }
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(20_000);
    expect(await focusedPosition(page)).toBe('6');

    await page.keyboard.press('Tab');
    expect(await focusedPosition(page)).toBe('7');
    await page.keyboard.press('PageDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-posinset'))).toBe('8');
    // The focused card is scrolled back into view.
    expect(await page.evaluate(() => window.scrollY)).toBeLessThan(2000);
    await page.close();
  }, 60_000);

  it('has no serious or critical axe violations deep in the list on a phone, and no sideways scroll', async () => {
    const page = await openList(375, 800);
    for (let i = 0; i < 30; i++) {
      await page.mouse.wheel(0, 2000);
      await page.waitForTimeout(40);
    }
    expect(await articles(page)).toBeLessThanOrEqual(40);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBe(0);
    await page.close();
  }, 60_000);
});
