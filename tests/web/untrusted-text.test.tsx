// Names, notes and messages come from people and from the server: they show as the text they are, and never become
// elements of the page (no <img onerror>, no <script>), wherever they appear.
import { act, screen, within } from '@testing-library/react';
import type { Version } from '../../src/contract/asset';
import { buildAsset } from './factories';
import { installMockApi, renderApp } from './render-app';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert("note")</script>';

function expectNoInjectedElements() {
  expect(document.querySelectorAll('script')).toHaveLength(0);
  expect(document.querySelector('img[src="x"]')).toBeNull();
  expect(document.querySelector('[onerror]')).toBeNull();
  expect(document.querySelector('b[onmouseover]')).toBeNull();
}

const versionWithNote: Version = {
  n: 1,
  step_key: 'geometry',
  source: 'revision',
  created_at: Date.now() - 60_000,
  size_bytes: 1000,
  triangles: 100,
  note: SCRIPT,
};

describe('untrusted text', () => {
  it('an asset name that looks like HTML is a card’s name and text on the list, not an image', async () => {
    installMockApi([buildAsset({ name: IMG, stage: 'Generation Failed', status: { error_message: `${SCRIPT}\nsecond line` } })]);
    renderApp('/');
    const card = await screen.findByRole('article', { name: IMG });
    expect(within(card).getByRole('link', { name: IMG })).toHaveTextContent(IMG);
    expect(card).toHaveTextContent(SCRIPT);
    expectNoInjectedElements();
  });

  it('on the asset page: the heading, the title, the failure reason, revision notes and the delete dialog', async () => {
    const asset = buildAsset({
      name: IMG,
      stage: 'Generation Failed',
      status: { error_message: SCRIPT },
      versions: [versionWithNote],
      revisions: [{ step_key: 'geometry', note: SCRIPT, created_at: Date.now() - 120_000 }],
    });
    const api = installMockApi([asset]);
    api.signInAs('admin');
    const { user } = renderApp(`/assets/${asset.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: IMG })).toBeInTheDocument();
    expect(document.title).toBe(`${IMG} · Asset Forge`);
    expect(screen.getByRole('region', { name: 'Failure reason' })).toHaveTextContent(SCRIPT);
    expect(within(screen.getByRole('region', { name: /Version history/ })).getByText(`“${SCRIPT}”`)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(screen.getByRole('dialog', { name: `Delete “${IMG}”?` })).toBeInTheDocument();
    expectNoInjectedElements();
  });

  it('in the toast and announcement when such an asset changes stage', async () => {
    const asset = buildAsset({ name: IMG, stage: 'Processing' });
    const api = installMockApi([asset]);
    const { queryClient } = renderApp('/');
    await screen.findByRole('article', { name: IMG });
    api.update(asset.id, () => ({ status: { phase: 'for_review', updated_at: Date.now() } }));
    await act(() => queryClient.refetchQueries({ queryKey: ['assets'] }));
    const toasts = screen.getByRole('region', { name: 'Notifications' });
    expect(await within(toasts).findByText(`${IMG} is ready for review`)).toBeInTheDocument();
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent(`${IMG} is now For Review`);
    expectNoInjectedElements();
  });

  it('a user name that looks like HTML, in the users table', async () => {
    const api = installMockApi([]);
    api.signInAs('admin');
    const { user } = renderApp('/users');
    await screen.findByRole('table', { name: 'Users' });
    const name = '<b onmouseover=alert(1)>Bob</b>';
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'bob@example.com');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), name);
    await user.type(screen.getByLabelText('Initial password'), 'a first passphrase');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(await screen.findByRole('row', { name: new RegExp(`^${name.replace(/[()]/g, '\\$&')}`) })).toHaveTextContent(name);
    expectNoInjectedElements();
  });
});
