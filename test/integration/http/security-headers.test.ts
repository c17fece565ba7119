import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../../src/http/plugins/security-headers.js';
import { type Client, type HttpKit, httpKit } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

/** Issue 20 #14: API answers are never cached nor sniffed; /docs runs under a strict CSP. */

let h: HttpKit;
let admin: Client;

beforeAll(async () => {
  h = await httpKit();
  admin = await h.signedIn(h.k.root, ADMIN_ROLES);
});
afterAll(async () => h?.close());

const expectApiHeaders = (res: LightMyRequestResponse) => {
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
};

describe('API answer headers', () => {
  it('sets no-store and nosniff on /me, a list, a token creation and an error', async () => {
    const me = await admin.call('GET', '/api/v1/me');
    expect(me.statusCode).toBe(200);
    expectApiHeaders(me);
    const list = await admin.call('GET', `/api/v1/tenants/${h.k.root.id}/users`);
    expect(list.statusCode).toBe(200);
    expectApiHeaders(list);
    const token = await admin.call('POST', '/api/v1/me/tokens', { name: 'ci' });
    expect(token.statusCode).toBe(201);
    expectApiHeaders(token);
    const denied = await h.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(denied.statusCode).toBe(401);
    expectApiHeaders(denied);
    const missing = await admin.call('GET', '/api/v1/no-such-thing');
    expect(missing.statusCode).toBe(404);
    expectApiHeaders(missing);
  });
});

describe('/docs', () => {
  it('answers with a strict CSP and serves the assets the page names', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(page.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // No inline script: everything the page runs comes from 'self' and is served.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const srcs = [...page.body.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
    expect(srcs.length).toBeGreaterThan(2);
    for (const src of srcs) {
      const url = new URL(src, 'http://localhost/docs/');
      const asset = await h.app.inject({ method: 'GET', url: url.pathname });
      expect(asset.statusCode, url.pathname).toBe(200);
    }
  });
});
