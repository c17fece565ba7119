import { randomBytes } from 'node:crypto';
import { call, expectStatus } from './http.js';

export const PASSWORD = `ha test ${randomBytes(9).toString('base64url')} passphrase`;

export interface Scene {
  rootId: string;
  rootSlug: string;
  /** API token of the first administrator: every administrative write of the load uses it. */
  token: string;
  consumers: { id: string; slug: string }[];
  /** Users whose roles the role client toggles. */
  roleUsers: string[];
  /** Users with a password that the sign-in client signs in as. */
  signers: string[];
  /** One user per fault, locked just before it: the revocation that must hold. */
  victims: { id: string; login: string }[];
}

async function createUser(base: string, token: string, tenantId: string, loginName: string, password?: string) {
  const a = await call(base, 'POST', `/api/v1/tenants/${tenantId}/users`, {
    token,
    body: { loginName, displayName: loginName, roles: ['CustomerBasic'], ...(password ? { password } : {}) },
  });
  expectStatus(a, 201, `create ${loginName}`);
  return a.body.user.id as string;
}

/** The first administrator signs in, replaces the one-time password and takes an API token. */
async function adminToken(base: string, tenant: string, username: string, oneTime: string): Promise<string> {
  const login = async (password: string) => {
    const a = await call(base, 'POST', '/api/v1/auth/login', { body: { tenant, username, password } });
    expectStatus(a, 200, 'admin sign-in');
    return { cookie: (a.headers.get('set-cookie') ?? '').split(';')[0] as string, csrf: a.body.csrfToken as string };
  };
  const first = await login(oneTime);
  const pw = await call(base, 'POST', '/api/v1/me/password', {
    ...first,
    body: { currentPassword: oneTime, newPassword: PASSWORD },
  });
  expectStatus(pw, 204, 'password change');
  const s = await login(PASSWORD);
  const t = await call(base, 'POST', '/api/v1/me/tokens', { ...s, body: { name: 'test:ha' } });
  expectStatus(t, 201, 'API token');
  return t.body.token as string;
}

export async function seedScene(
  base: string,
  admin: { tenant: string; username: string; password: string },
  faults: number,
): Promise<Scene> {
  const token = await adminToken(base, admin.tenant, admin.username, admin.password);
  const me = await call(base, 'GET', '/api/v1/me', { token });
  expectStatus(me, 200, 'GET /me');
  const rootId = me.body.tenantId ?? me.body.actingTenant?.id ?? me.body.user?.tenantId;
  if (typeof rootId !== 'string') throw new Error(`No tenant id in /me: ${JSON.stringify(me.body)}`);
  const consumers: Scene['consumers'] = [];
  for (const slug of ['ha-east', 'ha-west']) {
    const a = await call(base, 'POST', `/api/v1/tenants/${rootId}/children`, {
      token,
      body: { kind: 'consumer', name: slug, slug },
    });
    expectStatus(a, 201, `tenant ${slug}`);
    consumers.push({ id: a.body.tenant.id, slug });
  }
  const roleUsers: string[] = [];
  for (let i = 0; i < 6; i++) roleUsers.push(await createUser(base, token, rootId, `ha-roles-${i}`));
  const signers: string[] = [];
  for (let i = 0; i < 3; i++) {
    await createUser(base, token, rootId, `ha-signer-${i}`, PASSWORD);
    signers.push(`ha-signer-${i}`);
  }
  const victims: Scene['victims'] = [];
  for (let i = 0; i < faults; i++) {
    const login = `ha-victim-${i}`;
    victims.push({ id: await createUser(base, token, rootId, login, PASSWORD), login });
  }
  return { rootId, rootSlug: admin.tenant, token, consumers, roleUsers, signers, victims };
}
