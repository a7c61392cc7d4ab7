// The list with many assets: polls cost the first page only, one asset changing re-renders that card only, and
// the feed keeps a bounded number of cards in the DOM (the rows near the viewport, plus the focused card's).
import { act, fireEvent, screen, within } from '@testing-library/react';
import type { InfiniteData } from '@tanstack/react-query';
import type { AssetList } from '../../src/contract/api';
import type { Asset } from '../../src/contract/asset';
import { assetKeys } from '../../src/web/features/assets/api/asset-keys';
import { DEFAULT_LIST_PARAMS } from '../../src/web/features/assets/api/list-params';
import { startCountingRenders, stopCountingRenders } from '../../src/web/lib/render-probe';
import { buildAsset } from './factories';
import { installMockApi, renderApp } from './render-app';

const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

function many(count: number, stage: 'For Review' | 'Completed' = 'For Review'): Asset[] {
  return Array.from({ length: count }, (_, i) => buildAsset({ name: `Item ${String(i + 1).padStart(4, '0')}`, stage }));
}

/** Loads pages with "Load more" until every page is loaded (jsdom has no IntersectionObserver to do it). */
async function loadAll() {
  for (let i = 0; i < 100; i++) {
    const more = screen.queryByRole('button', { name: /Load more|Loading…/ });
    if (!more) return;
    if (more.textContent === 'Load more') fireEvent.click(more);
    await advance(10);
  }
  throw new Error('The list never finished loading.');
}

/** Scrolls the window as a person would; the feed listens to the scroll event. */
function scrollTo(y: number) {
  act(() => {
    Object.assign(window, { scrollY: y });
    window.dispatchEvent(new Event('scroll'));
  });
}

afterEach(stopCountingRenders);

describe('the list at scale', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
  afterEach(() => Object.assign(window, { scrollY: 0 }));

  it('re-renders only the card of the asset that changed in a poll', async () => {
    const mover = buildAsset({ name: 'Mover', stage: 'Processing', status: { progress: 0.2 } });
    const api = installMockApi([mover, ...many(40)]);
    renderApp('/');
    await advance(10);
    await loadAll();
    const renders = startCountingRenders();

    // Idle polls (304s) re-render nothing.
    await advance(2000);
    expect(renders).toEqual({});

    api.update(mover.id, () => ({ status: { phase: 'processing', updated_at: Date.now(), progress: 0.8 } }));
    await advance(1000);
    expect(within(screen.getByRole('article', { name: 'Mover' })).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '80');
    expect(renders).toEqual({ [mover.id]: 1 });
  });

  it('polls the first page and the pages on screen (304s while idle), and brings a later page up to date when it changes', async () => {
    const assets = [buildAsset({ name: 'Mover', stage: 'Processing' }), ...many(200)];
    const api = installMockApi(assets);
    const { queryClient } = renderApp('/');
    await advance(10);
    await loadAll();
    const start = api.listCalls.length;

    // jsdom shows about 50 cards: the first page and the second (cursor 24) are on screen, the third is not.
    await advance(3000);
    const idle = api.listCalls.slice(start);
    expect(idle.map((c) => c.url.searchParams.get('cursor'))).toEqual([null, '24', null, '24', null, '24']);
    expect(idle.every((c) => c.status === 304)).toBe(true);

    // Two assets on later pages change: the one on screen is shown at the next poll; the far one is not fetched.
    const near = assets[30] as Asset;
    const far = assets[180] as Asset;
    api.update(near.id, () => ({ name: 'Renamed near' }));
    api.update(far.id, () => ({ name: 'Renamed far down' }));
    const before = api.listCalls.length;
    await advance(1000);
    expect(api.listCalls.slice(before).map((c) => c.url.searchParams.get('cursor'))).toEqual([null, '24']);
    expect(screen.getByRole('article', { name: 'Renamed near' })).toBeInTheDocument();
    const after = api.listCalls.length;
    await advance(2000);
    expect(api.listCalls.slice(after).map((c) => c.url.searchParams.get('cursor'))).not.toContain('124');

    // Scrolling the far page into view brings it up to date.
    const scrolled = api.listCalls.length;
    scrollTo(parseInt(screen.getByRole('feed', { name: 'Assets' }).style.height, 10));
    await advance(10);
    expect(api.listCalls.slice(scrolled).map((c) => c.url.searchParams.get('cursor'))).toEqual(['124']);
    const list = queryClient.getQueryData<InfiniteData<AssetList>>(assetKeys.list(DEFAULT_LIST_PARAMS));
    expect(list?.pages[2]?.items.map((a) => a.name)).toContain('Renamed far down');
  });

  it('announces stage changes of an asset on a later page, each time its page brings one', async () => {
    const assets = many(200, 'Completed');
    // 181st newest: on the third page.
    const far = buildAsset({ name: 'Far mover', stage: 'Processing', created_at: (assets[179] as Asset).created_at - 1 });
    assets.splice(180, 0, far);
    const api = installMockApi(assets);
    renderApp('/');
    await advance(10);
    await loadAll();
    const live = screen.getByRole('status', { name: 'Asset updates' });

    // Its page (the third) is off screen: asked again once scrolled into view, and the change is announced then.
    api.update(far.id, () => ({ status: { phase: 'for_review', updated_at: Date.now() } }));
    await advance(2000);
    expect(live).not.toHaveTextContent('Far mover');
    scrollTo(parseInt(screen.getByRole('feed', { name: 'Assets' }).style.height, 10));
    await advance(10);
    expect(live).toHaveTextContent('Far mover is now For Review');

    // A second change on the same page, picked up by the next poll while the page is on screen.
    api.update(far.id, () => ({ status: { phase: 'failed', updated_at: Date.now(), error_message: 'No shape found.' } }));
    await advance(30_000);
    expect(live).toHaveTextContent('Far mover is now Generation Failed');
    expect(within(screen.getByRole('region', { name: 'Notifications' })).getByText('Far mover: Generation Failed')).toBeInTheDocument();
  });
});

describe('the virtualized feed', () => {
  // jsdom lays nothing out: give each row of the feed a height, as a browser would.
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.dataset.index !== undefined ? 120 : 0;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    Object.assign(window, { scrollY: 0 });
  });

  it('keeps only the rows near the viewport in the DOM, as a feed with positions, and moves with Page Down', async () => {
    installMockApi(many(224, 'Completed'));
    const { user } = renderApp('/');
    const feed = await screen.findByRole('feed', { name: 'Assets' });
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findAllByText((_, el) => el?.getAttribute('aria-setsize') === '224' && el.tagName === 'ARTICLE');

    const rendered = within(feed).getAllByRole('article');
    expect(rendered.length).toBeGreaterThan(3);
    expect(rendered.length).toBeLessThan(20);
    expect(rendered[0]).toHaveAttribute('aria-posinset', '1');
    expect(rendered[0]).toHaveAttribute('aria-setsize', '224');

    // Scrolling far down with the focus kept is checked in a real browser (tests/e2e/list-at-scale.e2e.test.ts).
    within(feed).getByRole('link', { name: 'Item 0001' }).focus();

    // Page Down moves to the next article, as the feed pattern says.
    await user.keyboard('{PageDown}');
    expect(within(feed).getByRole('article', { name: 'Item 0002' })).toHaveFocus();
  });

  it('renders the rows where the list is scrolled to, and lets go of those left behind', async () => {
    installMockApi(many(224, 'Completed'));
    const { user } = renderApp('/');
    const feed = await screen.findByRole('feed', { name: 'Assets' });
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findAllByText((_, el) => el?.getAttribute('aria-setsize') === '224' && el.tagName === 'ARTICLE');
    expect(within(feed).getByRole('article', { name: 'Item 0001' })).toBeInTheDocument();

    scrollTo(parseInt(feed.style.height, 10));
    // The rows in view come first, the rows around them a frame later.
    await act(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(within(feed).getByRole('article', { name: 'Item 0124' })).toBeInTheDocument();
    expect(within(feed).queryByRole('article', { name: 'Item 0001' })).not.toBeInTheDocument();
    expect(within(feed).getAllByRole('article').length).toBeLessThan(20);
  });
});
