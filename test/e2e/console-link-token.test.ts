import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleServer,
  ensureConsoleBuilt,
  hasChromium,
  launchChromium,
  openPage,
  startConsoleServer,
} from './console-kit.js';

/**
 * Issue 20 #13: the `#token=` of a reset, sign-up or address verification link leaves the address
 * bar and the history.
 */

describe.skipIf(!hasChromium())('link tokens in the console', () => {
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

  it.each(['/set-password', '/signup/confirm', '/verify-email'])('clears the token of %s once read', async (path) => {
    const secret = 'tok-E2E-SECRET-0123456789';
    const { page } = await openPage(browser, `${server.url}${path}#token=${secret}`);
    await page.locator('h1, h2').first().waitFor();
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    expect(page.url()).toBe(`${server.url}${path}`);
    // The page still holds the token it read: a set-password submission carries it.
    if (path === '/set-password') {
      const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/set-password'));
      await page.getByLabel('New password').fill('a long walk along the harbour');
      await page.getByRole('button', { name: /set password/i }).click();
      expect((await sent).postData()).toContain(secret);
    }
    // Neither the history entry nor Back brings it back.
    await page.goto(`${server.url}/`);
    await page.goBack();
    expect(page.url()).not.toContain(secret);
    expect(await page.evaluate(() => window.location.href)).not.toContain(secret);
    await page.context().close();
  });
});
