// The "New asset" form: its checks, its upload, and server refusals shown next to the field with nothing lost.
import { createEvent, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { buildAsset } from './factories';
import { installMockApi, renderApp } from './render-app';

const png = (name = 'front.png', bytes = 2048) => new File([new Uint8Array(bytes)], name, { type: 'image/png' });

function huge(name: string): File {
  const file = png(name, 16);
  // Only the size matters to the check, and allocating 11 MB per test is wasteful.
  Object.defineProperty(file, 'size', { value: 10 * 1024 * 1024 + 1 });
  return file;
}

const nameBox = () => screen.getByRole('textbox', { name: 'Name' });
const imagesInput = () => screen.getByLabelText<HTMLInputElement>('Images');
const polycountBox = () => screen.getByRole('textbox', { name: 'Polycount' });
const createButton = () => screen.getByRole('button', { name: 'Create asset' });

/** Opens the form; the page first waits for the session (a signed-in editor). */
async function openForm() {
  const view = renderApp('/new');
  await screen.findByRole('heading', { level: 1, name: 'New asset' });
  return view;
}

/** The error message tied to a field through aria-describedby, i.e. the one shown next to it. */
function errorOf(field: HTMLElement): string {
  const ids = (field.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-error'));
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

describe('the new-asset form', () => {
  it('has the named fields and the create button', async () => {
    installMockApi([]);
    await openForm();
    expect(screen.getByRole('heading', { level: 1, name: 'New asset' })).toBeInTheDocument();
    expect(nameBox()).toBeInTheDocument();
    expect(imagesInput()).toHaveAttribute('type', 'file');
    expect(imagesInput()).toHaveAttribute('multiple');
    expect(polycountBox()).toBeInTheDocument();
    expect(createButton()).toBeInTheDocument();
  });

  it('asks for a name and an image before sending anything', async () => {
    const api = installMockApi([]);
    const { user } = await openForm();
    await user.click(createButton());
    expect(nameBox()).toHaveAttribute('aria-invalid', 'true');
    expect(errorOf(nameBox())).toBe('Name is required');
    expect(nameBox()).toHaveFocus();
    expect(errorOf(imagesInput())).toBe('Add at least one image (PNG or JPEG) of the object.');
    expect(api.created).toEqual([]);

    await user.type(nameBox(), 'Chair');
    expect(errorOf(nameBox())).toBe('');
  });

  it('marks a file of the wrong type and one over 10 MB, each with its own reason', async () => {
    installMockApi([]);
    const { user } = await openForm();
    await user.upload(imagesInput(), [png('ok.png'), new File(['GIF89a'], 'anim.gif', { type: 'image/gif' }), huge('poster.png')]);
    const chosen = screen.getByRole('list', { name: 'Chosen images' });
    const items = within(chosen).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent('ok.png');
    expect(items[0]).not.toHaveTextContent(/Not a PNG|Too large/);
    expect(items[1]).toHaveTextContent('Not a PNG or JPEG image.');
    expect(items[2]).toHaveTextContent('Too large (10.0 MB); images may be at most 10 MB.');
    expect(errorOf(imagesInput())).toBe('Remove the images marked below; they cannot be used.');

    await user.click(within(chosen).getByRole('button', { name: 'Remove anim.gif' }));
    await user.click(within(chosen).getByRole('button', { name: 'Remove poster.png' }));
    expect(within(chosen).getAllByRole('listitem')).toHaveLength(1);
    expect(errorOf(imagesInput())).toBe('');
  });

  it('refuses more than six images', async () => {
    const api = installMockApi([]);
    const { user } = await openForm();
    await user.type(nameBox(), 'Lots of views');
    await user.upload(
      imagesInput(),
      Array.from({ length: 8 }, (_, i) => png(`view-${i + 1}.png`)),
    );
    expect(errorOf(imagesInput())).toBe('Add at most 6 images: remove 2.');
    await user.click(createButton());
    expect(api.created).toEqual([]);
    expect(imagesInput()).toHaveFocus();
  });

  it('takes images dropped on the drop zone', async () => {
    installMockApi([]);
    await openForm();
    const zone = imagesInput().parentElement;
    if (!zone) throw new Error('The file input has no drop zone around it.');
    const drop = createEvent.drop(zone);
    Object.defineProperty(drop, 'dataTransfer', { value: { files: [png('dropped.png')], dropEffect: 'copy' } });
    fireEvent(zone, drop);
    expect(within(screen.getByRole('list', { name: 'Chosen images' })).getByText('dropped.png')).toBeInTheDocument();
  });

  it('checks the polycount with the contract', async () => {
    installMockApi([]);
    const { user } = await openForm();
    await user.type(nameBox(), 'Vase');
    await user.upload(imagesInput(), png());
    await user.type(polycountBox(), '12abc');
    await user.click(createButton());
    expect(errorOf(polycountBox())).toBe('Polycount must be a whole number');
    expect(polycountBox()).toHaveFocus();
  });

  it('creates the asset, shows upload progress, and the new card is on the list at once in Processing', async () => {
    const api = installMockApi([buildAsset({ name: 'Older', stage: 'Completed' })]);
    const { user, location } = renderApp('/');
    await screen.findByRole('article', { name: 'Older' });
    await user.click(screen.getByRole('link', { name: 'New asset' }));

    await user.type(await screen.findByRole('textbox', { name: 'Name' }), '  Ceramic vase ');
    await user.upload(imagesInput(), [png('front.png'), png('side.png')]);
    await user.type(polycountBox(), '5000');
    const release = api.holdCreate();
    await user.click(createButton());
    expect(await screen.findByRole('progressbar', { name: 'Upload progress' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Creating…' })).toBeDisabled();
    // No list request answers until the card is checked: it must come from the cache the page updated itself.
    const releaseLists = api.holdLists();
    release();

    const card = await screen.findByRole('article', { name: 'Ceramic vase' });
    expect(location().pathname).toBe('/');
    expect(within(card).getByText('Processing', { exact: true })).toBeInTheDocument();
    expect(within(card).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '0');
    releaseLists();
    expect(api.created).toEqual([{ name: 'Ceramic vase', polycount: '5000', images: 2 }]);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Processing 1' })).toBeInTheDocument());
    expect(screen.getByRole('status', { name: 'Asset updates' })).toHaveTextContent('Created Ceramic vase. Processing has started.');
  });

  it.each([
    [415, 'unsupported_type', '“front.png” is not a PNG or JPEG image.', 'images'],
    [422, 'unprocessable', '“front.png” could not be decoded: the file may be truncated or damaged.', 'images'],
    [413, 'too_large', 'front.png: images may be at most 10 MB each.', 'images'],
    [400, 'bad_request', 'Invalid form: name: Name must not contain invisible or control characters (found U+202E)', 'name'],
    [400, 'bad_request', 'Invalid form: polycount: Polycount must be at least 100', 'polycount'],
  ] as const)('shows a %i (%s) next to the field it is about and keeps every entry', async (status, code, message, field) => {
    const api = installMockApi([]);
    api.failCreate(status, code, message);
    const { user, location } = await openForm();
    await user.type(nameBox(), 'Teapot');
    await user.upload(imagesInput(), png('front.png'));
    await user.type(polycountBox(), '2000');
    await user.click(createButton());

    const target = { name: nameBox, images: imagesInput, polycount: polycountBox }[field];
    await waitFor(() => expect(errorOf(target())).toBe(message));
    await waitFor(() => expect(target()).toHaveFocus());
    expect(location().pathname).toBe('/new');
    expect(nameBox()).toHaveValue('Teapot');
    expect(polycountBox()).toHaveValue('2000');
    expect(within(screen.getByRole('list', { name: 'Chosen images' })).getByText('front.png')).toBeInTheDocument();
    expect(createButton()).toBeEnabled();
  });

  it('keeps everything when the server cannot be reached', async () => {
    const api = installMockApi([]);
    // The connection drops once the form is open (before, the page could not even check the session).
    const { user } = await openForm();
    api.setOffline(true);
    await user.type(nameBox(), 'Teapot');
    await user.upload(imagesInput(), png('front.png'));
    await user.click(createButton());
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not reach the server.');
    expect(nameBox()).toHaveValue('Teapot');
    expect(screen.getByText('front.png')).toBeInTheDocument();
  });
});
