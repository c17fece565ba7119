import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/compose-http.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

async function failedLoginAddress(trustedProxies: string[]): Promise<string | null> {
  const app = await createHttpApp({ ...k, config: { ...k.config, trustedProxies } }, { logger: false });
  try {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { tenant: k.root.slug, username: 'admin', password: 'not the password at all' },
      headers: { 'x-forwarded-for': '203.0.113.7' },
      remoteAddress: '127.0.0.1',
    });
    expect(res.statusCode).toBe(401);
    const [event] = await k.deps.store.read((r) => r.audit.list(k.root.id, { limit: 1, action: 'auth.login_failed' }));
    return event?.ip ?? null;
  } finally {
    await app.close();
  }
}

describe('client address behind a proxy', () => {
  it('ignores X-Forwarded-For unless the sender is a trusted proxy', async () => {
    expect(await failedLoginAddress([])).toBe('127.0.0.1');
  });

  it('takes the client address from X-Forwarded-For sent by a trusted proxy', async () => {
    expect(await failedLoginAddress(['127.0.0.1'])).toBe('203.0.113.7');
  });
});
