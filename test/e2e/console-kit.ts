import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { createHttpApp, type HttpAppOptions } from '../../src/compose-http.js';
import type { MailMessage } from '../../src/domain/auth-ports.js';
import { type TestKontor, testKontor } from '../fixtures/kontor.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = `${root}docs/screenshots`;

/** The journeys drive the built console: build it when missing or older than web/ (about a second). */
export function ensureConsoleBuilt(): void {
  const run = spawnSync(process.execPath, [`${root}scripts/build-console.mjs`], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`console build failed:\n${run.stdout}\n${run.stderr}`);
  if (!existsSync(`${root}web/dist/index.html`)) throw new Error('console build produced no web/dist/index.html');
}

export interface ConsoleServer {
  k: TestKontor;
  app: FastifyInstance;
  url: string;
  mails: MailMessage[];
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1 with a fresh database (PGlite, or a schema of its own on
 * PostgreSQL) whose provider admin holds a one-time password, as after `npm start`.
 */
export async function startConsoleServer(
  opts: Pick<HttpAppOptions, 'webhookOutbound' | 'webhookPollMs'> = {},
): Promise<ConsoleServer> {
  const k = await testKontor();
  const mails: MailMessage[] = [];
  const app = await createHttpApp(k, { logger: false, mail: { send: async (m) => void mails.push(m) }, ...opts });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    k,
    app,
    url,
    mails,
    async close() {
      await app.close();
      await k.close();
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser context (own cookies) at laptop size, failing on any page error. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[0-9]/.test(m.text())) errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

/**
 * docs/screenshots/<name>.png, at the viewport's size, only when asked (`UPDATE_SCREENSHOTS=1 npm
 * run test:e2e`): a plain `npm test` must leave a clean clone clean (issue 21 #7). The journey
 * still renders every screen it would photograph.
 */
export async function shoot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  // Let transitions (modals, tabs) settle so the picture shows the final state.
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

export async function signIn(page: Page, tenant: string, login: string, password: string): Promise<void> {
  await page.getByLabel('Tenant').fill(tenant);
  await page.getByLabel('Login name').fill(login);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await seen(page.getByRole('heading', { name: 'Choose your own password' }));
  await page.getByRole('textbox', { name: 'Current (one-time) password' }).fill(current);
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill(next);
  await page.getByRole('textbox', { name: 'Repeat new password' }).fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await seen(page.getByRole('heading', { name: 'Sign in to Kontor' }));
}

export async function openScreen(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await seen(page.getByRole('heading', { level: 1, name }));
}

/** Picks an option of a Mantine Select by its label. */
export async function pick(page: Page, label: string, option: string | RegExp): Promise<void> {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

/** Waits until the element is visible (playwright-core has no `expect`; this is its auto-wait). */
export async function seen(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}
