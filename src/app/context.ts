import { type Actor, buildActor, seesTenantData } from '../domain/access.js';
import type { AuditInput } from '../domain/audit.js';
import { AppError, type FieldError } from '../domain/errors.js';
import type { Metrics } from '../domain/metrics.js';
import type { PermissionCatalogue } from '../domain/permissions.js';
import type { Clock, IdGen, PasswordHasher, Repos, Store } from '../domain/ports.js';
import type { Role } from '../domain/role.js';
import { rolesInImportingTenant } from '../domain/share.js';
import type { DecisionEngine } from './decisions.js';

/** What every use case needs; wired once in compose.ts. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  ids: IdGen;
  hasher: PasswordHasher;
  catalogue: PermissionCatalogue;
  /** Authorization decisions for apps (wired by compose; absent in bare test setups). */
  decisions?: DecisionEngine;
  /**
   * Reads where a little staleness is safe (lists, the activity log): a replica when
   * DATABASE_READ_URL is set. Absent, everything reads `store`. Never for access decisions.
   */
  readStore?: Store;
  /** True while a write-capable primary answers within a short timeout (wired by compose; `/readyz`). */
  primaryReady?: () => Promise<boolean>;
  /** Operational counters (issue 19); absent, nothing is counted. */
  metrics?: Metrics;
}

/** Where a request comes from, for the audit log. */
export interface RequestMeta {
  ip: string | null;
  requestId: string | null;
}

/** The caller of a use case: an actor in its acting tenant, or the operator (CLI). */
export interface Ctx {
  actor: Actor;
  meta: RequestMeta;
}

export const NO_META: RequestMeta = { ip: null, requestId: null };

export async function loadRoleMap(repos: Repos): Promise<Map<string, Role>> {
  return new Map((await repos.roles.list()).map((r) => [r.key, r]));
}

/**
 * Builds the actor for a user acting in a tenant, or throws `auth.unauthenticated` when the
 * user may not act there now: not active, home or acting tenant not active, or no effective
 * imported share. Called on every request, so a lock, a suspension or an ended share takes
 * effect on the next request.
 */
export async function resolveActor(
  repos: Repos,
  catalogue: PermissionCatalogue,
  input: { userId: string; homeTenantId: string; actingTenantId: string },
  now: Date,
): Promise<Actor> {
  return (await resolveActorFacts(repos, catalogue, input, now)).actor;
}

/** {@link resolveActor}, plus whether a forced password change is pending; one read. */
export async function resolveActorFacts(
  repos: Repos,
  catalogue: PermissionCatalogue,
  input: { userId: string; homeTenantId: string; actingTenantId: string },
  now: Date,
): Promise<{ actor: Actor; mustChangePassword: boolean; validUntil: Date | null }> {
  const denied = () => new AppError('auth.unauthenticated', 'The session is no longer valid');
  const f = await repos.users.actorFacts(input.homeTenantId, input.userId, input.actingTenantId, now);
  if (f?.state !== 'active' || f.homeStatus !== 'active') throw denied();
  if (input.actingTenantId !== input.homeTenantId && (f.actingStatus !== 'active' || !f.sharedIntoActing)) {
    throw denied();
  }
  const actor = buildActor({
    userId: input.userId,
    homeTenantId: input.homeTenantId,
    actingTenantId: input.actingTenantId,
    isRootUser: f.homeKind === 'provider',
    // In an importing tenant the consent bounds the roles (decision 0007).
    roles: input.actingTenantId === input.homeTenantId ? f.roles : capRoles(f.roles, f.acceptedRoles),
    catalogue,
  });
  const validUntil = input.actingTenantId === input.homeTenantId ? null : f.shareUntil;
  return { actor, mustChangePassword: f.mustChangePassword, validUntil };
}

function capRoles(roles: Role[], accepted: (string[] | null)[]): Role[] {
  const keep = new Set(
    rolesInImportingTenant(
      roles.map((r) => r.key),
      accepted,
    ),
  );
  return roles.filter((r) => keep.has(r.key));
}

/** Deny by default: throws unless the actor holds the permission in its acting tenant. */
export function requirePermission(actor: Actor, permission: string, catalogue: PermissionCatalogue): void {
  if (actor.permissions.has(permission)) return;
  if (catalogue.get(permission)?.scope === 'tenant' && !seesTenantData(actor, catalogue)) {
    throw new AppError('grant.system_only', 'Operation roles see no customer data');
  }
  throw new AppError('grant.missing_permission', `This needs the permission ${permission}`, {
    details: { permission },
  });
}

type AuditEntry = Pick<AuditInput, 'tenantId' | 'action' | 'targetType' | 'targetId'> & {
  details?: Record<string, unknown>;
  /**
   * False where the caller writes the event to every tenant concerned itself (both sides of a
   * share, an owner's change logged in its descendants): no reference event on top.
   */
  reference?: boolean;
};

type AuditActor = Pick<Actor, 'userId' | 'actingTenantId'> & { homeTenantId?: string };

/**
 * The one writer of activity-log events: appends inside the caller's transaction, with who
 * acted (none for the operator or an anonymous sign-in attempt) and where the request came from.
 * Work done in another tenant than the actor's own (its acting and home tenant) also leaves a
 * `reference` event in those tenants' logs (issue 14 #8): a provider sees what its staff did
 * below it, an MSP what its shared technicians did at a customer, without reading their logs.
 */
export async function recordEvent(
  repos: Pick<Repos, 'audit'>,
  who: { actor: AuditActor | null; meta: RequestMeta | null },
  now: Date,
  e: AuditEntry,
) {
  const base = {
    actorUserId: who.actor?.userId ?? null,
    actorTenantId: who.actor?.actingTenantId ?? null,
    ip: who.meta?.ip ?? null,
    requestId: who.meta?.requestId ?? null,
  };
  const event = await repos.audit.append(
    {
      ...base,
      tenantId: e.tenantId,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      details: e.details ?? {},
    },
    now,
  );
  if (!who.actor || e.reference === false) return event;
  const own = new Set([who.actor.actingTenantId, who.actor.homeTenantId ?? who.actor.actingTenantId]);
  own.delete(e.tenantId);
  for (const tenantId of own) {
    await repos.audit.append(
      {
        ...base,
        tenantId,
        action: 'reference',
        targetType: 'audit_event',
        targetId: `${e.tenantId}:${event.seq}`,
        // What and where, not the details: those stay in the tenant the work was done in.
        details: {
          tenantId: e.tenantId,
          seq: event.seq,
          action: e.action,
          targetType: e.targetType,
          targetId: e.targetId,
        },
      },
      now,
    );
  }
  return event;
}

/** An event by the caller of a use case (`null`: the operator, e.g. the CLI). */
export const audit = (repos: Pick<Repos, 'audit'>, ctx: Ctx | null, now: Date, e: AuditEntry) =>
  recordEvent(repos, { actor: ctx?.actor ?? null, meta: ctx?.meta ?? null }, now, e);

export function invalid(errors: FieldError[], message = 'The request is invalid'): AppError {
  return new AppError('validation.invalid', message, { errors });
}

export function assertNoErrors(errors: FieldError[]): void {
  if (errors.length > 0) throw invalid(errors);
}
