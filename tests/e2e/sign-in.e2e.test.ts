// Sign-in in a real browser against the real server with sign-in on (its default): the redirect to /sign-in and
// back, a wrong password, the admin adding people and a token, what a viewer is offered, CSRF on the page's own
// writes, a session ended in another tab, `next` never leaving the site, and the rate limit; axe and a phone's
// width on every new page.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations, freePort, horizontalOverflow, launchChromium, objectPng, seriousAxeViolations, serverProcess, tempDirs } from './support/harness';

const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'first keeper passphrase';
/** The people the admin adds; a password must not contain the part of the email before the @. */
const PASSWORDS = { edna: 'copper lantern meadow', vic: 'silver harbour ridge' } as const;
const backend = serverProcess({ AUTH: 'on', ADMIN_EMAIL, ADMIN_PASSWORD, SEED: '0', ASSET_STEP_MS: '400', ASSET_COUNTDOWN_MS: '3000' });
const temp = tempDirs();

let baseUrl = '';
let context: BrowserContext | undefined;

async function newPage(width = 1440, height = 900, ctx = context): Promise<Page> {
  if (!ctx) throw new Error('The browser did not start.');
  const page = await ctx.newPage();
  await page.setViewportSize({ width, height });
  return page;
}

/** A browser profile of its own: its own cookies, so its own session. */
async function freshContext(): Promise<BrowserContext> {
  return launchChromium(temp.make('af-e2e-signin-profile-'));
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor({ timeout: 15_000 });
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function checkPage(page: Page, width: number): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  if (width <= 375) expect(await horizontalOverflow(page)).toBe(0);
}

/** An admin API token made through the Account page (the secret read from its one showing). */
let adminToken = '';

beforeAll(async () => {
  const url = backend.start(await freePort(), temp.make('af-e2e-signin-data-'));
  context = await launchChromium(temp.make('af-e2e-signin-chromium-'));
  baseUrl = await url;
}, 180_000);

afterAll(async () => {
  await context?.close();
  await backend.stop();
  temp.cleanup();
}, 30_000);

describe('sign-in in Chromium', () => {
  it('sends a visitor to /sign-in and back to the page asked for; a wrong password keeps the email', async () => {
    const page = await newPage(375, 800);
    await page.goto(`${baseUrl}/new`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/new');
    await checkPage(page, 375);

    await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN_EMAIL);
    await page.getByRole('textbox', { name: 'Password' }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Email or password is wrong.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Email' }).inputValue()).toBe(ADMIN_EMAIL);
    expect(await page.getByRole('textbox', { name: 'Password' }).inputValue()).toBe('');
    await checkPage(page, 375);

    await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'New asset' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/new');
    const header = page.getByRole('banner');
    expect(await header.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await header.getByRole('link', { name: 'Users' }).isVisible()).toBe(true);
    expect(await header.getByRole('link', { name: 'Account' }).isVisible()).toBe(true);
    // The header fits a phone with every link of an admin in it.
    await checkPage(page, 375);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it('creates an asset from the form (a cookie write with the CSRF header), and refuses a write without it', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/new`);
    await page.getByRole('textbox', { name: 'Name' }).fill('Signed-in sphere');
    await page.getByLabel('Images').setInputFiles({ name: 'sphere.png', mimeType: 'image/png', buffer: await objectPng() });
    await page.getByRole('button', { name: 'Create asset' }).click();
    await page.getByRole('article', { name: 'Signed-in sphere' }).waitFor({ timeout: 15_000 });

    // The same cookie without the header: the server says why.
    const refused = await page.evaluate(async () => {
      const response = await fetch('/api/assets/none/retry', { method: 'POST' });
      return { status: response.status, body: (await response.json()) as { error: { message: string } } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/x-csrf-token/);
    await page.close();
  }, 60_000);

  it('the admin creates an API token (secret shown once) and adds an editor and a viewer', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/account`);
    await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
    await page.getByRole('textbox', { name: 'Token name' }).fill('E2E script');
    await page.getByRole('region', { name: 'API tokens' }).getByRole('textbox', { name: 'Current password' }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretBox = page.getByRole('textbox', { name: 'Token secret' });
    await secretBox.waitFor();
    adminToken = await secretBox.inputValue();
    expect(adminToken).toMatch(/^aft_/);
    await checkPage(page, 1440);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    // The secret is gone from the page once acknowledged (the click re-renders asynchronously).
    await secretBox.waitFor({ state: 'detached', timeout: 5_000 });
    await page.getByRole('row', { name: /E2E script/ }).waitFor();

    const listed = await fetch(`${baseUrl}/api/assets`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(listed.status).toBe(200);

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('table', { name: 'Users' }).waitFor();
    for (const [email, name, role, password] of [
      ['edna@example.com', 'Edna Editor', 'Editor', PASSWORDS.edna],
      ['vic@example.com', 'Vic Viewer', 'Viewer', PASSWORDS.vic],
    ] as const) {
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByRole('textbox', { name: 'Name' }).fill(name);
      await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: role });
      await page.getByRole('textbox', { name: 'Initial password' }).fill(password);
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('row', { name: new RegExp(`^${name}`) }).waitFor();
    }
    // An email in use is refused next to the field.
    await page.getByRole('textbox', { name: 'Email' }).fill('vic@example.com');
    await page.getByRole('textbox', { name: 'Name' }).fill('Vic Again');
    await page.getByRole('textbox', { name: 'Initial password' }).fill('another passphrase');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('A user with the email vic@example.com already exists.').waitFor();
    await checkPage(page, 1440);
    await page.setViewportSize({ width: 375, height: 800 });
    await checkPage(page, 375);
    await page.close();
  }, 90_000);

  it('a viewer sees no actions, only the view-only note; the users page says it needs the admin role', async () => {
    // An asset in every stage a viewer might open, made with the admin's token.
    const form = new FormData();
    form.append('name', 'Viewer check');
    form.append('images', new Blob([new Uint8Array(await objectPng())], { type: 'image/png' }), 'object.png');
    const created = await fetch(`${baseUrl}/api/assets`, { method: 'POST', body: form, headers: { authorization: `Bearer ${adminToken}` } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const viewer = await freshContext();
    try {
      const page = await newPage(375, 800, viewer);
      await page.goto(`${baseUrl}/`);
      await signIn(page, 'vic@example.com', PASSWORDS.vic);
      await page.getByRole('article', { name: 'Viewer check' }).waitFor({ timeout: 15_000 });
      expect(await page.getByRole('link', { name: 'New asset' }).count()).toBe(0);
      expect(await page.getByText(/View only — ask an admin for the editor role/).isVisible()).toBe(true);
      await checkPage(page, 375);

      await page.goto(`${baseUrl}/assets/${id}`);
      await page.getByRole('heading', { level: 1, name: 'Viewer check' }).waitFor();
      await page.getByText(/View only — ask an admin for the editor role to review assets/).waitFor({ timeout: 20_000 });
      for (const name of ['Approve', 'Request revisions', 'Upload new version', 'Retry', 'Delete']) {
        expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
      }
      await checkPage(page, 375);

      await page.goto(`${baseUrl}/users`);
      await page.getByText(/Managing users needs the admin role/).waitFor();
      await checkPage(page, 375);
    } finally {
      await viewer.close();
    }
  }, 90_000);

  it('signing out in another tab sends this one to sign in at its next request, and back afterwards', async () => {
    const editor = await freshContext();
    try {
      const page = await newPage(1440, 900, editor);
      await page.goto(`${baseUrl}/`);
      await signIn(page, 'edna@example.com', PASSWORDS.edna);
      await page.getByRole('heading', { level: 1, name: 'Assets' }).waitFor();
      await page.getByRole('article', { name: 'Signed-in sphere' }).click();
      await page.getByRole('heading', { level: 1, name: 'Signed-in sphere' }).waitFor();
      const assetPath = new URL(page.url()).pathname;

      const other = await newPage(1440, 900, editor);
      await other.goto(`${baseUrl}/account`);
      await other.getByRole('button', { name: 'Sign out' }).click();
      await other.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();

      // The first tab finds out at its next request (coming back to the tab rechecks at once).
      await page.bringToFront();
      await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor({ timeout: 10_000 });
      expect(new URL(page.url()).searchParams.get('next')).toBe(assetPath);
      await signIn(page, 'edna@example.com', PASSWORDS.edna);
      await page.getByRole('heading', { level: 1, name: 'Signed-in sphere' }).waitFor();
      expect(new URL(page.url()).pathname).toBe(assetPath);
    } finally {
      await editor.close();
    }
  }, 90_000);

  it('never follows `next` off the site', async () => {
    const visitor = await freshContext();
    try {
      const page = await newPage(1440, 900, visitor);
      await page.goto(`${baseUrl}/sign-in?next=${encodeURIComponent('//example.com/steal')}`);
      await signIn(page, 'edna@example.com', PASSWORDS.edna);
      await page.getByRole('heading', { level: 1, name: 'Assets' }).waitFor();
      expect(new URL(page.url()).origin).toBe(new URL(baseUrl).origin);
      expect(new URL(page.url()).pathname).toBe('/');
    } finally {
      await visitor.close();
    }
  }, 60_000);

  it('says when to try again after too many failed sign-ins', async () => {
    const visitor = await freshContext();
    try {
      const page = await newPage(375, 800, visitor);
      await page.goto(`${baseUrl}/sign-in`);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await page.getByRole('textbox', { name: 'Email' }).fill('nobody@example.com');
      // 5 wrong passwords go through; then the wait starts at 1 s and doubles with each further failure.
      for (let i = 0; i < 8; i++) {
        await page.getByRole('textbox', { name: 'Password' }).fill(`guess number ${i}`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').locator('p').waitFor();
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        if (/Too many/.test((await page.getByRole('alert').textContent()) ?? '')) break;
      }
      expect(await page.getByRole('alert').textContent()).toMatch(/Too many sign-in attempts\. Try again in \d+ seconds? \(at /);
      expect(await page.getByRole('textbox', { name: 'Email' }).inputValue()).toBe('nobody@example.com');
      await checkPage(page, 375);
    } finally {
      await visitor.close();
    }
  }, 60_000);
});
