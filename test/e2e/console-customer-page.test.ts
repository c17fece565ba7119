import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../fixtures/kontor.js';
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
  startConsoleServer,
} from './console-kit.js';

// Issue 21 #1: a customer row opens a page with its primary user, the tree below it, and the
// supplier's actions on it.
describe.skipIf(!hasChromium())('the customer page', () => {
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startConsoleServer();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const tenant = (id: string) => server.k.deps.store.read((r) => r.tenants.findById(id));

  it('creates the primary user, locks and resets it, shows the tree, suspends, moves and deletes', async () => {
    const { k } = server;
    const acme = await k.aTenant(k.root, 'reseller', 'acme');
    const shop = await k.aTenant(acme, 'reseller', 'acme-shop');
    const line = await k.aTenant(shop, 'consumer', 'acme-shop-line');
    const beta = await k.aTenant(k.root, 'consumer', 'beta');
    const gamma = await k.aTenant(k.root, 'consumer', 'gamma');
    await k.aUserIn(k.root, ['AdministrationBasic', 'SalesAdvanced'], { login: 'sam', password: TEST_PASSWORD });
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, k.root.slug, 'sam', TEST_PASSWORD);
    await openScreen(page, 'Customers');

    await page.getByRole('link', { name: acme.name, exact: true }).click();
    await seen(page.getByRole('heading', { level: 1, name: acme.name }));

    // The tree below it, with counts, opened a level at a time.
    await seen(page.getByText('1 direct, 2 in all'));
    const tree = page.getByRole('navigation', { name: `Customers of ${acme.name}` });
    await seen(tree.getByText(shop.name, { exact: true }));
    expect(await tree.getByText(line.name).count()).toBe(0);
    await tree.getByRole('button', { name: `Show the 1 customer of ${shop.name}` }).click();
    await seen(tree.getByText(line.name));

    // No primary user yet: create one with its roles, here on the page.
    await seen(page.getByText(`${acme.name} has no primary user yet`));
    await page.getByRole('textbox', { name: 'Login name' }).fill('acme-boss');
    await page.getByRole('button', { name: 'Create primary user' }).click();
    await seen(page.getByRole('link', { name: 'acme-boss' }));
    const primary = await k.deps.store.read((r) => r.users.findPrimary(acme.id));
    expect(primary?.loginName).toBe('acme-boss');
    expect(await k.deps.store.read((r) => r.roles.userRoles(acme.id, primary?.id ?? ''))).toEqual([
      'AdministrationBasic',
    ]);

    // Lock, unlock, and a one-time link (no email address: the console shows it).
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await seen(page.getByRole('button', { name: 'Unlock', exact: true }));
    expect((await k.deps.store.read((r) => r.users.findPrimary(acme.id)))?.state).toBe('locked');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await seen(page.getByRole('button', { name: 'Lock', exact: true }));
    await page.getByRole('button', { name: 'Password reset link' }).click();
    await seen(page.getByText('One-time password link'));

    // The rank rule is the server's: a role sam does not hold makes the primary out of reach.
    await page.getByRole('checkbox', { name: /Administration \(advanced\)/ }).check();
    await page.getByRole('button', { name: /Save roles/ }).click();
    const refusal = page.getByRole('alert', { name: /You cannot grant or take away/ });
    await seen(refusal);
    expect(await refusal.textContent()).not.toMatch(/grant\.\w+/);

    // Suspend and resume; the activity shows both.
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await seen(page.getByRole('button', { name: 'Resume', exact: true }));
    expect((await tenant(acme.id))?.status).toBe('suspended');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await seen(page.getByRole('button', { name: 'Suspend', exact: true }));
    const activity = page.getByRole('table', { name: 'Activity about this customer' });
    await seen(activity.getByText('tenant.suspended'));
    await seen(activity.getByText('tenant.resumed'));

    // Not empty: delete is refused in the dialog with the reason.
    await page.getByRole('button', { name: `Delete ${acme.name}`, exact: true }).click();
    await seen(page.getByText('still has 2 customers below it'));
    expect(await page.getByRole('button', { name: 'Delete customer' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Move beta below acme: it is acme's customer now, and the list says so.
    await page.getByRole('link', { name: '← All customers' }).click();
    await page.getByRole('link', { name: beta.name, exact: true }).click();
    await seen(page.getByRole('heading', { level: 1, name: beta.name }));
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await pick(page, 'New supplier', acme.name);
    await page.getByRole('button', { name: 'Move customer' }).click();
    await seen(page.getByRole('heading', { level: 1, name: 'Customers' }));
    expect((await tenant(beta.id))?.parentId).toBe(acme.id);
    await seen(page.getByRole('row', { name: new RegExp(`${beta.name}.*customer of ${acme.name}`) }));

    // Empty: gamma goes, and with it its row.
    await page.getByRole('link', { name: gamma.name, exact: true }).click();
    await seen(page.getByRole('heading', { level: 1, name: gamma.name }));
    await page.getByRole('button', { name: `Delete ${gamma.name}`, exact: true }).click();
    await page.getByRole('button', { name: 'Delete customer' }).click();
    await seen(page.getByRole('heading', { level: 1, name: 'Customers' }));
    expect(await tenant(gamma.id)).toBeUndefined();
    expect(await page.getByRole('link', { name: gamma.name, exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
