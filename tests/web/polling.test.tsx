// Live updates: polling fast while something moves, slow when nothing does, not at all in a hidden tab; conditional
// requests that keep the same data; the reconnecting notice; and announcements and toasts for stage changes.
import { focusManager } from '@tanstack/react-query';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import type { Asset } from '../../src/contract/asset';
import { assetKeys } from '../../src/web/features/assets/api/asset-keys';
import { DEFAULT_LIST_PARAMS } from '../../src/web/features/assets/api/list-params';
import { buildAsset } from './factories';
import { server } from './msw-server';
import { installMockApi, renderApp } from './render-app';

const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

function startFakeClock() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** Opens an asset's page on the fake clock. The page is lazy-loaded, and its import needs the real clock once. */
async function openDetail(asset: Asset) {
  vi.useRealTimers();
  const first = renderApp(`/assets/${asset.id}`);
  await screen.findByRole('heading', { level: 1, name: asset.name });
  first.unmount();
  startFakeClock();
  const view = renderApp(`/assets/${asset.id}`);
  await advance(10);
  expect(screen.getByRole('heading', { level: 1, name: asset.name })).toBeInTheDocument();
  return view;
}

const forReview = (a: Asset): Partial<Asset> => ({
  step_index: a.step_index,
  status: { phase: 'for_review', updated_at: Date.now() },
});

describe('polling', () => {
  beforeEach(startFakeClock);

  it('polls every second while an asset is processing, and every 30 s once nothing moves', async () => {
    const asset = buildAsset({ name: 'Kettle', stage: 'Processing' });
    const api = installMockApi([asset]);
    renderApp('/');
    await advance(10);
    expect(screen.getByRole('article', { name: 'Kettle' })).toBeInTheDocument();
    const start = api.listCalls.length;

    await advance(3000);
    expect(api.listCalls.length - start).toBe(3);

    api.update(asset.id, forReview);
    await advance(1000);
    expect(within(screen.getByRole('article', { name: 'Kettle' })).getByText('For Review', { exact: true })).toBeInTheDocument();
    const settled = api.listCalls.length;

    await advance(20_000);
    expect(api.listCalls.length).toBe(settled);
    await advance(10_000);
    expect(api.listCalls.length).toBe(settled + 1);
  });

  it('polls fast while an approved asset counts down to its next step', async () => {
    const api = installMockApi([buildAsset({ name: 'Desk', stage: 'Approved', countdownMs: 60_000 })]);
    renderApp('/');
    await advance(10);
    const start = api.listCalls.length;
    await advance(5000);
    expect(api.listCalls.length - start).toBe(5);
  });

  it('polls fast while an asset outside the filter is processing, since its finishing changes the tab counts', async () => {
    const api = installMockApi([buildAsset({ name: 'Shown', stage: 'For Review' }), buildAsset({ name: 'Hidden', stage: 'Processing' })]);
    renderApp('/?phase=for_review');
    await advance(10);
    expect(screen.getByRole('article', { name: 'Shown' })).toBeInTheDocument();
    expect(screen.queryByRole('article', { name: 'Hidden' })).not.toBeInTheDocument();
    const start = api.listCalls.length;
    await advance(3000);
    expect(api.listCalls.length - start).toBe(3);
  });

  it('speeds up again when something starts moving', async () => {
    const asset = buildAsset({ name: 'Crate', stage: 'For Review' });
    const api = installMockApi([asset]);
    renderApp('/');
    await advance(10);
    const start = api.listCalls.length;
    await advance(5000);
    expect(api.listCalls.length).toBe(start);

    api.update(asset.id, () => ({ status: { phase: 'processing', updated_at: Date.now(), progress: 0.1 } }));
    await advance(25_000);
    expect(within(screen.getByRole('article', { name: 'Crate' })).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '10');
    const fast = api.listCalls.length;
    await advance(3000);
    expect(api.listCalls.length - fast).toBe(3);
  });

  it('does not poll while the tab is hidden, and catches up when it is shown again', async () => {
    const api = installMockApi([buildAsset({ name: 'Globe', stage: 'Processing' })]);
    renderApp('/');
    await advance(10);
    act(() => focusManager.setFocused(false));
    const hidden = api.listCalls.length;
    await advance(10_000);
    expect(api.listCalls.length).toBe(hidden);

    act(() => focusManager.setFocused(true));
    await advance(10);
    expect(api.listCalls.length).toBeGreaterThan(hidden);
  });

  it('asks with If-None-Match and keeps the very same data when the server answers 304', async () => {
    const asset = buildAsset({ name: 'Bowl', stage: 'Processing' });
    const api = installMockApi([asset]);
    const { queryClient } = renderApp('/');
    await advance(10);
    const key = assetKeys.list(DEFAULT_LIST_PARAMS);
    const before = queryClient.getQueryData(key);
    expect(before).toBeDefined();

    await advance(3000);
    const idle = api.listCalls.slice(1).map((c) => c.status);
    expect(idle).toEqual([304, 304, 304]);
    expect(queryClient.getQueryData(key)).toBe(before);
    expect(screen.getByRole('article', { name: 'Bowl' })).toBeInTheDocument();

    api.update(asset.id, () => ({ status: { phase: 'processing', updated_at: Date.now(), progress: 0.9 } }));
    await advance(1000);
    expect(api.listCalls.at(-1)?.status).toBe(200);
    expect(within(screen.getByRole('article', { name: 'Bowl' })).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '90');
  });
});

describe('connection and stage changes', () => {
  beforeEach(startFakeClock);

  it('keeps the asset page’s very same data across 304 polls', async () => {
    const asset = buildAsset({ name: 'Jug', stage: 'Processing', status: { progress: 0.3 } });
    const api = installMockApi([asset]);
    const { queryClient } = await openDetail(asset);
    const key = assetKeys.detail(asset.id);
    const before = queryClient.getQueryData(key);
    const answered = api.detailStatuses.length;

    await advance(3000);
    expect(api.detailStatuses.slice(answered)).toEqual([304, 304, 304]);
    expect(queryClient.getQueryData(key)).toBe(before);
    expect(screen.getByRole('progressbar', { name: 'High Poly Geometry progress' })).toHaveAttribute('aria-valuenow', '30');
  });

  it('shows a reconnecting notice when the API cannot be reached, keeps the cards, and clears it by itself', async () => {
    const api = installMockApi([buildAsset({ name: 'Helmet', stage: 'Processing' })]);
    renderApp('/');
    await advance(10);
    expect(screen.queryByText(/Reconnecting…/)).not.toBeInTheDocument();

    api.setOffline(true);
    await advance(1000);
    expect(screen.getByRole('status', { name: 'Connection' })).toHaveTextContent('Reconnecting…');
    expect(screen.getByRole('article', { name: 'Helmet' })).toBeInTheDocument();

    api.setOffline(false);
    await advance(3000);
    expect(screen.queryByText(/Reconnecting…/)).not.toBeInTheDocument();
    expect(screen.getByRole('article', { name: 'Helmet' })).toBeInTheDocument();
  });

  it('treats a background poll the server fails on the same way, without throwing the cards away', async () => {
    installMockApi([buildAsset({ name: 'Shield', stage: 'Processing' })]);
    renderApp('/');
    await advance(10);
    let failing = true;
    server.use(
      http.get('/api/assets', () =>
        failing ? HttpResponse.json({ error: { code: 'internal', message: 'Something went wrong on our side.' } }, { status: 500 }) : undefined,
      ),
    );
    await advance(1000);
    expect(screen.getByRole('status', { name: 'Connection' })).toHaveTextContent('Asset Forge is having trouble.');
    expect(screen.getByRole('article', { name: 'Shield' })).toBeInTheDocument();
    failing = false;
    await advance(3000);
    expect(screen.getByRole('status', { name: 'Connection' })).toBeEmptyDOMElement();
  });

  it('announces a change to For Review politely and shows a toast', async () => {
    const asset = buildAsset({ name: 'Anvil', stage: 'Processing' });
    const api = installMockApi([asset]);
    renderApp('/');
    await advance(10);
    const live = screen.getByRole('status', { name: 'Asset updates' });
    expect(live).toHaveAttribute('aria-live', 'polite');
    expect(live).toBeEmptyDOMElement();

    api.update(asset.id, forReview);
    await advance(1000);
    expect(live).toHaveTextContent('Anvil is now For Review (High Poly Geometry).');
    const toasts = screen.getByRole('region', { name: 'Notifications' });
    expect(within(toasts).getByText('Anvil is ready for review')).toBeInTheDocument();
    expect(within(toasts).getByRole('link', { name: 'Open asset' })).toHaveAttribute('href', `/assets/${asset.id}`);
  });

  it('toasts a Generation Failed change with the first line of the reason', async () => {
    const asset = buildAsset({ name: 'Blank canvas', stage: 'Processing' });
    const api = installMockApi([asset]);
    renderApp('/');
    await advance(10);

    api.update(asset.id, () => ({ status: { phase: 'failed', updated_at: Date.now(), error_message: 'The image is one flat colour.\nDetails…' } }));
    await advance(1000);
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent('Blank canvas is now Generation Failed');
    const toasts = screen.getByRole('region', { name: 'Notifications' });
    expect(within(toasts).getByText('Blank canvas: Generation Failed')).toBeInTheDocument();
    expect(within(toasts).getByText('The image is one flat colour.')).toBeInTheDocument();

    act(() => within(toasts).getByRole('button', { name: 'Dismiss notification' }).click());
    expect(within(toasts).queryByText('Blank canvas: Generation Failed')).not.toBeInTheDocument();
  });

  it('announces without a toast for calmer changes', async () => {
    const asset = buildAsset({ name: 'Bench', stage: 'Approved', countdownMs: 500 });
    const api = installMockApi([asset]);
    renderApp('/');
    await advance(10);
    api.update(asset.id, () => ({ step_index: 2, next_step_at: null, status: { phase: 'processing', updated_at: Date.now(), progress: 0 } }));
    await advance(1000);
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent('Bench is now Processing (UV Unwrapping).');
    expect(within(screen.getByRole('region', { name: 'Notifications' })).queryByText(/Bench/)).not.toBeInTheDocument();
  });

  it('still announces when the asset leaves the filtered list because its stage changed', async () => {
    const asset = buildAsset({ name: 'Lantern', stage: 'Processing' });
    const api = installMockApi([asset]);
    renderApp('/?phase=processing');
    await advance(10);
    expect(screen.getByRole('article', { name: 'Lantern' })).toBeInTheDocument();

    api.update(asset.id, forReview);
    await advance(1000);
    await advance(10);
    expect(screen.queryByRole('article', { name: 'Lantern' })).not.toBeInTheDocument();
    expect(api.detailCalls).toEqual([asset.id]);
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent('Lantern is now For Review');
  });

  it('shows no toast for the asset whose page is open, which shows the change itself', async () => {
    const asset = buildAsset({ name: 'Tripod', stage: 'Processing' });
    const api = installMockApi([asset]);
    await openDetail(asset);
    api.update(asset.id, forReview);
    await advance(1000);
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent('Tripod is now For Review');
    expect(within(screen.getByRole('region', { name: 'Notifications' })).queryByText(/Tripod/)).not.toBeInTheDocument();
  });

  it('keeps one toast per asset: a newer change replaces the older toast', async () => {
    const asset = buildAsset({ name: 'Easel', stage: 'Processing' });
    // Another asset still moving keeps the list polling every second.
    const api = installMockApi([asset, buildAsset({ name: 'Other', stage: 'Processing' })]);
    renderApp('/');
    await advance(10);
    api.update(asset.id, () => ({ status: { phase: 'failed', updated_at: Date.now(), error_message: 'Blank.' } }));
    await advance(1000);
    const toasts = screen.getByRole('region', { name: 'Notifications' });
    expect(within(toasts).getByText('Easel: Generation Failed')).toBeInTheDocument();
    api.update(asset.id, () => ({ status: { phase: 'processing', updated_at: Date.now(), progress: 0 } }));
    await advance(1000);
    api.update(asset.id, forReview);
    await advance(1000);
    expect(within(toasts).getByText('Easel is ready for review')).toBeInTheDocument();
    expect(within(toasts).queryByText('Easel: Generation Failed')).not.toBeInTheDocument();
  });

  it.each([
    ['hovers over it', (toast: HTMLElement) => fireEvent.mouseEnter(toast), (toast: HTMLElement) => fireEvent.mouseLeave(toast)],
    [
      'moves the focus into it',
      (toast: HTMLElement) => within(toast).getByRole('button', { name: 'Dismiss notification' }).focus(),
      (toast: HTMLElement) => within(toast).getByRole('button', { name: 'Dismiss notification' }).blur(),
    ],
  ])('keeps a toast while the person %s, and dismisses it by itself afterwards', async (_how, hold, release) => {
    const asset = buildAsset({ name: 'Globe', stage: 'Processing' });
    const api = installMockApi([asset]);
    renderApp('/');
    await advance(10);
    api.update(asset.id, forReview);
    await advance(1000);
    const toasts = screen.getByRole('region', { name: 'Notifications' });
    const toast = within(toasts).getByText('Globe is ready for review').parentElement?.parentElement;
    if (!toast) throw new Error('no toast');
    act(() => hold(toast));
    await advance(20_000);
    expect(within(toasts).getByText('Globe is ready for review')).toBeInTheDocument();
    act(() => release(toast));
    await advance(8000);
    expect(within(toasts).queryByText('Globe is ready for review')).not.toBeInTheDocument();
  });
});
