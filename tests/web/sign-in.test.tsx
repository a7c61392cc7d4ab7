// Signing in and out: the redirect to /sign-in and back (`next`, never off-site), a wrong password, the rate limit,
// a session that ends mid-visit, the header's account links, and single-user mode.
import { act, screen, waitFor, within } from '@testing-library/react';
import { safeNextPath, signInPath } from '../../src/web/lib/next-path';
import { buildAsset } from './factories';
import { MOCK_PASSWORD, MOCK_USERS } from './mock-api';
import { installMockApi, renderApp } from './render-app';

const emailBox = () => screen.getByRole('textbox', { name: 'Email' });
// A password field has no ARIA role of its own in the DOM testing library (browsers expose it as a textbox).
const passwordBox = () => screen.getByLabelText('Password');
const signInButton = () => screen.getByRole('button', { name: 'Sign in' });

async function signIn(user: ReturnType<typeof renderApp>['user'], email: string, password: string) {
  await user.clear(emailBox());
  await user.type(emailBox(), email);
  await user.type(passwordBox(), password);
  await user.click(signInButton());
}

describe('signing in', () => {
  it('sends a signed-out visitor to the sign-in page and, once signed in, back to the page they asked for', async () => {
    const asset = buildAsset({ name: 'Copper kettle', stage: 'For Review' });
    const api = installMockApi([asset]);
    api.expireSession();
    const { user, location } = renderApp(`/assets/${asset.id}?from=mail`);

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(location().pathname).toBe('/sign-in');
    expect(new URLSearchParams(location().search).get('next')).toBe(`/assets/${asset.id}?from=mail`);
    expect(document.title).toBe('Sign in · Asset Forge');
    // Nothing of the asset was asked for while signed out.
    expect(api.detailCalls).toEqual([]);

    await signIn(user, 'Edna@Example.com', MOCK_PASSWORD);
    expect(await screen.findByRole('heading', { level: 1, name: 'Copper kettle' })).toBeInTheDocument();
    expect(location().pathname).toBe(`/assets/${asset.id}`);
    expect(location().search).toBe('?from=mail');
    expect(api.signIns).toEqual([{ email: 'Edna@Example.com', password: MOCK_PASSWORD }]);
    const header = screen.getByRole('banner');
    expect(within(header).getByText('Edna Editor')).toBeInTheDocument();
    expect(within(header).getByText('Editor')).toBeInTheDocument();
    expect(within(header).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('goes to the list when there is no `next`', async () => {
    const api = installMockApi([buildAsset({ name: 'Lamp' })]);
    api.expireSession();
    const { user, location } = renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    expect(location().search).toBe('');
    await signIn(user, 'edna@example.com', MOCK_PASSWORD);
    expect(await screen.findByRole('article', { name: 'Lamp' })).toBeInTheDocument();
    expect(location().pathname).toBe('/');
  });

  it('says the password is wrong in an alert, keeps the email and clears only the password', async () => {
    const api = installMockApi([]);
    api.expireSession();
    const { user, location } = renderApp('/sign-in');
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await signIn(user, 'edna@example.com', 'not the password');

    expect(await screen.findByRole('alert')).toHaveTextContent('Email or password is wrong.');
    expect(emailBox()).toHaveValue('edna@example.com');
    expect(passwordBox()).toHaveValue('');
    expect(passwordBox()).toHaveFocus();
    expect(location().pathname).toBe('/sign-in');

    await user.type(passwordBox(), MOCK_PASSWORD);
    await user.click(signInButton());
    expect(await screen.findByRole('heading', { level: 1, name: 'Assets' })).toBeInTheDocument();
  });

  it('asks for what is missing before sending anything', async () => {
    const api = installMockApi([]);
    api.expireSession();
    const { user } = renderApp('/sign-in');
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await user.click(signInButton());
    expect(emailBox()).toHaveAccessibleDescription('Enter your email address.');
    expect(emailBox()).toHaveFocus();
    await user.type(emailBox(), 'edna@example.com');
    await user.click(signInButton());
    expect(passwordBox()).toHaveAccessibleDescription('Enter your password.');
    expect(api.signIns).toEqual([]);
  });

  it('says when to try again after too many attempts', async () => {
    const api = installMockApi([]);
    api.expireSession();
    api.rateLimitSignIn(300);
    const { user } = renderApp('/sign-in');
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await signIn(user, 'edna@example.com', 'guess number six');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(/Too many sign-in attempts\. Try again in 5 minutes \(at \d{2}:\d{2}( [AP]M)?\)\./);
    expect(emailBox()).toHaveValue('edna@example.com');
    expect(passwordBox()).toHaveValue('');
  });

  it.each([
    ['//evil.example/steal'],
    ['/\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['/\t/evil.example'],
  ])('refuses to go off-site after signing in: next=%s lands on the list', async (next) => {
    const api = installMockApi([buildAsset({ name: 'Lamp' })]);
    api.expireSession();
    const { user, location } = renderApp(`/sign-in?${new URLSearchParams({ next }).toString()}`);
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await signIn(user, 'edna@example.com', MOCK_PASSWORD);
    expect(await screen.findByRole('article', { name: 'Lamp' })).toBeInTheDocument();
    expect(location().pathname).toBe('/');
  });
});

describe('safeNextPath', () => {
  it.each([
    ['/assets/a1?tab=2#v3', '/assets/a1?tab=2#v3'],
    ['/', '/'],
    ['/new', '/new'],
    [null, '/'],
    ['', '/'],
    ['assets/a1', '/'],
    ['//evil.example', '/'],
    ['///evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/\\/evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['/\n/evil.example', '/'],
    ['https://evil.example', '/'],
    ['http:/evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/sign-in?next=/x', '/'],
    // Dot segments that collapse into a protocol-relative path (found in review).
    ['/..//evil.example', '/'],
    ['/%2e%2e//evil.example', '/'],
    ['/a/../..//evil.example/x', '/'],
    ['/assets/../new', '/new'],
  ])('%j → %j', (raw, expected) => {
    expect(safeNextPath(raw)).toBe(expected);
  });

  it('builds the sign-in path with next, and without it for the list', () => {
    expect(signInPath('/assets/a1?x=1')).toBe('/sign-in?next=%2Fassets%2Fa1%3Fx%3D1');
    expect(signInPath('/')).toBe('/sign-in');
  });
});

describe('a session that ends mid-visit', () => {
  it('an action answered 401 leads to sign-in, and signing in comes back to the same asset', async () => {
    const asset = buildAsset({ name: 'Stool', stage: 'For Review' });
    const api = installMockApi([asset]);
    const { user, location } = renderApp(`/assets/${asset.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Stool' });

    api.expireSession();
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(location().pathname).toBe('/sign-in');
    expect(new URLSearchParams(location().search).get('next')).toBe(`/assets/${asset.id}`);
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();

    await signIn(user, 'edna@example.com', MOCK_PASSWORD);
    expect(await screen.findByRole('heading', { level: 1, name: 'Stool' })).toBeInTheDocument();
    expect(location().pathname).toBe(`/assets/${asset.id}`);
    expect(await screen.findByRole('button', { name: 'Approve' })).toBeEnabled();
  });

  it('a poll answered 401 leads to sign-in with the list’s filters kept', async () => {
    const api = installMockApi([buildAsset({ name: 'Vase', stage: 'For Review' })]);
    const { location, queryClient } = renderApp('/?phase=for_review');
    await screen.findByRole('article', { name: 'Vase' });
    api.expireSession();
    await act(() => queryClient.refetchQueries({ queryKey: ['assets'] }));
    await waitFor(() => expect(location().pathname).toBe('/sign-in'));
    expect(new URLSearchParams(location().search).get('next')).toBe('/?phase=for_review');
  });

  it('a 401 that the session check disproves keeps the person signed in and shows where it happened', async () => {
    const api = installMockApi([]);
    const { user, location } = renderApp('/account');
    await screen.findByRole('heading', { level: 1, name: 'Account' });
    api.failRequest('POST /api/tokens', 401, 'unauthorized', 'That was refused.');
    await user.type(screen.getByRole('textbox', { name: 'Token name' }), 'CI');
    await user.type(within(screen.getByRole('region', { name: 'API tokens' })).getByLabelText('Current password'), MOCK_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('That was refused.')).toBeInTheDocument();
    expect(location().pathname).toBe('/account');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('a wrong current password (a 400) is shown next to it and nobody is signed out', async () => {
    installMockApi([]);
    const { user, location } = renderApp('/account');
    await screen.findByRole('heading', { level: 1, name: 'Account' });
    const current = within(screen.getByRole('region', { name: 'Change password' })).getByLabelText('Current password');
    await user.type(current, 'not my password');
    await user.type(screen.getByLabelText('New password'), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(current).toHaveAccessibleDescription('Current password is wrong; nothing was changed.'));
    expect(current).toHaveFocus();
    expect(location().pathname).toBe('/account');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });
});

describe('the header', () => {
  it('shows who is signed in, Account, and for admins Users', async () => {
    const api = installMockApi([]);
    api.signInAs('admin');
    const { user, location } = renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Signed in' });
    expect(within(nav).getByText('Ada Admin')).toBeInTheDocument();
    expect(within(nav).getByText('Admin')).toBeInTheDocument();
    await user.click(within(nav).getByRole('link', { name: 'Users' }));
    expect(location().pathname).toBe('/users');
    await waitFor(() => expect(within(nav).getByRole('link', { name: 'Users' })).toHaveAttribute('aria-current', 'page'));
    await user.click(within(nav).getByRole('link', { name: 'Account' }));
    expect(location().pathname).toBe('/account');
  });

  it('has no Users link for an editor', async () => {
    installMockApi([]);
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Signed in' });
    expect(within(nav).getByRole('link', { name: 'Account' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
  });

  it('signs out: the server forgets the session, the page forgets the data, and the sign-in page shows', async () => {
    const api = installMockApi([buildAsset({ name: 'Vase' })]);
    const { user, location } = renderApp('/');
    await screen.findByRole('article', { name: 'Vase' });
    const csrf = api.session?.csrf_token;
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(location().pathname).toBe('/sign-in');
    expect(api.session).toBeNull();
    expect(api.writes).toEqual([{ method: 'DELETE', path: '/api/session', csrf }]);
    expect(screen.queryByText('Edna Editor')).not.toBeInTheDocument();
    expect(screen.queryByRole('article', { name: 'Vase' })).not.toBeInTheDocument();
  });

  it('in single-user mode shows no sign-out and no account links, and sends no CSRF header', async () => {
    const asset = buildAsset({ name: 'Lamp', stage: 'Generation Failed' });
    const api = installMockApi([asset]);
    api.authOff();
    const { user } = renderApp(`/assets/${asset.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Lamp' });
    const header = screen.getByRole('banner');
    expect(within(header).getByText('Single-user mode')).toBeInTheDocument();
    expect(within(header).queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    expect(within(header).queryByRole('link', { name: 'Account' })).not.toBeInTheDocument();
    // The local user is an admin: everything is offered.
    expect(screen.getByRole('button', { name: 'Delete' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(api.writes).toEqual([{ method: 'POST', path: `/api/assets/${asset.id}/retry`, csrf: null }]));
  });

  it('says so when the session cannot be checked, and tries again on request', async () => {
    const api = installMockApi([buildAsset({ name: 'Vase' })]);
    api.setOffline(true);
    const { user } = renderApp('/');
    expect(await screen.findByRole('heading', { name: "Couldn't check who you are" })).toBeInTheDocument();
    api.setOffline(false);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('article', { name: 'Vase' })).toBeInTheDocument();
  });
});

describe('the sign-in page when already signed in', () => {
  it('offers to continue, or to sign in as someone else', async () => {
    installMockApi([]);
    const { user, location } = renderApp('/sign-in?next=/account');
    expect(await screen.findByText(/You are signed in as/)).toHaveTextContent('You are signed in as Edna Editor.');
    await signIn(user, MOCK_USERS.viewer.email, MOCK_PASSWORD);
    expect(await screen.findByRole('heading', { level: 1, name: 'Account' })).toBeInTheDocument();
    expect(location().pathname).toBe('/account');
    expect(within(screen.getByRole('banner')).getByText('Vic Viewer')).toBeInTheDocument();
  });
});
