import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit, problem } from './http-kit.js';

// Issue 21 #5: every problem's title and detail fit the action that raised it.

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

describe('problem wording', () => {
  it('names the part of the request a schema refused, in words', async () => {
    const admin = await h.signedIn(h.k.root, ['AdministrationAdvanced', 'AdministrationBasic']);
    const path = problem(await admin.call('GET', '/api/v1/users/not-a-uuid'), 400, 'validation.invalid');
    expect(path.detail).toBe('A path parameter is invalid');
    const query = problem(
      await admin.call('GET', `/api/v1/tenants/${h.k.root.id}/users?limit=100000`),
      400,
      'validation.invalid',
    );
    expect(query.detail).toBe('A query parameter is invalid');
    const body = problem(
      await admin.call('POST', `/api/v1/tenants/${h.k.root.id}/users`, { loginName: 7 }),
      400,
      'validation.invalid',
    );
    expect(body.detail).toBe('The request body is invalid');
  });

  it('does not speak of roles when a supplier creates a secondary user in a customer', async () => {
    const customer = await h.k.aTenant(h.k.root, 'consumer');
    const sales = await h.signedIn(h.k.root, ['SalesAdvanced', 'AdministrationAdvanced', 'AdministrationBasic']);
    const refused = problem(
      await sales.call('POST', `/api/v1/tenants/${customer.id}/users`, { loginName: 'helper', type: 'secondary' }),
      403,
    );
    expect(refused.code).toBe('grant.not_own_user');
    expect(refused.title).not.toMatch(/role/i);
    expect(`${refused.title} ${refused.detail}`).toMatch(/own tenant|created by the tenant itself/);
  });

  it('says a wrong sign-in once, in the words the console uses', async () => {
    const res = problem(await h.login(h.k.root, 'nobody-here', 'wrong password'), 401, 'auth.invalid_credentials');
    expect(res.detail).toBe('Tenant, login name or password is wrong');
  });
});
