// The users page (admins): the table, adding someone, changing a role in place, resetting a password, deleting
// behind a confirmation, and the server's refusals next to what caused them.
import { screen, waitFor, within } from '@testing-library/react';
import { MOCK_USERS } from './mock-api';
import { installMockApi, renderApp } from './render-app';

async function openUsers() {
  const api = installMockApi([]);
  api.signInAs('admin');
  const view = renderApp('/users');
  await screen.findByRole('heading', { level: 1, name: 'Users' });
  await screen.findByRole('table', { name: 'Users' });
  return { api, ...view };
}

const rowOf = (name: string) => screen.getByRole('row', { name: new RegExp(`^${name}`) });

describe('the users page', () => {
  it('lists everyone with name, email, role and when they were added', async () => {
    await openUsers();
    const rows = within(screen.getByRole('table', { name: 'Users' })).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(within(rows[0] as HTMLElement).getAllByRole('columnheader').map((c) => c.textContent)).toEqual(['Name', 'Email', 'Role', 'Created', 'Actions']);
    const ada = rowOf('Ada Admin');
    expect(ada).toHaveTextContent('(you)');
    expect(ada).toHaveTextContent('ada@example.com');
    expect(within(ada).getByRole('combobox', { name: 'Role for Ada Admin' })).toHaveValue('admin');
    expect(ada).toHaveTextContent(/ago|on /);
    expect(document.title).toBe('Users · Asset Forge');
  });

  it('adds a user', async () => {
    const { api, user } = await openUsers();
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'Nia@Example.com');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Nia New');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role' }), 'Editor');
    await user.type(screen.getByLabelText('Initial password'), 'a first passphrase');
    await user.click(screen.getByRole('button', { name: 'Add user' }));

    expect(await within(screen.getByRole('main')).findByText('Added Nia New as editor.')).toBeInTheDocument();
    const row = await screen.findByRole('row', { name: /^Nia New/ });
    expect(row).toHaveTextContent('nia@example.com');
    expect(within(row).getByRole('combobox', { name: 'Role for Nia New' })).toHaveValue('editor');
    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveValue('');
    expect(api.users().find((u) => u.name === 'Nia New')?.role).toBe('editor');
    expect(api.writes.at(-1)).toEqual({ method: 'POST', path: '/api/users', csrf: api.session?.csrf_token });
  });

  it('checks the fields before sending, each message next to its field', async () => {
    const { api, user } = await openUsers();
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'not-an-email');
    await user.type(screen.getByLabelText('Initial password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveAccessibleDescription(expect.stringContaining('Enter an email address'));
    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveFocus();
    expect(screen.getByRole('textbox', { name: 'Name' })).toHaveAccessibleDescription(expect.stringContaining('Name is required'));
    expect(screen.getByLabelText('Initial password')).toHaveAccessibleDescription(expect.stringContaining('at least 12 characters'));
    expect(api.writes).toEqual([]);
  });

  it('refuses their email or name as the password before sending it, next to the password', async () => {
    const { api, user } = await openUsers();
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'nn@example.com');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Nia New Person');
    await user.type(screen.getByLabelText('Initial password'), 'nia new person');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(screen.getByLabelText('Initial password')).toHaveAccessibleDescription(expect.stringContaining('Password must not be the account’s name.'));
    expect(screen.getByLabelText('Initial password')).toHaveFocus();
    expect(screen.getByRole('textbox', { name: 'Email' })).not.toHaveAccessibleDescription(expect.stringContaining('must not'));
    expect(api.writes).toEqual([]);
  });

  it('shows the server’s refusal of the password next to the password, even when it names the email', async () => {
    const { api, user } = await openUsers();
    api.failRequest('POST /api/users', 400, 'bad_request', 'Invalid body: password: Password must not be the account’s email address.');
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'nia@example.com');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Nia New');
    await user.type(screen.getByLabelText('Initial password'), 'password1234');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Initial password')).toHaveAccessibleDescription(expect.stringContaining('must not be the account’s email address')),
    );
    expect(screen.getByLabelText('Initial password')).toHaveFocus();
    expect(screen.getByRole('textbox', { name: 'Email' })).not.toHaveAttribute('aria-invalid');
  });

  it('shows a taken email next to the email field and keeps everything typed', async () => {
    const { user } = await openUsers();
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'edna@example.com');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Edna Again');
    await user.type(screen.getByLabelText('Initial password'), 'a first passphrase');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: 'Email' })).toHaveAccessibleDescription('A user with the email edna@example.com already exists.'),
    );
    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveFocus();
    expect(screen.getByRole('textbox', { name: 'Name' })).toHaveValue('Edna Again');
    expect(screen.getByLabelText('Initial password')).toHaveValue('a first passphrase');
  });

  it('changes a role in place', async () => {
    const { api, user } = await openUsers();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role for Vic Viewer' }), 'Editor');
    expect(await within(screen.getByRole('table')).findByText('Vic Viewer is now editor.')).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Role for Vic Viewer' })).toHaveValue('editor');
    expect(api.users().find((u) => u.id === MOCK_USERS.viewer.id)?.role).toBe('editor');
    expect(api.writes.at(-1)).toMatchObject({ method: 'PATCH', path: `/api/users/${MOCK_USERS.viewer.id}` });
  });

  it('puts the role back and says why when the server refuses the change', async () => {
    const { user } = await openUsers();
    const select = screen.getByRole('combobox', { name: 'Role for Ada Admin' });
    await user.selectOptions(select, 'Viewer');
    await waitFor(() => expect(select).toHaveAccessibleDescription('ada@example.com is the only admin; make someone else an admin first.'));
    expect(select).toHaveValue('admin');
  });

  it('resets a password', async () => {
    const { api, user } = await openUsers();
    const reset = within(rowOf('Edna Editor')).getByRole('button', { name: 'Reset password for Edna Editor' });
    await user.click(reset);
    expect(reset).toHaveAttribute('aria-expanded', 'true');
    const field = screen.getByLabelText('New password for Edna Editor');
    expect(field).toHaveFocus();
    await user.type(field, 'short');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(field).toHaveAccessibleDescription(expect.stringContaining('at least 12 characters'));
    await user.clear(field);
    await user.type(field, 'Edna@example.com');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(field).toHaveAccessibleDescription(expect.stringContaining('Password must not be the account’s email address.'));

    await user.clear(field);
    await user.type(field, 'a fresh passphrase');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(
      await within(screen.getByRole('table')).findByText(/Password reset for Edna Editor: they were signed out everywhere and their API tokens were revoked/),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('New password for Edna Editor')).not.toBeInTheDocument();
    expect(reset).toHaveFocus();
    expect(api.passwordOf(MOCK_USERS.editor.id)).toBe('a fresh passphrase');
  });

  it('deletes a user after confirming', async () => {
    const { api, user } = await openUsers();
    await user.click(within(rowOf('Vic Viewer')).getByRole('button', { name: 'Delete Vic Viewer' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete “Vic Viewer”?' });
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Delete user' }));
    await waitFor(() => expect(screen.queryByRole('row', { name: /^Vic Viewer/ })).not.toBeInTheDocument());
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.users().map((u) => u.id)).not.toContain(MOCK_USERS.viewer.id);
    await waitFor(() => expect(screen.getByRole('heading', { name: /People who can sign in/ })).toHaveFocus());
  });

  it('keeps the dialog open with the reason when the server refuses (deleting yourself)', async () => {
    const { api, user } = await openUsers();
    await user.click(within(rowOf('Ada Admin')).getByRole('button', { name: 'Delete Ada Admin' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete user' }));
    expect(await within(screen.getByRole('dialog')).findByText('You cannot delete your own account.')).toBeInTheDocument();
    expect(api.users()).toHaveLength(3);
  });

  it('follows the admin’s own role change: no longer admin, no longer managing users', async () => {
    const { api, user } = await openUsers();
    // Someone else is admin too, so Ada may step down.
    api.setRole(MOCK_USERS.editor.id, 'admin');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role for Ada Admin' }), 'Editor');
    expect(await screen.findByText(/Managing users needs the admin role/)).toBeInTheDocument();
    expect(within(screen.getByRole('banner')).queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
  });
});
