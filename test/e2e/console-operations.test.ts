import { sql } from 'kysely';
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
  seen,
  shoot,
  signIn,
  signOut,
  startConsoleServer,
} from './console-kit.js';

// Issue 19 #3: an operation-role user sees the installation's health and checks the audit chains,
// and the screen shows tenants by id only.
describe.skipIf(!hasChromium())('Operations in the console', () => {
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

  it('shows instances, database and migrations, runs the purge and verifies the audit chains', async () => {
    const { k } = server;
    const t = await k.aTenant(k.root, 'reseller', 'ops-reseller');
    const name = 'Tamper Target Ltd';
    await k.db.kysely.updateTable('tenants').set({ name }).where('id', '=', t.id).execute();
    await k.aUserIn(t, ['AdministrationAdvanced'], { login: 'tina', password: TEST_PASSWORD });
    await k.aUserIn(k.root, ['OperationAdvanced'], { login: 'oscar', password: TEST_PASSWORD });
    await k.aUserIn(k.root, ['OperationBasic'], { login: 'olga', password: TEST_PASSWORD });

    // A tenant administrator has no Operations screen.
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, 'ops-reseller', 'tina', TEST_PASSWORD);
    await seen(page.getByRole('button', { name: 'Sign out' }));
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).count()).toBe(
      0,
    );
    await signOut(page);

    // An operator lands on it.
    await signIn(page, k.root.slug, 'oscar', TEST_PASSWORD);
    await seen(page.getByRole('heading', { level: 1, name: 'Operations' }));
    const instances = page.getByRole('table', { name: 'Instances' });
    await seen(instances.getByText('this one'));
    await seen(instances.getByText('live'));
    const database = page.getByRole('table', { name: 'Database' });
    await seen(database.getByText(process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)'));
    await seen(page.getByRole('table', { name: 'Migrations' }).getByText('current'));
    await seen(page.getByRole('table', { name: 'Keys and secrets' }).getByText('Sealing key'));

    await page.getByRole('button', { name: 'Run purge' }).click();
    await seen(page.getByText('Purge done'));
    await seen(page.getByText(/Last run \d+ s ago/));

    await page.getByRole('button', { name: 'Verify audit chains' }).click();
    await seen(page.getByRole('status').getByText(/^All \d+ chains intact$/));

    // Someone with DBA rights edits an event of the tenant's chain, trigger off.
    const db = k.db.kysely;
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(db);
    try {
      await sql`UPDATE audit_events SET action = 'user.tampered' WHERE tenant_id = ${t.id} AND seq = 1`.execute(db);
    } finally {
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(db);
    }
    await page.getByRole('button', { name: 'Verify audit chains' }).click();
    await seen(page.getByRole('status').getByText(/^1 of \d+ chains broken$/));
    const broken = page.getByRole('table', { name: 'Broken chains' });
    await seen(broken.getByText(t.id));
    // The OpenID Provider's signing keys, rotated from the screen (issue 19 #4).
    await page.getByRole('button', { name: 'Rotate signing keys' }).click();
    await seen(page.getByText('Keys rotated'));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, 'operations');
    const text = (await page.locator('main').textContent()) ?? '';
    for (const s of [name, t.slug, 'tina']) expect(text).not.toContain(s);
    await signOut(page);

    // OperationBasic reads the status but runs no task.
    await signIn(page, k.root.slug, 'olga', TEST_PASSWORD);
    await seen(page.getByRole('heading', { level: 1, name: 'Operations' }));
    await seen(page.getByRole('table', { name: 'Instances' }).getByText('this one'));
    expect(await page.getByRole('button', { name: 'Run purge' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Verify audit chains' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Rotate signing keys' }).count()).toBe(0);
    await openScreen(page, 'Operations');
    expect(errors).toEqual([]);
  }, 120_000);
});
