// The list page around the cards: heading and "New asset", filter counts, filters/search/sort in the request and
// the URL, and the loading, empty, no-match and error states.
import { act, screen, waitFor, within } from '@testing-library/react';
import { delay, http, HttpResponse } from 'msw';
import { buildAsset } from './factories';
import { server } from './msw-server';
import { installMockApi, renderApp } from './render-app';

const lastListUrl = (api: ReturnType<typeof installMockApi>) => {
  const call = api.listCalls.at(-1);
  if (!call) throw new Error('The page made no list request.');
  return call.url;
};

describe('the list page', () => {
  it('has the heading, a "New asset" link to the form, and counts on every stage filter', async () => {
    installMockApi([
      buildAsset({ stage: 'Processing' }),
      buildAsset({ stage: 'Processing' }),
      buildAsset({ stage: 'For Review' }),
      buildAsset({ stage: 'Approved' }),
      buildAsset({ stage: 'Completed' }),
      buildAsset({ stage: 'Generation Failed' }),
    ]);
    const { user, location } = renderApp('/');
    // The page waits for the session first (a signed-in editor, who may create assets).
    expect(await screen.findByRole('heading', { level: 1, name: 'Assets' })).toBeInTheDocument();
    expect(screen.getByRole('banner')).toBeInTheDocument();
    expect(screen.getByRole('main')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'All 6' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('button', { name: 'Processing 2' })).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByRole('button', { name: 'For Review 1' })).toBeInTheDocument();
    // Approved between steps is in the completed phase, so it counts under Completed.
    expect(screen.getByRole('button', { name: 'Completed 2' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Failed 1' })).toBeInTheDocument();

    await user.click(screen.getByRole('link', { name: 'New asset' }));
    expect(location().pathname).toBe('/new');
    expect(await screen.findByRole('heading', { level: 1, name: 'New asset' })).toHaveFocus();
  });

  it('filters by stage through the request and the URL, and the back button returns to the previous filter', async () => {
    const api = installMockApi([buildAsset({ name: 'Vase', stage: 'For Review' }), buildAsset({ name: 'Lamp', stage: 'Generation Failed' })]);
    const { user, location, navigate } = renderApp('/');
    await screen.findByRole('article', { name: 'Vase' });

    await user.click(screen.getByRole('button', { name: /^Failed/ }));
    expect(location().search).toBe('?phase=failed');
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Vase' })).not.toBeInTheDocument());
    expect(screen.getByRole('article', { name: 'Lamp' })).toBeInTheDocument();
    expect(lastListUrl(api).searchParams.get('phase')).toBe('failed');
    expect(screen.getByRole('button', { name: /^Failed/ })).toHaveAttribute('aria-pressed', 'true');

    await user.click(screen.getByRole('button', { name: /^Completed/ }));
    expect(location().search).toBe('?phase=completed');
    expect(await screen.findByText('No assets match')).toBeInTheDocument();

    // Back, as the browser's back button does: the previous filter, its list and its pressed button return.
    act(() => navigate(-1));
    expect(location().search).toBe('?phase=failed');
    expect(await screen.findByRole('article', { name: 'Lamp' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Failed/ })).toHaveAttribute('aria-pressed', 'true');

    await user.click(screen.getByRole('button', { name: /^Completed/ }));
    await screen.findByText('No assets match');
    await user.click(screen.getByRole('button', { name: 'Show all assets' }));
    expect(location().search).toBe('');
    expect(await screen.findByRole('article', { name: 'Vase' })).toBeInTheDocument();
    expect(lastListUrl(api).searchParams.has('phase')).toBe(false);
  });

  it('reads filter, search and sort from a shared URL', async () => {
    const api = installMockApi([buildAsset({ name: 'Red chair', stage: 'For Review' }), buildAsset({ name: 'Blue chair', stage: 'Processing' })]);
    renderApp('/?phase=for_review&q=chair&sort=name');
    expect(await screen.findByRole('article', { name: 'Red chair' })).toBeInTheDocument();
    expect(screen.queryByRole('article', { name: 'Blue chair' })).not.toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: 'Search assets' })).toHaveValue('chair');
    expect(screen.getByRole('combobox', { name: 'Sort' })).toHaveValue('name');
    const url = lastListUrl(api);
    expect(url.searchParams.get('phase')).toBe('for_review');
    expect(url.searchParams.get('q')).toBe('chair');
    expect(url.searchParams.get('sort')).toBe('name');
  });

  it('debounces the search box before it reaches the URL and the API', async () => {
    const api = installMockApi([buildAsset({ name: 'Oak table' }), buildAsset({ name: 'Pine shelf' })]);
    const { user, location } = renderApp('/');
    await screen.findByRole('article', { name: 'Oak table' });
    const callsBefore = api.listCalls.length;

    await user.type(screen.getByRole('searchbox', { name: 'Search assets' }), 'shelf');
    // Typing five letters asks nothing yet…
    expect(location().search).toBe('');
    expect(api.listCalls.length).toBe(callsBefore);
    // …then, once typing stops, one request for the whole word.
    await waitFor(() => expect(location().search).toBe('?q=shelf'));
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Oak table' })).not.toBeInTheDocument());
    expect(screen.getByRole('article', { name: 'Pine shelf' })).toBeInTheDocument();
    const searches = api.listCalls.slice(callsBefore).map((c) => c.url.searchParams.get('q'));
    expect(searches).toEqual(['shelf']);
  });

  it('changes the sort through the request and the URL', async () => {
    const api = installMockApi([buildAsset({ name: 'Zebra' }), buildAsset({ name: 'Apple' })]);
    const { user, location } = renderApp('/');
    await screen.findByRole('article', { name: 'Zebra' });
    const names = () => screen.getAllByRole('article').map((a) => within(a).getByRole('heading').textContent);
    expect(names()).toEqual(['Zebra', 'Apple']);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort' }), 'Name');
    expect(location().search).toBe('?sort=name');
    await waitFor(() => expect(names()).toEqual(['Apple', 'Zebra']));
    expect(lastListUrl(api).searchParams.get('sort')).toBe('name');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort' }), 'Recently updated');
    expect(location().search).toBe('?sort=updated');
    await waitFor(() => expect(lastListUrl(api).searchParams.get('sort')).toBe('updated'));
  });

  it('shows skeletons while loading', async () => {
    installMockApi([]);
    server.use(
      http.get('/api/assets', async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    renderApp('/');
    expect(await screen.findByText('Loading assets…')).toBeInTheDocument();
    expect(screen.queryByRole('article')).not.toBeInTheDocument();
  });

  it('invites creating the first asset when there are none', async () => {
    installMockApi([]);
    const { user, location } = renderApp('/');
    expect(await screen.findByRole('heading', { name: 'No assets yet' })).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Create your first asset' }));
    expect(location().pathname).toBe('/new');
  });

  it('shows an error with a retry that works', async () => {
    let fail = true;
    installMockApi([buildAsset({ name: 'Mug' })]);
    server.use(
      http.get('/api/assets', () =>
        fail ? HttpResponse.json({ error: { code: 'internal', message: 'Something went wrong on our side.' } }, { status: 500 }) : undefined,
      ),
    );
    const { user } = renderApp('/');
    expect(await screen.findByRole('heading', { name: "Couldn't load assets" })).toBeInTheDocument();
    expect(screen.getByText('Something went wrong on our side.')).toBeInTheDocument();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('article', { name: 'Mug' })).toBeInTheDocument();
  });

  it('loads more with the cursor', async () => {
    const many = Array.from({ length: 30 }, (_, i) => buildAsset({ name: `Item ${String(i + 1).padStart(2, '0')}` }));
    const api = installMockApi(many);
    const { user } = renderApp('/');
    await screen.findByRole('article', { name: 'Item 01' });
    expect(screen.getAllByRole('article')).toHaveLength(24);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('article', { name: 'Item 30' })).toBeInTheDocument();
    expect(screen.getAllByRole('article')).toHaveLength(30);
    expect(lastListUrl(api).searchParams.get('cursor')).toBe('24');
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });
});
