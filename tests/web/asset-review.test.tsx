// The asset view where a person reviews each step: every stage's panel, every action's success and failure, the
// countdown ticking on the shared clock, and a 409 refreshing the view with the server's explanation.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { LIMITS } from '../../src/contract/api';
import type { Asset, Version } from '../../src/contract/asset';
import type { Role } from '../../src/contract/auth';
import { buildAsset } from './factories';
import { installMockApi, renderApp } from './render-app';

const glbBytes = () => new Uint8Array([0x67, 0x6c, 0x54, 0x46, 2, 0, 0, 0, 20, 0, 0, 0]);
const glbFile = (name = 'fixed.glb') => new File([glbBytes()], name, { type: 'model/gltf-binary' });

function versions(...sources: Version['source'][]): Version[] {
  return sources.map((source, i) => ({
    n: i + 1,
    step_key: i === 0 ? 'geometry' : 'optimise',
    source,
    created_at: Date.now() - (sources.length - i) * 60_000,
    size_bytes: 150_000,
    triangles: 12_000,
    ...(source === 'revision' ? { note: 'Thicker handle' } : {}),
  }));
}

async function open(asset: Asset, role: Role = 'editor') {
  const api = installMockApi([asset]);
  api.signInAs(role);
  const view = renderApp(`/assets/${asset.id}`);
  await screen.findByRole('heading', { level: 1, name: asset.name });
  return { api, ...view };
}

const useFakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

describe('the asset view', () => {
  it('shows the pipeline as steps, the preview of the latest version and the whole version history', async () => {
    const asset = buildAsset({ name: 'Copper kettle', stage: 'For Review', versions: versions('generated', 'generated', 'revision') });
    const { user } = await open(asset);

    const steps = within(screen.getByRole('list', { name: 'Pipeline' })).getAllByRole('listitem');
    expect(steps.map((s) => s.getAttribute('aria-current'))).toEqual([null, 'step', null, null, null]);
    expect(steps[0]).toHaveTextContent('(done)');
    expect(screen.getByRole('application', { name: '3D preview of Copper kettle, version 3' })).toHaveAttribute(
      'data-url',
      `/api/assets/${asset.id}/versions/3/model.glb`,
    );

    const history = screen.getByRole('region', { name: /Version history/ });
    const rows = within(history).getAllByRole('listitem');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Version 3');
    expect(rows[0]).toHaveTextContent('Revision');
    expect(rows[0]).toHaveTextContent('Optimised Geometry');
    expect(rows[0]).toHaveTextContent('Thicker handle');
    expect(rows[2]).toHaveTextContent('Generated');
    expect(rows[2]).toHaveTextContent('High Poly Geometry');
    expect(within(history).getByRole('link', { name: 'Download version 1' })).toHaveAttribute('href', `/api/assets/${asset.id}/download?version=1`);
    expect(within(history).getByRole('button', { name: 'Preview version 3' })).toHaveAttribute('aria-pressed', 'true');

    await user.click(within(history).getByRole('button', { name: 'Preview version 1' }));
    expect(screen.getByRole('application', { name: '3D preview of Copper kettle, version 1' })).toBeInTheDocument();
    expect(within(history).getByRole('button', { name: 'Preview version 1' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('shows the running step’s progress while processing, and no review actions', async () => {
    await open(buildAsset({ name: 'Lamp', stage: 'Processing', step_index: 2, status: { progress: 0.5 } }));
    expect(screen.getByRole('progressbar', { name: 'UV Unwrapping progress' })).toHaveAttribute('aria-valuenow', '50');
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
    expect(screen.getByText(/The first model appears here/)).toBeInTheDocument();
  });

  it('says so when there is no such asset', async () => {
    installMockApi([]);
    renderApp('/assets/missing');
    expect(await screen.findByRole('heading', { level: 1, name: 'Asset not found' })).toBeInTheDocument();
  });
});

describe('For Review', () => {
  it('offers Approve, Request revisions and Upload new version', async () => {
    await open(buildAsset({ stage: 'For Review' }));
    expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Request revisions' })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('button', { name: 'Upload new version' })).toHaveAttribute('aria-expanded', 'false');
  });

  it('points each form toggle at the form it opens', async () => {
    const { user } = await open(buildAsset({ stage: 'For Review' }));
    for (const [name, field] of [
      ['Request revisions', 'Revision notes'],
      ['Upload new version', 'Model file'],
    ] as const) {
      const toggle = screen.getByRole('button', { name });
      await user.click(toggle);
      expect(toggle).toHaveAttribute('aria-expanded', 'true');
      const form = screen.getByLabelText(field).closest('form');
      expect(form?.id).toBeTruthy();
      expect(toggle).toHaveAttribute('aria-controls', form?.id);
    }
  });

  it('approves: pending while in flight, then Approved with the countdown', async () => {
    const asset = buildAsset({ stage: 'For Review', step_index: 0 });
    const { api, user } = await open(asset);
    const release = api.holdActions();
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    expect(await screen.findByRole('button', { name: 'Approving…' })).toBeDisabled();
    release();
    expect(await screen.findByRole('button', { name: /^Process Optimised Geometry \(\d+\)$/ })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Back' })).toBeEnabled();
    // Back does not return to the review: it only stops the clock.
    expect(screen.getByText(/Back stops the countdown; Optimised Geometry waits until you start it\./)).toBeInTheDocument();
    expect(screen.queryByText(/keep reviewing/)).not.toBeInTheDocument();
    expect(api.actions.map((a) => a.call)).toEqual(['POST /approve']);
  });

  it('keeps the keyboard focus in the panel when approving replaces the button that had it', async () => {
    const { user } = await open(buildAsset({ stage: 'For Review', step_index: 0 }));
    screen.getByRole('button', { name: 'Approve' }).focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 2, name: 'Next step' })).toHaveFocus();
    expect(document.body).not.toHaveFocus();
  });

  it('keeps the review panel and shows a banner when approving fails on the server', async () => {
    const { api, user } = await open(buildAsset({ stage: 'For Review' }));
    api.failAction('POST /approve', 500, 'internal', 'The database is locked.');
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    expect(await screen.findByText(/The server had a problem/)).toBeInTheDocument();
    expect(screen.getByText(/The database is locked/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled();
  });

  it('a 409 refetches the asset and says what happened', async () => {
    const asset = buildAsset({ name: 'Chair', stage: 'For Review', step_index: 0 });
    const { api, user } = await open(asset);
    // Someone else approved it in another tab; this page has not polled since.
    api.update(asset.id, () => ({ status: { phase: 'completed', updated_at: Date.now() }, next_step_at: Date.now() + 10_000 }));
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    expect(await screen.findByText('Cannot approve: the asset is Approved. The page now shows the asset as it is.')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: /^Process Optimised Geometry/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
  });

  it('requests a revision with a note, and keeps the note when sending fails', async () => {
    const asset = buildAsset({ stage: 'For Review', step_index: 1 });
    const { api, user } = await open(asset);
    await user.click(screen.getByRole('button', { name: 'Request revisions' }));
    const notes = screen.getByRole('textbox', { name: 'Revision notes' });
    expect(notes).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Send request' }));
    expect(screen.getByText(/Write what should change/)).toBeInTheDocument();
    expect(api.actions).toEqual([]);

    await user.type(notes, 'Make the handle thicker');
    api.failAction('POST /revisions', 400, 'bad_request', 'Invalid body: note is too long.');
    await user.click(screen.getByRole('button', { name: 'Send request' }));
    expect(await screen.findByText('Invalid body: note is too long.')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Revision notes' })).toHaveValue('Make the handle thicker');
    expect(screen.getByRole('textbox', { name: 'Revision notes' })).toHaveAttribute('aria-invalid', 'true');

    await user.click(screen.getByRole('button', { name: 'Send request' }));
    expect(await screen.findByRole('progressbar', { name: 'Optimised Geometry progress' })).toBeInTheDocument();
    expect(api.actions.at(-1)).toEqual({ call: 'POST /revisions', body: { note: 'Make the handle thicker' } });
  });

  it('uploads a new version and previews it', async () => {
    const asset = buildAsset({ name: 'Vase', stage: 'For Review', versions: versions('generated', 'generated') });
    const { api, user } = await open(asset);
    await user.click(screen.getByRole('button', { name: 'Upload new version' }));
    await user.upload(screen.getByLabelText('Model file'), glbFile());
    await user.click(screen.getByRole('button', { name: 'Upload model' }));
    expect(await screen.findByRole('application', { name: '3D preview of Vase, version 3' })).toBeInTheDocument();
    expect(api.actions.map((a) => a.call)).toEqual(['POST /versions']);
    // Done: the form closes, the page says so, and the keyboard focus lands on the panel, not on the page.
    await waitFor(() => expect(screen.queryByLabelText('Model file')).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Upload new version' })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent('Version 3 uploaded');
    expect(screen.getByRole('heading', { level: 2, name: 'Your review' })).toHaveFocus();
    const rows = within(screen.getByRole('region', { name: /Version history/ })).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('Uploaded');
  });

  it('judges the file picked last, even when the check of an earlier one finishes after it', async () => {
    const { api, user } = await open(buildAsset({ stage: 'For Review' }));
    await user.click(screen.getByRole('button', { name: 'Upload new version' }));
    const input = screen.getByLabelText('Model file');
    const huge = glbFile('huge.glb');
    Object.defineProperty(huge, 'size', { value: LIMITS.modelBytesMax + 1 });
    // The GLB's bytes are read (slow); the huge file is refused on its size alone (fast), so its verdict comes first.
    fireEvent.change(input, { target: { files: [glbFile('fine.glb')] } });
    fireEvent.change(input, { target: { files: [huge] } });
    expect(await screen.findByText(/“huge.glb” is .*; a model may be at most/)).toBeInTheDocument();
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(screen.getByText(/“huge.glb” is .*; a model may be at most/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Upload model' }));
    expect(api.actions).toEqual([]);
  });

  it('refuses a file that is not a GLB before sending it', async () => {
    const { api, user } = await open(buildAsset({ stage: 'For Review' }));
    await user.click(screen.getByRole('button', { name: 'Upload new version' }));
    const input = screen.getByLabelText('Model file');
    await user.upload(input, new File(['just text'], 'notes.glb', { type: 'model/gltf-binary' }));
    expect(await screen.findByText(/“notes.glb” is not a GLB model/)).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    await user.click(screen.getByRole('button', { name: 'Upload model' }));
    expect(api.actions).toEqual([]);
  });

  it.each([
    [415, 'unsupported_type', 'The file is not a GLB (binary glTF 2.0) model.'],
    [422, 'unprocessable', 'The model has no meshes to show.'],
    [413, 'too_large', 'models may be at most 64 MB.'],
  ])('shows the server’s %i refusal next to the file input', async (status, code, message) => {
    const { api, user } = await open(buildAsset({ stage: 'For Review' }));
    await user.click(screen.getByRole('button', { name: 'Upload new version' }));
    const input = screen.getByLabelText('Model file');
    await user.upload(input, glbFile('broken.glb'));
    api.failAction('POST /versions', status, code, message);
    await user.click(screen.getByRole('button', { name: 'Upload model' }));
    const error = await screen.findByText(message);
    expect(input).toHaveAccessibleDescription(expect.stringContaining(message));
    expect(error).toBeVisible();
    expect(screen.getByRole('button', { name: 'Upload new version' })).toBeInTheDocument();
  });
});

describe('Approved', () => {
  beforeEach(useFakeClock);

  it('counts down on the shared clock, from the server’s deadline corrected for clock offset', async () => {
    const asset = buildAsset({ stage: 'Approved', step_index: 0, countdownMs: 10_000 });
    const api = installMockApi([asset]);
    // The server's clock is 30 s ahead; its deadline is 10 s away on its own clock.
    api.setServerAhead(30_000);
    api.update(asset.id, (a) => ({ next_step_at: (a.next_step_at ?? 0) + 30_000 }));
    renderApp(`/assets/${asset.id}`);
    await advance(10);
    expect(screen.getByRole('button', { name: 'Process Optimised Geometry (10)' })).toBeInTheDocument();
    await advance(1000);
    expect(screen.getByRole('button', { name: 'Process Optimised Geometry (9)' })).toBeInTheDocument();
    await advance(3000);
    expect(screen.getByRole('button', { name: 'Process Optimised Geometry (6)' })).toBeInTheDocument();
  });

  it('does not start anything itself at zero: the server does, and the fast poll shows Processing', async () => {
    const asset = buildAsset({ stage: 'Approved', step_index: 0, countdownMs: 3000 });
    const api = installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    await advance(10);
    await advance(3500);
    expect(screen.getByRole('button', { name: 'Process Optimised Geometry' })).toBeInTheDocument();
    expect(api.actions).toEqual([]);
    api.update(asset.id, () => ({ step_index: 1, next_step_at: null, status: { phase: 'processing', updated_at: Date.now(), progress: 0.1 } }));
    await advance(1000);
    expect(screen.getByRole('progressbar', { name: 'Optimised Geometry progress' })).toBeInTheDocument();
  });

  it('Back clears the number at once and keeps it cleared', async () => {
    const asset = buildAsset({ stage: 'Approved', step_index: 0, countdownMs: 10_000 });
    const api = installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    await advance(10);
    const release = api.holdActions();
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Back' })));
    await advance(0);
    expect(screen.getByRole('button', { name: 'Process Optimised Geometry' })).toBeInTheDocument();
    release();
    await advance(3000);
    expect(screen.getByRole('button', { name: 'Process Optimised Geometry' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Back' })).toBeDisabled();
    expect(api.actions.map((a) => a.call)).toEqual(['DELETE /next-step']);
    expect(screen.getByText(/The countdown was cancelled/)).toBeInTheDocument();
  });

  it('puts the number back and says why when Back fails', async () => {
    const asset = buildAsset({ stage: 'Approved', step_index: 0, countdownMs: 10_000 });
    const api = installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    await advance(10);
    api.failAction('DELETE /next-step', 500, 'internal', 'Disk full.');
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Back' })));
    await advance(10);
    expect(screen.getByRole('button', { name: /^Process Optimised Geometry \(\d+\)$/ })).toBeInTheDocument();
    expect(screen.getByText(/Disk full/)).toBeInTheDocument();
  });

  it('clicking Process during the countdown starts the step now', async () => {
    const asset = buildAsset({ stage: 'Approved', step_index: 0, countdownMs: 10_000 });
    const api = installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    await advance(10);
    act(() => fireEvent.click(screen.getByRole('button', { name: /^Process Optimised Geometry \(\d+\)$/ })));
    await advance(0);
    expect(screen.getByRole('progressbar', { name: 'Optimised Geometry progress' })).toBeInTheDocument();
    await advance(10);
    expect(api.actions.map((a) => a.call)).toEqual(['POST /next-step']);
    expect(api.get(asset.id)?.status.phase).toBe('processing');
    expect(screen.getByRole('heading', { name: 'In progress' })).toBeInTheDocument();
  });

  it('rolls back to Approved when starting the step is refused', async () => {
    const asset = buildAsset({ stage: 'Approved', step_index: 0, countdownMs: null });
    const api = installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    await advance(10);
    api.failAction('POST /next-step', 503, 'internal', 'Busy.');
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Process Optimised Geometry' })));
    await advance(10);
    expect(screen.getByRole('button', { name: 'Process Optimised Geometry' })).toBeEnabled();
    expect(screen.getByText(/Could not reach the server|The server had a problem/)).toBeInTheDocument();
  });
});

describe('Approved, by keyboard', () => {
  it('moves the focus to Process and says so when Back has cancelled the countdown', async () => {
    const { user } = await open(buildAsset({ stage: 'Approved', step_index: 0, countdownMs: 60_000 }));
    screen.getByRole('button', { name: /^Process Optimised Geometry/ }).focus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Back' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Back' })).toBeDisabled());
    await waitFor(() => expect(screen.getByRole('button', { name: 'Process Optimised Geometry' })).toHaveFocus());
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent('Countdown cancelled');
  });
});

describe('Completed', () => {
  /** What the page handed the browser to save: each file's name and size. */
  function captureSaves(): { name: string; size: number }[] {
    const saved: { name: string; size: number }[] = [];
    let last: Blob | undefined;
    Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: (blob: Blob) => ((last = blob), 'blob:saved') });
    Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => undefined });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, size: last?.size ?? -1 });
    });
    return saved;
  }

  it('downloads the chosen format in the page and saves it under the name the server gave', async () => {
    const saved = captureSaves();
    const asset = buildAsset({ name: 'Copper kettle', stage: 'Completed', versions: versions('generated', 'generated') });
    const { user } = await open(asset);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Format' }), 'OBJ');
    await user.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(saved).toEqual([{ name: 'Copper kettle-obj.zip', size: 4 }]));
    expect(screen.getByRole('button', { name: 'Download' })).not.toHaveAttribute('aria-disabled', 'true');
  });

  it('says next to the button why a download was refused, and stays on the page', async () => {
    const saved = captureSaves();
    const asset = buildAsset({ name: 'Copper kettle', stage: 'Completed', versions: versions('generated', 'generated') });
    const { user, api } = await open(asset);
    const message = 'You already have 2 downloads being prepared; wait for one of them to finish, then try again.';
    api.failRequest(`GET /api/assets/${asset.id}/download`, 429, 'rate_limited', message);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Format' }), 'glTF');
    const button = screen.getByRole('button', { name: 'Download' });
    await user.click(button);
    expect((await screen.findByText(message)).closest('[role="alert"]')).not.toBeNull();
    expect(button).toHaveAccessibleDescription(message);
    expect(screen.getByRole('heading', { level: 1, name: 'Copper kettle' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Format' })).toHaveValue('gltf');
    expect(saved).toEqual([]);
    // Asked again, it goes through, and the message goes away.
    await user.click(button);
    await waitFor(() => expect(saved).toEqual([{ name: 'Copper kettle-gltf.zip', size: 4 }]));
    expect(screen.queryByText(message)).not.toBeInTheDocument();
  });

  it('offers the final download in a chosen format, and a new asset', async () => {
    const asset = buildAsset({ stage: 'Completed', versions: versions('generated', 'generated') });
    const { user } = await open(asset);
    const format = screen.getByRole('combobox', { name: 'Format' });
    expect(within(format).getAllByRole('option').map((o) => o.textContent)).toEqual(['GLB', 'glTF', 'OBJ']);
    await user.selectOptions(format, 'OBJ');
    const download = screen.getByRole('button', { name: 'Download' });
    const form = download.closest('form');
    expect(form).toHaveAttribute('action', `/api/assets/${asset.id}/download`);
    expect(form).toHaveAttribute('method', 'get');
    expect(form && new FormData(form).get('format')).toBe('obj');
    expect(screen.getByRole('link', { name: 'Create new asset' })).toHaveAttribute('href', '/new');
    const pipeline = screen.getByRole('list', { name: 'Pipeline' });
    const steps = within(pipeline).getAllByRole('listitem');
    expect(steps.at(-1)).toHaveAttribute('aria-current', 'step');
    // Every step is done, so every connector between them is green too, the last one included.
    const connectors = [...pipeline.querySelectorAll('[data-connector]')];
    expect(connectors).toHaveLength(steps.length - 1);
    for (const c of connectors) expect(c).toHaveClass('bg-emerald-500');
  });
});

describe('Generation Failed', () => {
  it('shows the whole reason in its own region', async () => {
    await open(buildAsset({ stage: 'Generation Failed', status: { error_message: 'The image is blank.\nTry a photo.' } }));
    const reason = screen.getByRole('region', { name: 'Failure reason' });
    expect(reason).toHaveTextContent('The image is blank.');
    expect(reason).toHaveTextContent('Try a photo.');
  });

  it('retries: the view turns to Processing at once', async () => {
    const asset = buildAsset({ stage: 'Generation Failed' });
    const { api, user } = await open(asset);
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(screen.getByRole('progressbar', { name: 'High Poly Geometry progress' })).toBeInTheDocument();
    await waitFor(() => expect(api.actions.map((a) => a.call)).toEqual(['POST /retry']));
  });

  it('rolls back and says so when the retry fails', async () => {
    const { api, user } = await open(buildAsset({ stage: 'Generation Failed' }));
    api.failAction('POST /retry', 500, 'internal', 'Queue unavailable.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(/Queue unavailable/)).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Failure reason' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeEnabled();
    // Neither the optimistic Processing nor its rollback happened on the server: nothing to announce or toast.
    expect(screen.getByRole('status', { name: 'Asset updates' })).toBeEmptyDOMElement();
    expect(within(screen.getByRole('region', { name: 'Notifications' })).queryByText(/Generation Failed/)).not.toBeInTheDocument();
  });

  it('asks before deleting; Cancel and Escape keep the asset and return the focus', async () => {
    const asset = buildAsset({ name: 'Blank', stage: 'Generation Failed' });
    // Deleting is for admins.
    const { api, user } = await open(asset, 'admin');
    const trigger = screen.getByRole('button', { name: 'Delete' });
    await user.click(trigger);
    const dialog = screen.getByRole('dialog', { name: 'Delete “Blank”?' });
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    // Tab stays inside the dialog.
    await user.tab();
    expect(within(dialog).getByRole('button', { name: 'Delete asset' })).toHaveFocus();
    await user.tab();
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(trigger).toHaveFocus();
    expect(api.actions).toEqual([]);
  });

  it('deletes after confirming, then goes back to the list with a notice', async () => {
    const asset = buildAsset({ name: 'Blank', stage: 'Generation Failed' });
    const { api, user, location } = await open(asset, 'admin');
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete asset' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Assets' })).toBeInTheDocument();
    expect(location().pathname).toBe('/');
    expect(within(screen.getByRole('region', { name: 'Notifications' })).getByText('“Blank” was deleted.')).toBeInTheDocument();
    expect(api.actions.map((a) => a.call)).toEqual(['DELETE /']);
    expect(screen.queryByRole('article', { name: 'Blank' })).not.toBeInTheDocument();
  });

  it('keeps the dialog open and says why when deleting fails', async () => {
    const { api, user } = await open(buildAsset({ name: 'Blank', stage: 'Generation Failed' }), 'admin');
    api.failAction('DELETE /', 409, 'wrong_stage', 'Cannot delete: the asset is Processing.');
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete asset' }));
    const dialog = screen.getByRole('dialog');
    expect(await within(dialog).findByText('Cannot delete: the asset is Processing.')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Delete asset' })).toBeEnabled();
  });
});

describe('an action in flight', () => {
  beforeEach(useFakeClock);

  it('keeps the optimistic view through poll ticks until the server answers, then shows the server’s answer', async () => {
    const asset = buildAsset({ name: 'Stool', stage: 'Generation Failed' });
    const api = installMockApi([asset]);
    renderApp(`/assets/${asset.id}`);
    await advance(10);
    const release = api.holdActions();
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Retry' })));
    await advance(0);
    expect(screen.getByRole('progressbar', { name: 'High Poly Geometry progress' })).toBeInTheDocument();
    // The optimistic Processing would poll every second; each answer would still say Generation Failed.
    await advance(4500);
    expect(screen.getByRole('progressbar', { name: 'High Poly Geometry progress' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Failure reason' })).not.toBeInTheDocument();

    release();
    await advance(10);
    api.update(asset.id, (a) => ({ status: { ...a.status, progress: 0.6 } }));
    await advance(1000);
    expect(screen.getByRole('progressbar', { name: 'High Poly Geometry progress' })).toHaveAttribute('aria-valuenow', '60');
  });
});
