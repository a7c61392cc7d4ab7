// The account page: who you are, changing the password, and API tokens (the secret shown once, revoking behind a
// confirmation).
import { screen, waitFor, within } from '@testing-library/react';
import { MOCK_PASSWORD, MOCK_USERS } from './mock-api';
import { installMockApi, renderApp } from './render-app';

async function openAccount() {
  const api = installMockApi([]);
  const view = renderApp('/account');
  await screen.findByRole('heading', { level: 1, name: 'Account' });
  return { api, ...view };
}

const tokensRegion = () => screen.getByRole('region', { name: 'API tokens' });
const passwordRegion = () => within(screen.getByRole('region', { name: 'Change password' }));
/** The change-password form's field; the token form has a "Current password" field of its own. */
const currentPassword = () => passwordRegion().getByLabelText('Current password');
const tokenPassword = () => within(tokensRegion()).getByLabelText('Current password');

/** Creates a token through the form, as the signed-in editor. */
async function createToken(user: ReturnType<typeof renderApp>['user'], name: string) {
  await user.type(screen.getByRole('textbox', { name: 'Token name' }), name);
  await user.type(tokenPassword(), MOCK_PASSWORD);
  await user.click(screen.getByRole('button', { name: 'Create token' }));
}

describe('the account page', () => {
  it('says who you are and what your role allows', async () => {
    await openAccount();
    const main = within(screen.getByRole('main'));
    expect(main.getByText('Edna Editor')).toBeInTheDocument();
    expect(main.getByText('edna@example.com')).toBeInTheDocument();
    expect(main.getByText(/Also create assets, approve steps/)).toBeInTheDocument();
    expect(document.title).toBe('Account · Asset Forge');
  });
});

describe('changing the password', () => {
  it('changes it, clears the fields and says so; the API tokens are revoked too, by default', async () => {
    const { api, user } = await openAccount();
    await createToken(user, 'Old script');
    await user.click(await screen.findByRole('button', { name: 'I have copied it' }));
    await within(tokensRegion()).findByRole('row', { name: /Old script/ });

    expect(passwordRegion().getByRole('checkbox', { name: 'Also revoke all my API tokens' })).toBeChecked();
    await user.type(currentPassword(), MOCK_PASSWORD);
    await user.type(screen.getByLabelText('New password'), 'a much longer passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await within(screen.getByRole('main')).findByText('Your password was changed and your API tokens were revoked.')).toBeInTheDocument();
    expect(currentPassword()).toHaveValue('');
    expect(screen.getByLabelText('New password')).toHaveValue('');
    expect(api.passwordOf(MOCK_USERS.editor.id)).toBe('a much longer passphrase');
    expect(api.writes.at(-1)).toEqual({ method: 'POST', path: '/api/session/password', csrf: api.session?.csrf_token });
    expect(api.tokens()).toEqual([]);
    expect(await within(tokensRegion()).findByText('You have no API tokens.')).toBeInTheDocument();
  });

  it('keeps the API tokens when the box is unticked', async () => {
    const { api, user } = await openAccount();
    await createToken(user, 'Nightly export');
    await user.click(await screen.findByRole('button', { name: 'I have copied it' }));
    await user.click(passwordRegion().getByRole('checkbox', { name: 'Also revoke all my API tokens' }));
    await user.type(currentPassword(), MOCK_PASSWORD);
    await user.type(screen.getByLabelText('New password'), 'a much longer passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await within(screen.getByRole('main')).findByText('Your password was changed.')).toBeInTheDocument();
    expect(api.tokens()).toHaveLength(1);
    expect(within(tokensRegion()).getByRole('row', { name: /Nightly export/ })).toBeInTheDocument();
  });

  it('checks the new password’s length before sending it', async () => {
    const { api, user } = await openAccount();
    await user.type(currentPassword(), MOCK_PASSWORD);
    await user.type(screen.getByLabelText('New password'), 'elevenchars');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(expect.stringContaining('Password must be at least 12 characters'));
    expect(screen.getByLabelText('New password')).toHaveFocus();
    expect(api.writes).toEqual([]);
  });

  it('refuses your email or name as the new password before sending it', async () => {
    const { api, user } = await openAccount();
    await user.type(currentPassword(), MOCK_PASSWORD);
    await user.type(screen.getByLabelText('New password'), 'Edna@Example.com');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(
      expect.stringContaining('Password must not be the account’s email address.'),
    );
    await user.clear(screen.getByLabelText('New password'));
    await user.type(screen.getByLabelText('New password'), 'my name is edna, hi');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(
      expect.stringContaining('Password must not contain the part of the email address before the @.'),
    );
    expect(api.writes).toEqual([]);
  });

  it('shows the server’s refusal of the new password next to it, and keeps both fields', async () => {
    const { api, user } = await openAccount();
    api.failRequest('POST /api/session/password', 400, 'bad_request', 'That password is on the list of leaked passwords.');
    await user.type(currentPassword(), MOCK_PASSWORD);
    await user.type(screen.getByLabelText('New password'), 'password1234');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() =>
      expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(expect.stringContaining('That password is on the list of leaked passwords.')),
    );
    expect(currentPassword()).toHaveValue(MOCK_PASSWORD);
  });
});

describe('API tokens', () => {
  it('creates a token and shows its secret once, with Copy, a warning and how to use it', async () => {
    const { api, user } = await openAccount();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    expect(await within(tokensRegion()).findByText('You have no API tokens.')).toBeInTheDocument();

    await createToken(user, 'Nightly export');

    const secretBox = await screen.findByRole('textbox', { name: 'Token secret' });
    const secret = api.tokens().length === 1 ? (secretBox as HTMLInputElement).value : '';
    expect(secret).toMatch(/^aft_/);
    expect(secretBox).toHaveAttribute('readonly');
    expect(secretBox).toHaveFocus();
    expect(screen.getByText(/this is the only time it is shown/)).toBeInTheDocument();
    expect(screen.getByText('Authorization: Bearer <token>')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(secret);
    expect(await screen.findByText('Copied to the clipboard.')).toBeInTheDocument();

    // Listed by name and hint, never by secret.
    const row = await within(tokensRegion()).findByRole('row', { name: /Nightly export/ });
    expect(row).toHaveTextContent(api.tokens()[0]?.hint ?? '?');
    expect(row).toHaveTextContent('Never');

    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByRole('textbox', { name: 'Token secret' })).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(secret);
    expect(screen.getByRole('textbox', { name: 'Token name' })).toHaveValue('');
    expect(tokenPassword()).toHaveValue('');
  });

  it('does not show the secret again after leaving the page', async () => {
    const { user } = await openAccount();
    await createToken(user, 'CI');
    const secret = ((await screen.findByRole('textbox', { name: 'Token secret' })) as HTMLInputElement).value;
    await user.click(screen.getByRole('link', { name: 'Asset Forge' }));
    await screen.findByRole('heading', { level: 1, name: 'Assets' });
    await user.click(screen.getByRole('link', { name: 'Account' }));
    expect(await within(await screen.findByRole('region', { name: 'API tokens' })).findByRole('row', { name: /CI/ })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Token secret' })).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(secret);
  });

  it('asks for a name and the current password before creating', async () => {
    const { api, user } = await openAccount();
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(screen.getByRole('textbox', { name: 'Token name' })).toHaveAccessibleDescription(expect.stringContaining('Token name is required'));
    expect(tokenPassword()).toHaveAccessibleDescription(expect.stringContaining('Enter your current password to create a token'));
    expect(screen.getByRole('textbox', { name: 'Token name' })).toHaveFocus();
    await user.type(screen.getByRole('textbox', { name: 'Token name' }), 'CI');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(tokenPassword()).toHaveFocus();
    expect(api.writes).toEqual([]);
  });

  it('creates nothing with a wrong password, says so next to the field and clears it', async () => {
    const { api, user } = await openAccount();
    await user.type(screen.getByRole('textbox', { name: 'Token name' }), 'CI');
    await user.type(tokenPassword(), 'not my password');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(tokenPassword()).toHaveAccessibleDescription(expect.stringContaining('Current password is wrong; no token was created.')));
    expect(tokenPassword()).toHaveValue('');
    expect(tokenPassword()).toHaveFocus();
    expect(screen.getByRole('textbox', { name: 'Token name' })).toHaveValue('CI');
    expect(api.tokens()).toEqual([]);
    expect(screen.queryByRole('textbox', { name: 'Token secret' })).not.toBeInTheDocument();
  });

  it('revokes a token after confirming; Cancel keeps it', async () => {
    const { api, user } = await openAccount();
    await createToken(user, 'Old script');
    await user.click(await screen.findByRole('button', { name: 'I have copied it' }));

    await user.click(await screen.findByRole('button', { name: 'Revoke Old script' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “Old script”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.tokens()).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Revoke Old script' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    expect(await within(tokensRegion()).findByText('You have no API tokens.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.tokens()).toEqual([]);
    expect(api.writes.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/tokens/t1' });
    // The row that had the focus is gone: the focus is on the section, not lost to the page.
    await waitFor(() => expect(screen.getByRole('heading', { name: 'API tokens' })).toHaveFocus());
  });

  it('keeps the dialog open with the server’s message when revoking fails', async () => {
    const { api, user } = await openAccount();
    await createToken(user, 'Old script');
    await user.click(await screen.findByRole('button', { name: 'I have copied it' }));
    api.failRequest('DELETE /api/tokens/t1', 404, 'not_found', 'No token with that id.');
    await user.click(await screen.findByRole('button', { name: 'Revoke Old script' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    expect(await within(screen.getByRole('dialog')).findByText('No token with that id.')).toBeInTheDocument();
  });
});
