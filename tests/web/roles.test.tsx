// What each role is offered (viewers read, editors act, admins also delete), the server's 403 shown where it
// happened, and the CSRF header on every write.
import { screen, waitFor, within } from '@testing-library/react';
import type { Asset } from '../../src/contract/asset';
import type { Role } from '../../src/contract/auth';
import { buildAsset } from './factories';
import { MOCK_USERS } from './mock-api';
import { installMockApi, renderApp } from './render-app';

async function open(asset: Asset, role: Role) {
  const api = installMockApi([asset]);
  api.signInAs(role);
  const view = renderApp(`/assets/${asset.id}`);
  await screen.findByRole('heading', { level: 1, name: asset.name });
  return { api, ...view };
}

const ACTIONS = ['Approve', 'Request revisions', 'Upload new version', 'Retry', 'Back', 'Delete'];

function expectNoActions() {
  for (const name of ACTIONS) expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /^Process / })).not.toBeInTheDocument();
}

describe('a viewer', () => {
  it('sees the list without "New asset", and a note saying why', async () => {
    const api = installMockApi([buildAsset({ name: 'Vase', stage: 'For Review' })]);
    api.signInAs('viewer');
    renderApp('/');
    expect(await screen.findByRole('article', { name: 'Vase' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New asset' })).not.toBeInTheDocument();
    expect(screen.getByText(/View only — ask an admin for the editor role/)).toBeInTheDocument();
  });

  it('is not offered "Create your first asset" on an empty list', async () => {
    const api = installMockApi([]);
    api.signInAs('viewer');
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'No assets yet' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Create your first asset' })).not.toBeInTheDocument();
  });

  it.each<[string, Parameters<typeof buildAsset>[0]]>([
    ['For Review', { stage: 'For Review' }],
    ['Approved', { stage: 'Approved', step_index: 0, countdownMs: 60_000 }],
    ['Generation Failed', { stage: 'Generation Failed' }],
  ])('sees no action on an asset %s, and the view-only note', async (_stage, overrides) => {
    await open(buildAsset({ name: 'Kettle', ...overrides }), 'viewer');
    expectNoActions();
    expect(screen.getByText(/^View only — ask an admin for the editor role/)).toBeInTheDocument();
  });

  it('still reads the failure reason', async () => {
    await open(buildAsset({ name: 'Blank', stage: 'Generation Failed', status: { error_message: 'The image is blank.' } }), 'viewer');
    expect(screen.getByRole('region', { name: 'Failure reason' })).toHaveTextContent('The image is blank.');
  });

  it('still sees the countdown to the next step', async () => {
    await open(buildAsset({ name: 'Chair', stage: 'Approved', step_index: 0, countdownMs: 60_000 }), 'viewer');
    expect(screen.getByText(/Optimised Geometry starts in/)).toBeInTheDocument();
  });

  it('still downloads, but is not offered "Create new asset"', async () => {
    await open(buildAsset({ name: 'Done', stage: 'Completed' }), 'viewer');
    expect(screen.getByRole('button', { name: 'Download' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Create new asset' })).not.toBeInTheDocument();
  });

  it('gets a note instead of the new-asset form', async () => {
    const api = installMockApi([]);
    api.signInAs('viewer');
    renderApp('/new');
    expect(await screen.findByRole('heading', { level: 1, name: 'New asset' })).toBeInTheDocument();
    expect(screen.getByText('Creating assets needs the editor role. Ask an admin for it.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create asset' })).not.toBeInTheDocument();
  });
});

describe('an editor', () => {
  it('may retry a failed asset but is not offered Delete', async () => {
    await open(buildAsset({ stage: 'Generation Failed' }), 'editor');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
    expect(screen.queryByText(/View only/)).not.toBeInTheDocument();
  });

  it('is offered every review action', async () => {
    await open(buildAsset({ stage: 'For Review' }), 'editor');
    for (const name of ['Approve', 'Request revisions', 'Upload new version']) expect(screen.getByRole('button', { name })).toBeEnabled();
  });

  it('is told "needs the admin role" on the users page, which asks the server nothing', async () => {
    installMockApi([]);
    const { location } = renderApp('/users');
    expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeInTheDocument();
    expect(screen.getByText(/Managing users needs the admin role/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(location().pathname).toBe('/users');
  });
});

describe('an admin', () => {
  it('is offered Retry and Delete', async () => {
    await open(buildAsset({ stage: 'Generation Failed' }), 'admin');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete' })).toBeInTheDocument();
  });
});

describe('the server is the authority', () => {
  it('shows the 403’s message next to Approve when the role was taken away since the page loaded', async () => {
    const { api, user } = await open(buildAsset({ stage: 'For Review' }), 'editor');
    api.setRole(MOCK_USERS.editor.id, 'viewer');
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    expect(await screen.findByText('This needs the editor role; you are signed in as a viewer. Ask an admin if you need it.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled();
  });

  it.each([
    ['Retry', 'POST /retry', { stage: 'Generation Failed' as const }],
    ['Back', 'DELETE /next-step', { stage: 'Approved' as const, step_index: 0, countdownMs: 60_000 }],
  ])('shows the 403’s message for %s', async (button, call, overrides) => {
    const { api, user } = await open(buildAsset(overrides), 'editor');
    api.failAction(call, 403, 'forbidden', 'This action needs the editor role.');
    await user.click(screen.getByRole('button', { name: button }));
    expect(await screen.findByText('This action needs the editor role.')).toBeInTheDocument();
  });

  it('shows the 403’s message in the delete dialog', async () => {
    const { api, user } = await open(buildAsset({ name: 'Blank', stage: 'Generation Failed' }), 'admin');
    api.setRole(MOCK_USERS.admin.id, 'editor');
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete asset' }));
    const dialog = screen.getByRole('dialog');
    expect(await within(dialog).findByText('This needs the admin role; you are signed in as an editor. Ask an admin if you need it.')).toBeInTheDocument();
  });

  it('shows the 403’s message on the new-asset form and keeps what was typed', async () => {
    const api = installMockApi([]);
    const { user } = renderApp('/new');
    await screen.findByRole('heading', { level: 1, name: 'New asset' });
    api.setRole(MOCK_USERS.editor.id, 'viewer');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Teapot');
    await user.upload(screen.getByLabelText('Images'), new File([new Uint8Array(64)], 'front.png', { type: 'image/png' }));
    await user.click(screen.getByRole('button', { name: 'Create asset' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This needs the editor role; you are signed in as a viewer. Ask an admin if you need it.');
    expect(screen.getByRole('textbox', { name: 'Name' })).toHaveValue('Teapot');
  });
});

describe('CSRF', () => {
  it('sends the session’s token with every write: JSON actions, uploads and the new-asset form', async () => {
    const glb = new File([new Uint8Array([0x67, 0x6c, 0x54, 0x46, 2, 0, 0, 0, 20, 0, 0, 0])], 'fixed.glb', { type: 'model/gltf-binary' });
    const asset = buildAsset({ name: 'Vase', stage: 'For Review' });
    const { api, user } = await open(asset, 'editor');
    const token = api.session?.csrf_token;
    expect(token).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Upload new version' }));
    await user.upload(screen.getByLabelText('Model file'), glb);
    await user.click(screen.getByRole('button', { name: 'Upload model' }));
    await waitFor(() => expect(screen.queryByLabelText('Model file')).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Request revisions' }));
    await user.type(screen.getByRole('textbox', { name: 'Revision notes' }), 'Thicker handle');
    await user.click(screen.getByRole('button', { name: 'Send request' }));
    await screen.findByRole('heading', { name: 'In progress' });

    await user.click(screen.getByRole('link', { name: 'Back to assets' }));
    await user.click(await screen.findByRole('link', { name: 'New asset' }));
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'Teapot');
    await user.upload(screen.getByLabelText('Images'), new File([new Uint8Array(64)], 'front.png', { type: 'image/png' }));
    await user.click(screen.getByRole('button', { name: 'Create asset' }));
    await screen.findByRole('article', { name: 'Teapot' });

    expect(api.writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST /api/assets/${asset.id}/versions`,
      `POST /api/assets/${asset.id}/revisions`,
      'POST /api/assets',
    ]);
    for (const write of api.writes) expect(write.csrf).toBe(token);
  });

  it('uses the new session’s token after signing in again', async () => {
    const api = installMockApi([buildAsset({ name: 'Blank', stage: 'Generation Failed' })]);
    api.expireSession();
    const { user } = renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'edna@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await user.click(await screen.findByRole('link', { name: 'Blank' }));
    await user.click(await screen.findByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(api.writes.at(-1)?.path).toMatch(/\/retry$/));
    // The sign-in itself needs no token; the retry carries the one the sign-in answered with.
    expect(api.writes.at(-1)?.csrf).toBe(api.session?.csrf_token);
    expect(api.writes.at(-1)?.csrf).toBeTruthy();
  });
});
