import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareMail } from '../../../src/app/auth/email-verification.js';
import { MailWorker } from '../../../src/app/mail-outbox.js';
import type { MailMessage } from '../../../src/domain/auth-ports.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { authStore, nodeTokenCrypto } from '../../../src/storage/auth-store.js';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

// Issue 14 #6: an address is verified when its owner follows the link sent to it, or when an
// administrator with users.email.attest vouches for it; changing it clears the mark.

let h: HttpKit;
let t: Tenant;
let admin: Client;
const delivered: MailMessage[] = [];
let worker: MailWorker;
beforeAll(async () => {
  h = await httpKit();
  t = await h.k.aTenant(h.k.root, 'reseller');
  admin = await h.signedIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
  // The server's worker runs every few seconds; this one is driven by the test (SKIP LOCKED
  // keeps the two from sending a row twice).
  worker = new MailWorker({
    store: authStore(h.k.db.kysely),
    sender: { send: async (m) => void delivered.push(m) },
    clock: h.clock,
    prepare: (r, p, now) =>
      prepareMail({ tokens: nodeTokenCrypto, settings: { publicUrl: 'http://kontor.test' } }, r, p, now),
  });
});
afterAll(async () => h?.close());

/** Everything mailed so far to `to`, by this worker or the server's. */
async function mailsTo(to: string): Promise<MailMessage[]> {
  while ((await worker.tick()) > 0) {}
  return [...delivered, ...h.mails].filter((m) => m.to === to);
}
const tokenOf = (m: MailMessage | undefined) => /#token=([^\s]+)/.exec(m?.link ?? '')?.[1] ?? '';
const verificationsTo = async (to: string) =>
  (await mailsTo(to)).filter((m) => m.link.includes('/verify-email#token='));
const verified = async (id: string) => (await admin.call('GET', `/api/v1/users/${id}`)).json().emailVerified as boolean;
const confirm = (token: string) =>
  h.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
let n = 0;
async function created(email: string) {
  const res = await admin.call('POST', `/api/v1/tenants/${t.id}/users`, { loginName: `verify-${++n}`, email });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().user.id as string;
}

describe('verified addresses', () => {
  it('sends a link on creation; following it verifies the address, once', async () => {
    const id = await created('ada@example.com');
    expect(await verified(id)).toBe(false);
    const [link, ...more] = await verificationsTo('ada@example.com');
    expect(more).toEqual([]);
    expect((await confirm(tokenOf(link))).statusCode).toBe(204);
    expect(await verified(id)).toBe(true);
    problem(await confirm(tokenOf(link)), 400, 'auth.token_invalid');
    const list = await admin.call('GET', `/api/v1/tenants/${t.id}/users?q=verify-`);
    expect(list.json().items.find((u: { id: string }) => u.id === id).emailVerified).toBe(true);
    const events = await h.k.deps.store.read((r) => r.audit.list(t.id, { targetId: id, limit: 20 }));
    expect(events.map((e) => e.action)).toContain('user.email_verified');
  });

  it('a changed address is unverified, a link for the old one dies, and the new one gets a link', async () => {
    const id = await created('old@example.com');
    const [oldLink] = await verificationsTo('old@example.com');
    expect((await confirm(tokenOf(oldLink))).statusCode).toBe(204);
    expect(await verified(id)).toBe(true);
    // A verified address needs no further link.
    problem(await admin.call('POST', `/api/v1/users/${id}/email-verification`), 409, 'resource.conflict');
    expect((await admin.call('PATCH', `/api/v1/users/${id}`, { email: 'new@example.com' })).statusCode).toBe(200);
    expect(await verified(id)).toBe(false);
    // An administrator asks for another link, then the address changes before it is followed.
    expect((await admin.call('POST', `/api/v1/users/${id}/email-verification`)).statusCode).toBe(202);
    const [, pending] = await verificationsTo('new@example.com');
    expect(pending).toBeDefined();
    expect((await admin.call('PATCH', `/api/v1/users/${id}`, { email: 'newer@example.com' })).statusCode).toBe(200);
    problem(await confirm(tokenOf(pending)), 400, 'auth.token_invalid');
    expect(await verified(id)).toBe(false);
    const [fresh] = await verificationsTo('newer@example.com');
    expect((await confirm(tokenOf(fresh))).statusCode).toBe(204);
    expect(await verified(id)).toBe(true);
  });

  it('a link queued for an address that changed before it was sent goes nowhere', async () => {
    const id = await created('first@example.com');
    expect((await admin.call('PATCH', `/api/v1/users/${id}`, { email: 'second@example.com' })).statusCode).toBe(200);
    expect(await verificationsTo('first@example.com')).toEqual([]);
    expect(await verificationsTo('second@example.com')).toHaveLength(1);
  });

  it('the user can ask for a link for himself', async () => {
    const self = await h.signedIn(t, ['CustomerBasic']);
    expect((await admin.call('PATCH', `/api/v1/users/${self.user.id}`, { email: 'self@example.com' })).statusCode).toBe(
      200,
    );
    expect((await self.call('POST', '/api/v1/me/email-verification')).statusCode).toBe(202);
    const links = await verificationsTo('self@example.com');
    expect(links).toHaveLength(2);
    // A newer link voids the older one.
    problem(await confirm(tokenOf(links[0])), 400, 'auth.token_invalid');
    expect((await confirm(tokenOf(links[1]))).statusCode).toBe(204);
  });

  it('an administrator with users.email.attest vouches for an address; the rank rule applies', async () => {
    const id = await created('attested@example.com');
    const basic = await h.signedIn(t, ['AdministrationBasic']);
    problem(await basic.call('POST', `/api/v1/users/${id}/email-attestation`), 403, 'grant.missing_permission');
    expect(await verified(id)).toBe(false);
    expect((await admin.call('POST', `/api/v1/users/${id}/email-attestation`)).statusCode).toBe(204);
    expect(await verified(id)).toBe(true);
    const events = await h.k.deps.store.read((r) =>
      r.audit.list(t.id, { targetId: id, action: 'user.email_attested', limit: 5 }),
    );
    expect(events).toHaveLength(1);
    // A link still queued for an attested address is not sent: there is nothing left to confirm.
    const user = await h.k.deps.store.read((r) => r.users.findInTenant(t.id, id));
    const payload = { verifyEmail: { tenantId: t.id, userId: id, email: user?.email } };
    const prepared = await authStore(h.k.db.kysely).transaction((r) =>
      prepareMail({ tokens: nodeTokenCrypto, settings: { publicUrl: 'http://kontor.test' } }, r, payload, new Date()),
    );
    expect(prepared).toBeUndefined();
    // A holder of AdministrationAdvanced alone cannot vouch for a user who also holds Basic.
    const stronger = await h.k.aUserIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    const partial = await h.signedIn(t, ['AdministrationAdvanced']);
    problem(await partial.call('POST', `/api/v1/users/${stronger.id}/email-attestation`), 403, 'grant.target_outranks');
    // Without an address there is nothing to attest.
    const bare = await created('bare@example.com');
    expect((await admin.call('PATCH', `/api/v1/users/${bare}`, { email: null })).statusCode).toBe(200);
    problem(await admin.call('POST', `/api/v1/users/${bare}/email-attestation`), 400, 'validation.invalid');
  });
});
