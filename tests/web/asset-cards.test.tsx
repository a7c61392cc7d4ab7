// What each card shows for each stage: exact label, step, progress, failure reason, countdown and relative time.
import { act, screen, within } from '@testing-library/react';
import { buildAsset } from './factories';
import { installMockApi, renderApp } from './render-app';

describe('asset cards', () => {
  it.each([
    ['Processing', 'High Poly Geometry', 'step 1 of 5'],
    ['For Review', 'Optimised Geometry', 'step 2 of 5'],
    ['Approved', 'Optimised Geometry', 'step 2 of 5'],
    ['Completed', 'LODs', 'step 5 of 5'],
    ['Generation Failed', 'High Poly Geometry', 'step 1 of 5'],
  ] as const)('shows a %s asset with its exact stage label, step label and step number', async (stage, step, stepOf) => {
    installMockApi([buildAsset({ name: 'Teapot', stage })]);
    renderApp('/');
    const card = await screen.findByRole('article', { name: 'Teapot' });
    expect(within(card).getByText(stage, { exact: true })).toBeInTheDocument();
    expect(within(card).getByText(step)).toBeInTheDocument();
    expect(card).toHaveTextContent(stepOf);
    expect(within(card).getByText(/^updated 12 s ago$/)).toBeInTheDocument();
  });

  it('shows a progress bar only while processing, with aria-valuenow as a percentage', async () => {
    installMockApi([
      buildAsset({ name: 'Running', stage: 'Processing', status: { progress: 0.375 } }),
      buildAsset({ name: 'Waiting', stage: 'For Review' }),
    ]);
    renderApp('/');
    const running = await screen.findByRole('article', { name: 'Running' });
    const bar = within(running).getByRole('progressbar', { name: 'High Poly Geometry progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '38');
    expect(bar).toHaveAttribute('aria-valuemin', '0');
    expect(bar).toHaveAttribute('aria-valuemax', '100');
    expect(within(screen.getByRole('article', { name: 'Waiting' })).queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('gives every stage a badge with its own icon and colour', async () => {
    const stages = ['Processing', 'For Review', 'Approved', 'Completed', 'Generation Failed'] as const;
    installMockApi(stages.map((stage) => buildAsset({ name: `${stage} asset`, stage })));
    renderApp('/');
    const badges = await Promise.all(
      stages.map(async (stage) => within(await screen.findByRole('article', { name: `${stage} asset` })).getByText(stage, { exact: true })),
    );
    const icons = badges.map((b) => b.querySelector('svg')?.innerHTML);
    const colours = badges.map((b) => b.className);
    expect(icons.every(Boolean)).toBe(true);
    expect(new Set(icons).size).toBe(stages.length);
    expect(new Set(colours).size).toBe(stages.length);
  });

  it('shows only the first line of the failure reason on a failed card', async () => {
    installMockApi([
      buildAsset({ name: 'Blank', stage: 'Generation Failed', status: { error_message: 'The image is blank.\nSecond line with details.' } }),
    ]);
    renderApp('/');
    const card = await screen.findByRole('article', { name: 'Blank' });
    expect(within(card).getByText('The image is blank.')).toBeInTheDocument();
    expect(card).not.toHaveTextContent('Second line with details.');
  });

  it('links each card to its detail page, which names the asset and its stage and leads back', async () => {
    const asset = buildAsset({ name: 'Brass lamp', stage: 'For Review' });
    installMockApi([asset]);
    const { user, location } = renderApp('/');
    const card = await screen.findByRole('article', { name: 'Brass lamp' });
    await user.click(within(card).getByRole('link', { name: 'Brass lamp' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Brass lamp' })).toBeInTheDocument();
    expect(location().pathname).toBe(`/assets/${asset.id}`);
    expect(screen.getByText('For Review', { exact: true })).toBeInTheDocument();
    expect(screen.getByRole('listitem', { current: 'step' })).toHaveTextContent('Optimised Geometry');
    await user.click(screen.getByRole('link', { name: 'Back to assets' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Assets' })).toBeInTheDocument();
  });

  it('counts an approved card down with the shared clock, corrected for the server clock being ahead', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const serverAhead = 5 * 60_000;
    // The server's times are in the server's clock, five minutes ahead of this one: the deadline is 10 s after its now.
    const approved = buildAsset({ name: 'Chair', stage: 'Approved' });
    const api = installMockApi([
      { ...approved, next_step_at: Date.now() + serverAhead + 10_000, status: { ...approved.status, updated_at: Date.now() + serverAhead } },
    ]);
    api.setServerAhead(serverAhead);

    renderApp('/');
    await act(() => vi.advanceTimersByTimeAsync(50));
    const card = screen.getByRole('article', { name: 'Chair' });
    expect(card).toHaveTextContent('UV Unwrapping starts in 10 s');

    await act(() => vi.advanceTimersByTimeAsync(3000));
    expect(card).toHaveTextContent('UV Unwrapping starts in 7 s');
    expect(card).toHaveTextContent('updated 3 s ago');

    await act(() => vi.advanceTimersByTimeAsync(7000));
    expect(card).toHaveTextContent('Starting UV Unwrapping…');
  });

  it('says an approved asset is waiting when its countdown was cancelled', async () => {
    installMockApi([buildAsset({ name: 'Stool', stage: 'Approved', countdownMs: null })]);
    renderApp('/');
    const card = await screen.findByRole('article', { name: 'Stool' });
    expect(within(card).getByText('Approved', { exact: true })).toBeInTheDocument();
    expect(card).toHaveTextContent('Waiting to start UV Unwrapping');
  });
});
