// axe-core on the sign-in, account and users pages and the role-gated views, in the states a person meets them in
// (errors shown, a secret on screen, a form open). Colour contrast needs a real layout: the e2e tests check it.
import { screen, within } from '@testing-library/react';
import axe from 'axe-core';
import { buildAsset } from './factories';
import { MOCK_PASSWORD } from './mock-api';
import { installMockApi, renderApp } from './render-app';

async function violations(): Promise<string[]> {
  const result = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } }, resultTypes: ['violations'] });
  return result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility', () => {
  it('the sign-in page, also with a refusal showing', async () => {
    const api = installMockApi([]);
    api.expireSession();
    const { user } = renderApp('/sign-in?next=/account');
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    expect(await violations()).toEqual([]);
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'edna@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('Email or password is wrong.');
    expect(await violations()).toEqual([]);
  });

  it('the account page, with a new token’s secret and a revoke dialog', async () => {
    installMockApi([]);
    const { user } = renderApp('/account');
    await screen.findByRole('heading', { level: 1, name: 'Account' });
    await user.type(screen.getByRole('textbox', { name: 'Token name' }), 'CI');
    await user.type(within(screen.getByRole('region', { name: 'API tokens' })).getByLabelText('Current password'), MOCK_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByRole('textbox', { name: 'Token secret' });
    await within(screen.getByRole('region', { name: 'API tokens' })).findByRole('row', { name: /CI/ });
    expect(await violations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Revoke CI' }));
    expect(await violations()).toEqual([]);
  });

  it('the users page, with a password reset open and a refusal showing', async () => {
    const api = installMockApi([]);
    api.signInAs('admin');
    const { user } = renderApp('/users');
    await screen.findByRole('table', { name: 'Users' });
    await user.click(screen.getByRole('button', { name: 'Reset password for Vic Viewer' }));
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role for Ada Admin' }), 'Viewer');
    await screen.findByText(/is the only admin/);
    expect(await violations()).toEqual([]);
  });

  it('a viewer’s list and asset page', async () => {
    const asset = buildAsset({ name: 'Vase', stage: 'For Review' });
    const api = installMockApi([asset]);
    api.signInAs('viewer');
    const { user } = renderApp('/');
    await screen.findByRole('article', { name: 'Vase' });
    expect(await violations()).toEqual([]);
    await user.click(screen.getByRole('link', { name: 'Vase' }));
    await screen.findByText(/View only/);
    expect(await violations()).toEqual([]);
  });
});
