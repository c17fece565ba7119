import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { type Client, type HttpKit, httpKit } from './http-kit.js';

// A request's work is journaled on its Idempotency-Key inside the transaction that did it. Here
// the stored answer is wiped after the fact — as if the process had died between its COMMIT and
// storing the answer — and a retry must get the original answer, with nothing done twice.
describe('Idempotency-Key work journal', () => {
  let h: HttpKit;
  let t: Tenant;
  let admin: Client;
  beforeAll(async () => {
    h = await httpKit();
    t = await h.k.aTenant(h.k.root, 'reseller');
    admin = await h.signedIn(t, ['AdministrationBasic', 'AdministrationAdvanced']);
  });
  afterAll(async () => h?.close());

  const loseAnswer = (key: string) =>
    sql`UPDATE idempotency_keys SET status = NULL, content_type = NULL, body = NULL WHERE key = ${key}`.execute(
      h.k.db.kysely,
    );

  it.each([
    ['a user', (n: number) => [`/api/v1/tenants/${t.id}/users`, { loginName: `journal-${n}`, displayName: 'J' }]],
    ['a company', (n: number) => [`/api/v1/tenants/${t.id}/companies`, { name: `Journal ${n}` }]],
  ] as const)('answers a retry of %s whose answer was lost from the journal', async (_what, body) => {
    const key = `journal-key-${Math.random()}`;
    const [url, payload] = body(Math.floor(Math.random() * 1e9)) as [string, object];
    const first = await admin.call('POST', url, payload, { headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    const events = async () =>
      Number(
        (
          await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events WHERE tenant_id = ${t.id}`.execute(
            h.k.db.kysely,
          )
        ).rows[0]?.n,
      );
    const before = await events();
    await loseAnswer(key);
    const retry = await admin.call('POST', url, payload, { headers: { 'idempotency-key': key } });
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    expect(await events()).toBe(before); // nothing ran again: no second creation, no second event
  });

  it('replays committed work from the journal even after the lost answer’s lease ran out', async () => {
    const key = `journal-late-${Math.random()}`;
    const url = `/api/v1/tenants/${t.id}/users`;
    const payload = { loginName: `journal-late-${Math.floor(Math.random() * 1e9)}`, displayName: 'Late' };
    const first = await admin.call('POST', url, payload, { headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    // The owner died after its COMMIT, and the retry comes an hour later: the lease is long over,
    // but taking the key over would create the user a second time (a 409 login_taken).
    await sql`UPDATE idempotency_keys SET status = NULL, content_type = NULL, body = NULL,
      created_at = now() - interval '1 hour' WHERE key = ${key}`.execute(h.k.db.kysely);
    const retry = await admin.call('POST', url, payload, { headers: { 'idempotency-key': key } });
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().user.id).toBe(first.json().user.id);
  });

  it('keeps a held key without a journal entry (the work never committed) for its lease', async () => {
    const key = `journal-none-${Math.random()}`;
    const url = `/api/v1/tenants/${t.id}/companies`;
    const first = await admin.call('POST', url, { name: 'Never committed' }, { headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    await sql`UPDATE idempotency_keys SET status = NULL, content_type = NULL, body = NULL, applied_results = NULL
      WHERE key = ${key}`.execute(h.k.db.kysely);
    const retry = await admin.call('POST', url, { name: 'Never committed' }, { headers: { 'idempotency-key': key } });
    expect(retry.statusCode).toBe(409);
    expect(retry.json().code).toBe('resource.conflict');
  });
});
