import * as OTPAuth from 'otpauth';
import { expect } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import type { Client, HttpKit } from '../http/http-kit.js';

export const v1 = (p: string) => `/api/v1${p}`;

/** The code an authenticator app shows at the kit's clock, computed by otpauth from the secret. */
export const codeAt = (h: HttpKit, secret: string): string =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: h.clock.now().getTime() });

export interface Enrolled {
  client: Client;
  secret: string;
  recoveryCodes: string[];
}

/** Enrols an authenticator app for a signed-in client; the answer's renewed session is the new client. */
export async function enrolTotp(h: HttpKit, c: Client): Promise<Enrolled> {
  const start = await c.call('POST', v1('/me/mfa/totp'), { currentPassword: TEST_PASSWORD });
  expect(start.statusCode, start.body).toBe(201);
  const { secret } = start.json() as { secret: string };
  const confirm = await c.call('POST', v1('/me/mfa/totp/confirm'), { code: codeAt(h, secret) });
  expect(confirm.statusCode, confirm.body).toBe(200);
  const body = confirm.json() as { recoveryCodes: string[]; csrfToken?: string };
  const client = body.csrfToken ? h.clientFor(confirm, c.user, c.tenant) : c;
  // The next code must come from a later time step: the confirming one is spent.
  h.clock.advance(30);
  return { client, secret, recoveryCodes: body.recoveryCodes };
}

/** Password, then the second factor; a client of the opened session. */
export async function signInWithCode(
  h: HttpKit,
  t: Tenant,
  user: User,
  proof: { code: string } | { recoveryCode: string },
): Promise<{ status: number; body: Record<string, unknown>; client?: Client }> {
  const first = await h.login(t, user.loginName);
  expect(first.statusCode, first.body).toBe(200);
  expect(first.json().secondFactorRequired).toBe(true);
  const second = await h.app.inject({
    method: 'POST',
    url: v1('/auth/login/second-factor'),
    payload: { pendingToken: first.json().pendingToken, ...proof },
  });
  return {
    status: second.statusCode,
    body: second.json(),
    ...(second.statusCode === 200 ? { client: h.clientFor(second, user, t) } : {}),
  };
}
