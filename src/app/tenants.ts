import { AppError, notFound } from '../domain/errors.js';
import type { Warning } from '../domain/grant-rules.js';
import { checkPassword } from '../domain/password-policy.js';
import type { Page } from '../domain/ports.js';
import {
  assertValidMove,
  assertValidPlacement,
  childPath,
  isAncestorOrSelf,
  isSupplier,
  isValidSlug,
  type Tenant,
  type TenantKind,
  type TenantSettings,
} from '../domain/tenant.js';
import type { User } from '../domain/user.js';
import { Checker } from '../domain/validation.js';
import { type AppDeps, assertNoErrors, audit, type Ctx, requirePermission } from './context.js';
import { type CreatedUser, insertUserWithRoles, parseUserFields } from './create-user.js';
import { queueEmailVerification } from './email-verification.js';
import { minPasswordLength } from './security-policy.js';
import { assertActingTenant } from './tenant-reach.js';

export interface CreateChildInput {
  parentId: string;
  kind: unknown;
  name: unknown;
  slug: unknown;
  primaryUser?: Record<string, unknown> | undefined;
}

export interface CreatedChild {
  tenant: Tenant;
  primaryUser?: CreatedUser['user'] & { roles: string[] };
  warnings: Warning[];
}

function parseTenantFields(input: { kind?: unknown; name: unknown; slug: unknown }) {
  const c = new Checker();
  const kind = c.oneOf<TenantKind>('kind', input.kind, ['reseller', 'consumer', 'carrier']);
  const name = c.string('name', input.name, { max: 200 });
  const slug = c.string('slug', input.slug, { max: 63 });
  if (slug !== undefined && !isValidSlug(slug)) c.fail('slug', 'format', 'Lower-case letters, digits and -');
  return { c, kind, name: name?.trim(), slug };
}

/**
 * A supplier's sales function creates a customer tenant (or a carrier) below the acting tenant,
 * optionally with its primary login. The primary user's roles pass the grant rules (R3–R5).
 */
export async function createChildTenant(deps: AppDeps, ctx: Ctx, input: CreateChildInput): Promise<CreatedChild> {
  const { c, kind, name, slug } = parseTenantFields(input);
  let primary: ReturnType<typeof parseUserFields> | undefined;
  if (input.primaryUser !== undefined) {
    try {
      primary = parseUserFields(input.primaryUser as Parameters<typeof parseUserFields>[0]);
    } catch (e) {
      if (e instanceof AppError && e.errors) {
        for (const fe of e.errors) c.errors.push({ ...fe, field: `primaryUser.${fe.field}` });
      } else throw e;
    }
  }
  assertNoErrors(c.errors);
  await assertActingTenant(deps, ctx, input.parentId);
  requirePermission(ctx.actor, 'customers.create', deps.catalogue);
  if (primary) requirePermission(ctx.actor, 'customers.primary.manage', deps.catalogue);
  const passwordHash =
    primary?.password === undefined
      ? null
      : await deps.hasher.hash(
          checkPassword(primary.password, {
            tenantName: name,
            tenantSlug: slug,
            loginName: primary.loginName,
            // A new child has no policy of its own yet: its parent's is its effective one.
            minLength: await deps.store.read((r) => minPasswordLength(r, input.parentId)),
          }),
        );
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const parent = await repos.tenants.findById(input.parentId);
    if (!parent) throw notFound('tenant');
    assertValidPlacement(kind as TenantKind, parent.kind);
    const id = deps.ids.newId();
    const tenant: Tenant = {
      id,
      kind: kind as TenantKind,
      parentId: parent.id,
      path: childPath(parent.path, id),
      depth: parent.depth + 1,
      name: name as string,
      slug: slug as string,
      status: 'active',
      settings: {},
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await repos.tenants.insert(tenant);
    await audit(repos, ctx, now, {
      tenantId: parent.id,
      action: 'tenant.child_created',
      targetType: 'tenant',
      targetId: id,
      details: { kind: tenant.kind, slug: tenant.slug },
    });
    await audit(repos, ctx, now, {
      tenantId: id,
      action: 'tenant.created',
      targetType: 'tenant',
      targetId: id,
      details: { kind: tenant.kind, slug: tenant.slug, parentId: parent.id },
    });
    if (!primary) return { tenant, warnings: [] };
    const created = await insertUserWithRoles(repos, deps, ctx, tenant, {
      ...primary,
      type: 'primary',
      passwordHash,
      mustChangePassword: passwordHash !== null,
    });
    await queueEmailVerification(repos, now, created.user);
    return { tenant, primaryUser: { ...created.user, roles: created.roles }, warnings: created.warnings };
  });
}

/** A tenant the actor may read: its acting tenant, or a direct customer. */
export async function getTenant(deps: AppDeps, ctx: Ctx, id: string): Promise<Tenant> {
  const t = await deps.store.read((r) => r.tenants.findById(id));
  if (!t) throw notFound('tenant');
  if (t.id === ctx.actor.actingTenantId) {
    requirePermission(ctx.actor, 'tenants.read', deps.catalogue);
  } else if (t.parentId === ctx.actor.actingTenantId) {
    requirePermission(ctx.actor, 'customers.read', deps.catalogue);
  } else {
    throw notFound('tenant');
  }
  return t;
}

export async function listChildren(deps: AppDeps, ctx: Ctx, id: string): Promise<Tenant[]> {
  await assertActingTenant(deps, ctx, id);
  requirePermission(ctx.actor, 'customers.read', deps.catalogue);
  return deps.store.read((r) => r.tenants.children(id));
}

/**
 * The whole tree below the acting tenant, depth-first, a page at a time: customers, their
 * customers and carriers, each with its depth. The cursor is the last tenant's id.
 */
export async function listSubtree(
  deps: AppDeps,
  ctx: Ctx,
  id: string,
  query: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Tenant>> {
  await assertActingTenant(deps, ctx, id);
  requirePermission(ctx.actor, 'customers.read', deps.catalogue);
  const limit = query.limit ?? 100;
  return deps.store.read(async (r) => {
    const self = await r.tenants.findById(id);
    if (!self) throw notFound('tenant');
    let after: string | undefined;
    if (query.cursor !== undefined) {
      const last = await r.tenants.findById(query.cursor);
      if (!last?.path.startsWith(self.path) || last.id === self.id) {
        throw new AppError('validation.invalid', 'Invalid cursor', {
          errors: [{ field: 'cursor', code: 'cursor.invalid', message: 'Invalid cursor' }],
        });
      }
      after = last.path;
    }
    const rows = await r.tenants.subtreePage(self.path, { limit: limit + 1, ...(after ? { after } : {}) });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
  });
}

export interface UpdateTenantInput {
  tenantId: string;
  expectedVersion?: number;
  name?: unknown;
  status?: unknown;
  settings?: unknown;
}

/**
 * Name and settings of the acting tenant (`tenants.update`); suspend or resume a direct
 * customer (`customers.suspend`). Suspension ends every share into or out of nothing: it only
 * stops sign-in; the next request of anyone of the tenant is refused.
 */
export async function updateTenant(deps: AppDeps, ctx: Ctx, input: UpdateTenantInput): Promise<Tenant> {
  const c = new Checker();
  const name = c.string('name', input.name, { max: 200, optional: true });
  const status = c.oneOf<'active' | 'suspended'>('status', input.status, ['active', 'suspended'], true);
  let settings: TenantSettings | undefined;
  if (input.settings !== undefined) {
    const s = input.settings as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) c.fail('settings', 'type', 'Must be an object');
    else {
      const extra = Object.keys(s).filter((k) => k !== 'selfRegistration' && k !== 'signupRoles');
      if (extra.length > 0) c.fail('settings', 'unknown', `Unknown settings: ${extra.join(', ')}`);
      if (s.selfRegistration !== undefined && typeof s.selfRegistration !== 'boolean') {
        c.fail('settings.selfRegistration', 'type', 'true or false');
      }
      const roles = c.stringArray('settings.signupRoles', s.signupRoles);
      settings = {
        ...(s.selfRegistration !== undefined ? { selfRegistration: s.selfRegistration as boolean } : {}),
        ...(roles ? { signupRoles: roles } : {}),
      };
    }
  }
  assertNoErrors(c.errors);
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const t = await repos.tenants.findById(input.tenantId);
    const own = t?.id === ctx.actor.actingTenantId;
    const child = t?.parentId === ctx.actor.actingTenantId;
    if (!t || (!own && !child)) throw notFound('tenant');
    // A patch that changes nothing still answers the tenant and bumps its version: it needs the
    // permission a change would (an operation role got the tenant's data this way, R7).
    if (name === undefined && settings === undefined && (status === undefined || status === t.status)) {
      requirePermission(ctx.actor, own ? 'tenants.update' : 'customers.primary.manage', deps.catalogue);
    }
    if (name !== undefined || settings !== undefined) {
      if (!own) requirePermission(ctx.actor, 'customers.primary.manage', deps.catalogue);
      else requirePermission(ctx.actor, 'tenants.update', deps.catalogue);
      if (settings?.signupRoles) {
        const roles = new Map((await repos.roles.list()).map((r) => [r.key, r]));
        const bad = settings.signupRoles.filter((k) => roles.get(k)?.category !== 'business');
        if (bad.length > 0) {
          throw new AppError('validation.invalid', 'Sign-up roles must be business roles', {
            errors: [{ field: 'settings.signupRoles', code: 'role.not_business', message: bad.join(', ') }],
          });
        }
      }
      if (settings && !isSupplier(t.kind)) {
        throw new AppError('validation.invalid', 'Only suppliers have sign-up settings', {
          errors: [{ field: 'settings', code: 'tenant.not_supplier', message: 'Not a supplier' }],
        });
      }
    }
    if (status !== undefined && status !== t.status) {
      if (own) throw new AppError('auth.forbidden', 'A tenant cannot suspend or resume itself');
      requirePermission(ctx.actor, 'customers.suspend', deps.catalogue);
      if (t.status === 'pending')
        throw new AppError('resource.conflict', 'A pending tenant is activated by its primary user');
    }
    const updated = await repos.tenants.update(
      t.id,
      {
        ...(name !== undefined ? { name: name.trim() } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(settings !== undefined ? { settings: { ...t.settings, ...settings } } : {}),
      },
      input.expectedVersion,
    );
    await audit(repos, ctx, now, {
      tenantId: t.id,
      action:
        status !== undefined && status !== t.status
          ? `tenant.${status === 'suspended' ? 'suspended' : 'resumed'}`
          : 'tenant.updated',
      targetType: 'tenant',
      targetId: t.id,
      details: { ...(name !== undefined ? { name } : {}), ...(settings ? { settings } : {}) },
    });
    return updated;
  });
}

/**
 * Re-parents a tenant. The actor acts for a common ancestor of the tenant and the new parent
 * (`customers.move`); the moved tenant is strictly below it. No cycles, kinds stay valid.
 */
export async function moveTenant(
  deps: AppDeps,
  ctx: Ctx,
  input: { tenantId: string; newParentId: string },
): Promise<Tenant> {
  requirePermission(ctx.actor, 'customers.move', deps.catalogue);
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const acting = await repos.tenants.findById(ctx.actor.actingTenantId);
    const t = await repos.tenants.findById(input.tenantId);
    const p = await repos.tenants.findById(input.newParentId);
    if (!acting || !t || !p) throw notFound('tenant');
    if (t.id === acting.id || !isAncestorOrSelf(acting.path, t.path)) throw notFound('tenant');
    if (!isAncestorOrSelf(acting.path, p.path)) throw notFound('tenant');
    assertValidMove(t, p);
    if (t.parentId === p.id) return t;
    await repos.tenants.move(t, p);
    for (const tenantId of new Set([t.id, t.parentId as string, p.id])) {
      await audit(repos, ctx, now, {
        tenantId,
        action: 'tenant.moved',
        targetType: 'tenant',
        targetId: t.id,
        details: { from: t.parentId, to: p.id },
      });
    }
    return (await repos.tenants.findById(t.id)) as Tenant;
  });
}

/** Removes a direct customer without children, with its users, companies and fields. */
export async function deleteTenant(deps: AppDeps, ctx: Ctx, input: { tenantId: string }): Promise<void> {
  await deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const t = await repos.tenants.findById(input.tenantId);
    if (!t || t.parentId !== ctx.actor.actingTenantId) throw notFound('tenant');
    requirePermission(ctx.actor, 'customers.delete', deps.catalogue);
    if ((await repos.tenants.countChildren(t.id)) > 0) throw new AppError('tenant.has_children');
    await repos.shares.endAllForTenant(t.id, ctx.actor.userId, now);
    await repos.tenants.delete(t.id);
    await audit(repos, ctx, now, {
      tenantId: ctx.actor.actingTenantId,
      action: 'tenant.deleted',
      targetType: 'tenant',
      targetId: t.id,
      details: { slug: t.slug, kind: t.kind },
    });
  });
}

export type { User };
