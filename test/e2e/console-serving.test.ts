import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installConsole } from '../../src/http/plugins/console.js';
import { installProblems } from '../../src/http/plugins/problem.js';

/** A server with the API's 404 handler, one API route, and the console from `dir`. */
async function serverWith(dir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  installProblems(app);
  app.get('/api/v1/ping', async () => ({ pong: true }));
  await installConsole(app, { dir });
  await app.ready();
  return app;
}

describe('serving the admin console', () => {
  let built: FastifyInstance;
  let missing: FastifyInstance;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontor-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Kontor console</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    built = await serverWith(dir);
    missing = await serverWith(join(dir, 'nowhere'));
  });

  afterAll(async () => {
    await built.close();
    await missing.close();
  });

  it('answers the app with a strict content security policy and no caching of the page', async () => {
    const res = await built.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('answers client-side paths and the targets of mailed links with the app', async () => {
    for (const url of ['/users/8d1c?x=1', '/set-password', '/signup/confirm', '/verify-email']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('Kontor console');
    }
  });

  it('marks hashed assets immutable', async () => {
    const res = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('never shadows API and protocol paths', async () => {
    expect((await built.inject({ method: 'GET', url: '/api/v1/ping' })).json()).toEqual({ pong: true });
    for (const url of ['/api/v1/nope', '/scim/v2/Users', '/docs/x', '/oidc/auth', '/sso/x', '/healthz/x']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers a missing file with 404, not the app', async () => {
    const res = await built.inject({ method: 'GET', url: '/assets/gone-123.js' });
    expect(res.statusCode).toBe(404);
  });

  it('explains how to build the console when it is not built', async () => {
    const res = await missing.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('npm run build:web');
    expect((await missing.inject({ method: 'GET', url: '/api/v1/nope' })).statusCode).toBe(404);
  });
});
