import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../fixtures/kontor.js';
import { type Receiver, receiver } from '../integration/webhooks/webhook-kit.js';
import {
  type ConsoleServer,
  ensureConsoleBuilt,
  hasChromium,
  launchChromium,
  openPage,
  openScreen,
  seen,
  signIn,
  startConsoleServer,
} from './console-kit.js';

// Issue 17: a tenant administrator subscribes a URL, sees the secret once, sends a test event and
// reads the delivery log in the console.
describe.skipIf(!hasChromium())('Webhooks in the console', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let rx: Receiver;

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startConsoleServer({ webhookOutbound: { allowLoopback: true }, webhookPollMs: 0 });
    browser = await launchChromium();
    rx = await receiver();
  }, 120_000);

  afterAll(async () => {
    await rx?.close();
    await browser?.close();
    await server?.close();
  });

  it('subscribes, shows the secret once, sends a signed test event and lists its delivery', async () => {
    const { k } = server;
    const t = await k.aTenant(k.root, 'reseller', 'hooks-reseller');
    await k.aUserIn(t, ['AdministrationAdvanced'], { login: 'hana', password: TEST_PASSWORD });
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, 'hooks-reseller', 'hana', TEST_PASSWORD);
    await openScreen(page, 'Webhooks');
    await seen(page.getByText('No webhooks yet'));
    await page.getByRole('textbox', { name: 'URL', exact: true }).fill(rx.url);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const shown = page.locator('pre[aria-label="Signing secret"]');
    await seen(shown);
    const secret = ((await shown.textContent()) ?? '').trim();
    expect(secret).toMatch(/^whsec_/);
    await page.reload();
    await seen(page.getByRole('link', { name: rx.url }));
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('link', { name: rx.url }).click();
    await seen(page.getByRole('heading', { level: 1, name: 'Webhook' }));
    await page.getByRole('button', { name: 'Send a test event' }).click();
    const row = page.getByRole('row', { name: /webhook\.test/ });
    await seen(row);
    await seen(row.getByText('delivered'));
    const test = rx.received.find((x) => JSON.parse(x.body).type === 'webhook.test');
    if (!test) throw new Error('the receiver got no test event');
    expect(rx.verify(test, secret)).toMatchObject({ type: 'webhook.test' });
    expect(errors).toEqual([]);
  });
});
