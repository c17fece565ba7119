import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../fixtures/kontor.js';
import { startOp, type TestOp } from '../integration/sso/op.js';
import {
  type ConsoleServer,
  ensureConsoleBuilt,
  hasChromium,
  launchChromium,
  openPage,
  openScreen,
  pick,
  seen,
  signIn,
  signOut,
  startConsoleServer,
} from './console-kit.js';

/** A tag of a Mantine TagsInput: typed, then confirmed with Enter. */
async function tag(page: Page, label: string, value: string): Promise<void> {
  const input = page.getByRole('combobox', { name: label, exact: true });
  await input.fill(value);
  await input.press('Enter');
}

// Issue 21 #2: the actions the console lacked — the full SSO connection form and its editing,
// a user's SSO links, deleting a user, and changing one's own password at any time.
describe.skipIf(!hasChromium())('console actions of issue 21 #2', () => {
  let server: ConsoleServer;
  let browser: Browser;
  // Saving a connection discovers its issuer: a real one on loopback.
  let op: TestOp;

  beforeAll(async () => {
    ensureConsoleBuilt();
    op = await startOp({ path: '/entra/v2.0' });
    server = await startConsoleServer();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await op?.close();
  });

  it('sets up an Entra-style connection, edits it, links and unlinks a user, deletes a user', async () => {
    const { k } = server;
    const t = await k.aTenant(k.root, 'reseller', 'actions-msp');
    await k.aUserIn(t, ['AdministrationBasic', 'AdministrationAdvanced'], { login: 'ada', password: TEST_PASSWORD });
    const leaver = await k.aUserIn(t, ['CustomerBasic'], { login: 'leaver' });
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, 'actions-msp', 'ada', TEST_PASSWORD);

    await openScreen(page, 'Settings');
    await page.getByRole('tab', { name: 'Single sign-on' }).click();
    await page.getByRole('textbox', { name: 'Name on the sign-in button' }).fill('Contoso Entra ID');
    await page.getByRole('textbox', { name: 'Issuer' }).fill(op.issuer);
    await page.getByRole('textbox', { name: 'Client ID' }).fill('kontor');
    await tag(page, 'Scopes', 'openid');
    await tag(page, 'Scopes', 'profile');
    await tag(page, 'Signing algorithms', 'RS256');
    await tag(page, 'Subject claims', 'tid');
    await tag(page, 'Subject claims', 'oid');
    await page.getByRole('textbox', { name: 'Email claim' }).fill('preferred_username');
    await pick(page, 'Linking accounts', /Just-in-time/);
    await page.getByRole('combobox', { name: 'Roles of users created at first sign-in' }).click();
    await page.getByRole('option', { name: 'Customer (basic)' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('switch', { name: 'Offer to the tenants below (MSP sign-in)' }).check();
    await page.getByRole('button', { name: 'Add connection' }).click();
    const table = page.getByRole('table', { name: 'SSO connections' });
    await seen(table.getByText('Contoso Entra ID'));

    const stored = async () =>
      page.evaluate(async (id) => {
        const res = await fetch(`/api/v1/tenants/${id}/sso-connections`);
        return (await res.json()).items[0];
      }, t.id);
    expect(await stored()).toMatchObject({
      scopes: ['openid', 'profile'],
      idTokenAlgs: ['RS256'],
      claimMapping: { subject: ['tid', 'oid'], email: 'preferred_username' },
      linkPolicy: 'jit',
      jitRoles: ['CustomerBasic'],
      offeredToSubtree: true,
      enabled: true,
    });

    // Editing: the form comes filled in; the save carries the version it was read at.
    await page.getByRole('button', { name: 'Edit Contoso Entra ID' }).click();
    const edit = page.getByRole('form', { name: 'Edit Contoso Entra ID' });
    await seen(edit);
    expect(await edit.getByRole('textbox', { name: 'Client ID' }).inputValue()).toBe('kontor');
    await edit.getByRole('textbox', { name: 'Name on the sign-in button' }).fill('Contoso');
    await edit.getByRole('switch', { name: 'Enabled' }).uncheck();
    await edit.getByRole('button', { name: 'Save connection' }).click();
    await seen(table.getByText('disabled'));
    const after = await stored();
    expect(after).toMatchObject({ name: 'Contoso', enabled: false, claimMapping: { subject: ['tid', 'oid'] } });
    expect(after.version).toBeGreaterThan(1);

    // A user's links: link the provider account, see it, unlink it.
    await page.goto(`${server.url}/#/users/${leaver.id}`);
    await seen(page.getByRole('heading', { level: 2, name: 'Single sign-on' }));
    await seen(page.getByText('No provider account is linked to this user.'));
    await pick(page, 'Connection', 'Contoso');
    await page.getByRole('textbox', { name: 'Subject at the provider' }).fill('tenant-1:object-1');
    await page.getByRole('button', { name: 'Link account' }).click();
    const links = page.getByRole('table', { name: 'SSO links' });
    await seen(links.getByText('tenant-1:object-1'));
    await links.getByRole('button', { name: 'Unlink Contoso' }).click();
    await seen(page.getByText('No provider account is linked to this user.'));

    // Deleting: confirmed in a dialog, then back to the list.
    await page.getByRole('button', { name: 'Delete leaver', exact: true }).click();
    await page.getByRole('button', { name: 'Delete user' }).click();
    await seen(page.getByRole('heading', { level: 1, name: 'Users' }));
    expect(await k.deps.store.read((r) => r.users.findInTenant(t.id, leaver.id))).toBeUndefined();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('changes the own password from the account menu, not only when forced', async () => {
    const { k } = server;
    const t = await k.aTenant(k.root, 'reseller', 'own-password');
    await k.aUserIn(t, ['AdministrationBasic'], { login: 'otto', password: TEST_PASSWORD });
    const next = 'a brand new sentence of mine';
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, 'own-password', 'otto', TEST_PASSWORD);
    await seen(page.getByRole('heading', { level: 1 }));
    await page.getByRole('button', { name: /^Account: / }).click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change your password' });
    // A wrong current password is refused in words.
    await dialog.getByRole('textbox', { name: 'Current password' }).fill('not my password at all');
    await dialog.getByRole('textbox', { name: 'New password', exact: true }).fill(next);
    await dialog.getByRole('textbox', { name: 'Repeat new password' }).fill(next);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await seen(dialog.getByRole('alert'));
    expect(await dialog.getByRole('alert').textContent()).not.toMatch(/auth\.\w+/);
    await dialog.getByRole('textbox', { name: 'Current password' }).fill(TEST_PASSWORD);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await seen(dialog.getByText('Password changed'));
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await signOut(page);
    await signIn(page, 'own-password', 'otto', next);
    await seen(page.getByRole('button', { name: /^Account: / }));
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
