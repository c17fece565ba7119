import { AppError } from './errors.js';

export const TENANT_KINDS = ['provider', 'reseller', 'consumer', 'carrier'] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];
export const TENANT_STATUSES = ['active', 'suspended', 'pending'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export interface Tenant {
  id: string;
  kind: TenantKind;
  parentId: string | null;
  /** Materialised path of ids from the root, e.g. `/root/reseller/self/`. */
  path: string;
  depth: number;
  name: string;
  slug: string;
  status: TenantStatus;
  settings: TenantSettings;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface TenantSettings {
  /** Allow self-registration of consumers below this supplier. */
  selfRegistration?: boolean;
  /** Business roles a self-registered primary user receives. */
  signupRoles?: string[];
}

/** Kinds that may have children: the suppliers of the seed. */
export const isSupplier = (kind: TenantKind): boolean => kind === 'provider' || kind === 'reseller';
export const isCustomer = (kind: TenantKind): boolean => kind === 'reseller' || kind === 'consumer';

/** The parent rule of DESIGN §1: provider is the root; everything else hangs below a supplier. */
export function assertValidPlacement(kind: TenantKind, parentKind: TenantKind | null): void {
  if (kind === 'provider') {
    if (parentKind !== null) {
      throw new AppError('tenant.invalid_parent', 'The provider is the root and has no parent');
    }
    return;
  }
  if (parentKind === null || !isSupplier(parentKind)) {
    throw new AppError('tenant.invalid_parent', `A ${kind} must be placed below the provider or a reseller`);
  }
}

export const childPath = (parentPath: string, id: string): string => `${parentPath}${id}/`;
export const rootPath = (id: string): string => `/${id}/`;

/** Ids on the path from the root to the tenant itself, root first. */
export const pathIds = (path: string): string[] => path.split('/').filter((s) => s.length > 0);

export const isAncestorOrSelf = (ancestorPath: string, path: string): boolean => path.startsWith(ancestorPath);

/** Re-parenting rule: no cycles, valid kinds. */
export function assertValidMove(tenant: Pick<Tenant, 'kind' | 'path'>, newParent: Pick<Tenant, 'kind' | 'path'>): void {
  if (tenant.kind === 'provider') {
    throw new AppError('tenant.root_immutable', 'The root provider cannot be moved');
  }
  if (isAncestorOrSelf(tenant.path, newParent.path)) {
    throw new AppError('tenant.cycle');
  }
  assertValidPlacement(tenant.kind, newParent.kind);
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const isValidSlug = (slug: string): boolean => SLUG.test(slug);
