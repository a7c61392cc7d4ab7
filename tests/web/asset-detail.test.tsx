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

  it('shows a failed asset’s whole reason in its own region', async () => {
    const asset = buildAsset({ name: 'Blank', stage: 'Generation Failed', status: { error_message: 'The image is blank.\nTry a photo.' } });
    installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    const reason = await screen.findByRole('region', { name: 'Failure reason' });
    expect(reason).toHaveTextContent('The image is blank.');
    expect(reason).toHaveTextContent('Try a photo.');
  });

  it('says so when there is no such asset', async () => {
    installMockApi([]);
    renderApp('/assets/missing');
    expect(await screen.findByRole('heading', { level: 1, name: 'Asset not found' })).toBeInTheDocument();
  });
});
