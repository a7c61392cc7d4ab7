// The detail page at /assets/:id: its name, stage, step and pipeline (the review itself: asset-review.test.tsx).
import { screen, within } from '@testing-library/react';
import { buildAsset } from './factories';
import { installMockApi, renderApp } from './render-app';

describe('the asset detail page', () => {
  it('names the asset, shows its stage and step, marks the current step, and links back', async () => {
    const asset = buildAsset({ name: 'Copper kettle', stage: 'Processing', step_index: 2, status: { progress: 0.5 } });
    installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Copper kettle' })).toBeInTheDocument();
    expect(screen.getByText('Processing', { exact: true })).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'UV Unwrapping progress' })).toHaveAttribute('aria-valuenow', '50');
    const steps = within(screen.getByRole('list', { name: 'Pipeline' })).getAllByRole('listitem');
    expect(steps.map((s) => s.getAttribute('aria-current'))).toEqual([null, null, 'step', null, null]);
    expect(screen.getByRole('link', { name: 'Back to assets' })).toHaveAttribute('href', '/');
    expect(document.title).toBe('Copper kettle · Asset Forge');
  });

  it('puts the stage panel before the preview, so on phones the actions are not below the tall viewer', async () => {
    const asset = buildAsset({ name: 'Stool', stage: 'For Review', versions: [] });
    installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    const panel = await screen.findByRole('region', { name: 'Your review' });
    const preview = screen.getByRole('region', { name: 'Preview' });
    expect(panel.compareDocumentPosition(preview) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(panel).getByRole('button', { name: 'Approve' })).toBeInTheDocument();
  });
});
