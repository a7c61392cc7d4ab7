// The page's figures for `npm run bench`, in headless Debian Chromium against a server already holding 10,000
// assets (AUTH=off): navigation to the first card, scrolling all 10,000 cards top to bottom, and how many cards one
// changed asset re-renders. Each beside the same page with the feature off, through the page's benchmark switches
// (src/web/lib/bench-flags.ts): ?virtualize=0 renders every loaded card, ?memo=0 re-renders every card on a
// change, ?bench=1 exposes render counts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../e2e/support/harness';
import { fmt, type BenchRow } from './table';

const FIRST_CARD_TARGET_MS = 1500;
const LONG_TASK_LIMIT_MS = 100;
const DOM_CARDS_TARGET = 300;
const NAVIGATIONS = 3;
/** Scrolling the un-virtualized baseline through 10,000 cards can take very long; it stops here and says how far it got. */
const SCROLL_DEADLINE_MS = { ours: 120_000, baseline: 60_000 };
/** Viewports scrolled per step (two frames apart): a quick flick through the list. */
const SCROLL_STEP_VIEWPORTS = 2;

interface ProbeWindow {
  __afFirstCard?: number;
  __afLongTasks: number[];
  __afRenderCount?: Record<string, number>;
}

/** Records, from the very start of each document, when the first card appears and every long task. */
export function installProbes(): void {
  const w = window as unknown as ProbeWindow;
  w.__afLongTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__afLongTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No longtask support: the figure then reads 0 tasks, and says so through the task count.
  }
  const seen = () => {
    if (w.__afFirstCard === undefined && document.querySelector('article')) w.__afFirstCard = performance.now();
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

export async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(url);
  await page.locator('article').first().waitFor({ state: 'visible', timeout: 30_000 });
  return page;
}

async function firstCardMs(context: BrowserContext, url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < NAVIGATIONS; i++) {
    const page = await open(context, url);
    times.push(await page.evaluate(() => (window as unknown as ProbeWindow).__afFirstCard ?? NaN));
    await page.close();
  }
  return median(times);
}

export interface ScrollResult {
  cards: number;
  total: number;
  maxDomCards: number;
  longestTaskMs: number;
  tasksOverLimit: number;
  elapsedMs: number;
  finished: boolean;
}

/** Scrolls a viewport at a time, a frame or two apart, to the very end of the list, loading pages as it goes. */
export async function scrollToEnd(context: BrowserContext, url: string, deadlineMs: number): Promise<ScrollResult> {
  const page = await open(context, url);
  const result = await scrollOpenPage(page, deadlineMs);
  await page.close();
  return result;
}

/** scrollToEnd on a page already open (probes installed), for tools that watch the page while it scrolls (a trace). */
export async function scrollOpenPage(page: Page, deadlineMs: number): Promise<ScrollResult> {
  await page.waitForTimeout(500);
  return page.evaluate(
    async ({ deadlineMs, limit, step }) => {
      const w = window as unknown as ProbeWindow;
      w.__afLongTasks.length = 0;
      const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      const start = performance.now();
      let maxDomCards = 0;
      let stuckSince = performance.now();
      let lastHeight = 0;
      const loadMore = () => [...document.querySelectorAll('button')].find((b) => /^(Load more|Loading…)$/.test(b.textContent ?? ''));
      while (performance.now() - start < deadlineMs) {
        window.scrollBy(0, window.innerHeight * step);
        await frame();
        await frame();
        maxDomCards = Math.max(maxDomCards, document.querySelectorAll('article').length);
        const atBottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
        if (!atBottom) continue;
        if (!loadMore()) break;
        // At the bottom with more to load: wait for the next page (the page loads it as the end nears).
        const height = document.documentElement.scrollHeight;
        if (height !== lastHeight) {
          lastHeight = height;
          stuckSince = performance.now();
        } else if (performance.now() - stuckSince > 15_000) {
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      // The rows a scroll brings into view render in a transition, a frame or a few after it: let the last ones
      // arrive before reading how far the list got (long tasks meanwhile still count).
      const lastShown = () => [...document.querySelectorAll('article')].at(-1);
      for (let i = 0; i < 60 && !loadMore(); i++) {
        const last = lastShown();
        if (last && last.getAttribute('aria-posinset') === last.getAttribute('aria-setsize')) break;
        await frame();
      }
      const articles = [...document.querySelectorAll('article')];
      const lastArticle = articles.at(-1);
      return {
        cards: Number(lastArticle?.getAttribute('aria-posinset') ?? 0),
        total: Number(lastArticle?.getAttribute('aria-setsize') ?? 0),
        maxDomCards,
        longestTaskMs: Math.max(0, ...w.__afLongTasks),
        tasksOverLimit: w.__afLongTasks.filter((d) => d > limit).length,
        elapsedMs: performance.now() - start,
        finished: !loadMore(),
      };
    },
    { deadlineMs, limit: LONG_TASK_LIMIT_MS, step: SCROLL_STEP_VIEWPORTS },
  );
}

interface RenderResult {
  changed: string;
  rerendered: number;
  renders: number;
  onScreen: number;
}

/** Opens the list, approves `id` (For Review) through the API, and counts which cards re-rendered when the poll brought it in. */
async function cardsRerendered(context: BrowserContext, baseUrl: string, query: string, id: string): Promise<RenderResult> {
  const page = await open(context, `${baseUrl}/?bench=1${query}`);
  const card = page.locator(`article[data-asset-id="${id}"]`);
  await card.waitFor({ timeout: 15_000 });
  await page.waitForTimeout(1500);
  await page.evaluate(() => {
    const counts = (window as unknown as ProbeWindow).__afRenderCount ?? {};
    for (const key of Object.keys(counts)) Reflect.deleteProperty(counts, key);
  });
  const response = await fetch(`${baseUrl}/api/assets/${encodeURIComponent(id)}/approve`, { method: 'POST' });
  if (!response.ok) throw new Error(`Approving ${id} failed: ${response.status} ${await response.text()}`);
  // A list where nothing moves polls every 30 s; a focus event makes the poll happen now, as returning to the tab does.
  await page.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));
  // Approved, or Completed when it was the last step: either way no longer For Review.
  await page.waitForFunction((el) => !(el?.textContent?.includes('For Review') ?? true), await card.elementHandle(), { timeout: 40_000 });
  await page.waitForTimeout(500);
  const result = await page.evaluate(() => {
    const counts = (window as unknown as ProbeWindow).__afRenderCount ?? {};
    return {
      keys: Object.keys(counts),
      renders: Object.values(counts).reduce((a, b) => a + b, 0),
      onScreen: document.querySelectorAll('article').length,
    };
  });
  await page.close();
  return { changed: id, rerendered: result.keys.length, renders: result.renders, onScreen: result.onScreen };
}

/** Two assets on the first page that are For Review, to approve one per run. */
async function reviewableOnFirstPage(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/assets?sort=newest&limit=24`);
  const body = (await response.json()) as { items: { id: string; status: { phase: string } }[] };
  return body.items.filter((a) => a.status.phase === 'for_review').map((a) => a.id);
}

function scrollSummary(r: ScrollResult): string {
  const reach = r.finished ? `all ${r.cards.toLocaleString('en-US')} cards` : `stopped at ${r.cards.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')} cards`;
  // The browser reports only tasks over 50 ms: none at all reads as such, not as a "longest" of 0 ms.
  const longest = r.longestTaskMs > 0 ? `longest ${fmt.ms(r.longestTaskMs)}` : 'no task over 50 ms';
  return `${longest}, ${r.tasksOverLimit} > ${LONG_TASK_LIMIT_MS} ms (${reach} in ${(r.elapsedMs / 1000).toFixed(0)} s)`;
}

export async function measurePage(opts: { baseUrl: string; log?: (line: string) => void }): Promise<BenchRow[]> {
  const { baseUrl, log = () => undefined } = opts;
  const profile = mkdtempSync(path.join(os.tmpdir(), 'af-page-bench-'));
  const context = await launchChromium(profile);
  try {
    // tsx (esbuild with keepNames) wraps named inner functions in __name(); functions sent to the page need it too.
    await context.addInitScript('window.__name = (f) => f;');
    await context.addInitScript(installProbes);
    const rows: BenchRow[] = [];

    log('page: navigation to the first card…');
    const first = await firstCardMs(context, `${baseUrl}/`);
    const firstPlain = await firstCardMs(context, `${baseUrl}/?virtualize=0`);
    rows.push({
      figure: `list page, 10,000 assets: navigation to first card visible (median of ${NAVIGATIONS}; baseline ?virtualize=0)`,
      ours: fmt.ms(first),
      baseline: fmt.ms(firstPlain),
      ratio: fmt.ratio(first / firstPlain),
      target: '≤ 1.5 s',
      pass: first <= FIRST_CARD_TARGET_MS,
    });

    log('page: scrolling 10,000 cards…');
    const scroll = await scrollToEnd(context, `${baseUrl}/`, SCROLL_DEADLINE_MS.ours);
    log('page: scrolling without virtualization…');
    const scrollPlain = await scrollToEnd(context, `${baseUrl}/?virtualize=0`, SCROLL_DEADLINE_MS.baseline);
    rows.push({
      figure: 'scrolling 10,000 cards top to bottom: long tasks (baseline ?virtualize=0)',
      ours: scrollSummary(scroll),
      baseline: scrollSummary(scrollPlain),
      ratio: scrollPlain.longestTaskMs > 0 ? fmt.ratio(scroll.longestTaskMs / scrollPlain.longestTaskMs) : '—',
      target: `no long task > ${LONG_TASK_LIMIT_MS} ms`,
      pass: scroll.finished && scroll.tasksOverLimit === 0,
    });
    rows.push({
      figure: 'same: most cards in the DOM at once',
      ours: scroll.maxDomCards.toLocaleString('en-US'),
      baseline: scrollPlain.maxDomCards.toLocaleString('en-US'),
      ratio: fmt.ratio(scroll.maxDomCards / Math.max(1, scrollPlain.maxDomCards)),
      target: `≤ ~${DOM_CARDS_TARGET}`,
      pass: scroll.finished && scroll.maxDomCards <= DOM_CARDS_TARGET,
    });

    log('page: one asset changing in a poll…');
    const [forOurs, forBaseline] = await reviewableOnFirstPage(baseUrl);
    if (forOurs && forBaseline) {
      const ours = await cardsRerendered(context, baseUrl, '', forOurs);
      const base = await cardsRerendered(context, baseUrl, '&memo=0', forBaseline);
      rows.push({
        figure: 'one asset changing in a poll: cards re-rendered (baseline ?memo=0)',
        ours: `${ours.rerendered} of ${ours.onScreen} on screen`,
        baseline: `${base.rerendered} of ${base.onScreen} on screen`,
        ratio: fmt.ratio(ours.rerendered / Math.max(1, base.rerendered)),
        target: 'that card only',
        pass: ours.rerendered === 1,
      });
    } else {
      rows.push({
        figure: 'one asset changing in a poll: cards re-rendered',
        ours: 'not measured: needs two For Review assets on the first page',
        baseline: '—',
        ratio: '—',
        target: 'that card only',
        pass: null,
      });
    }
    return rows;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
