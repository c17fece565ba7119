import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  assertValidMove,
  assertValidPlacement,
  childPath,
  isAncestorOrSelf,
  isCustomer,
  isSupplier,
  isValidSlug,
  pathIds,
  rootPath,
  TENANT_KINDS,
  type TenantKind,
} from './tenant.js';

const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
};

describe('tenant kinds', () => {
  it('makes the provider and resellers suppliers, and nothing else', () => {
    expect(TENANT_KINDS.filter(isSupplier)).toEqual(['provider', 'reseller']);
  });

  it('makes resellers and consumers customers, but not the provider or a carrier', () => {
    expect(TENANT_KINDS.filter(isCustomer)).toEqual(['reseller', 'consumer']);
  });
});

describe('placing a tenant', () => {
  it('accepts the provider only as the root', () => {
    expect(codeOf(() => assertValidPlacement('provider', null))).toBeUndefined();
    for (const parent of TENANT_KINDS) {
      expect(
        codeOf(() => assertValidPlacement('provider', parent)),
        parent,
      ).toBe('tenant.invalid_parent');
    }
  });

  it.each(['reseller', 'consumer', 'carrier'] as const)('accepts a %s below the provider or a reseller', (kind) => {
    expect(codeOf(() => assertValidPlacement(kind, 'provider'))).toBeUndefined();
    expect(codeOf(() => assertValidPlacement(kind, 'reseller'))).toBeUndefined();
  });

  it.each(['reseller', 'consumer', 'carrier'] as const)(
    'refuses a %s as a root or below a consumer or a carrier',
    (kind) => {
      const parents: (TenantKind | null)[] = [null, 'consumer', 'carrier'];
      for (const parent of parents) {
        expect(
          codeOf(() => assertValidPlacement(kind, parent)),
          String(parent),
        ).toBe('tenant.invalid_parent');
      }
    },
  );
});

describe('tenant paths', () => {
  const root = rootPath('r');
  const reseller = childPath(root, 'a');
  const consumer = childPath(reseller, 'c');

  it('builds materialised paths from the root down', () => {
    expect(root).toBe('/r/');
    expect(consumer).toBe('/r/a/c/');
    expect(pathIds(consumer)).toEqual(['r', 'a', 'c']);
    expect(pathIds(root)).toEqual(['r']);
  });

  it('sees a tenant as its own ancestor and its ancestors as ancestors', () => {
    expect(isAncestorOrSelf(consumer, consumer)).toBe(true);
    expect(isAncestorOrSelf(root, consumer)).toBe(true);
    expect(isAncestorOrSelf(reseller, consumer)).toBe(true);
  });

  it('does not take a descendant or a sibling sharing an id prefix for an ancestor', () => {
    expect(isAncestorOrSelf(consumer, reseller)).toBe(false);
    expect(isAncestorOrSelf(childPath(root, 'a'), childPath(root, 'ab'))).toBe(false);
  });
});

describe('moving a tenant', () => {
  const root = { kind: 'provider' as const, path: '/r/' };
  const reseller = { kind: 'reseller' as const, path: '/r/a/' };
  const subReseller = { kind: 'reseller' as const, path: '/r/a/b/' };
  const otherReseller = { kind: 'reseller' as const, path: '/r/o/' };
  const consumer = { kind: 'consumer' as const, path: '/r/a/c/' };
  const carrier = { kind: 'carrier' as const, path: '/r/a/k/' };

  it('moves a consumer to another reseller or up to the provider', () => {
    expect(codeOf(() => assertValidMove(consumer, otherReseller))).toBeUndefined();
    expect(codeOf(() => assertValidMove(consumer, root))).toBeUndefined();
  });

  it('moves a reseller with its subtree below a sibling reseller', () => {
    expect(codeOf(() => assertValidMove(reseller, otherReseller))).toBeUndefined();
  });

  it('refuses to move the root provider', () => {
    expect(codeOf(() => assertValidMove(root, reseller))).toBe('tenant.root_immutable');
  });

  it('refuses to move a tenant below itself or below its own descendant', () => {
    expect(codeOf(() => assertValidMove(reseller, reseller))).toBe('tenant.cycle');
    expect(codeOf(() => assertValidMove(reseller, subReseller))).toBe('tenant.cycle');
  });

  it('refuses to move a tenant below a consumer or a carrier', () => {
    expect(codeOf(() => assertValidMove(subReseller, consumer))).toBe('tenant.invalid_parent');
    expect(codeOf(() => assertValidMove(consumer, carrier))).toBe('tenant.invalid_parent');
  });
});

describe('tenant slugs', () => {
  it.each(['a', 'acme', 'acme-corp', 'shop24', '0', 'a'.repeat(63)])('accepts %s', (slug) => {
    expect(isValidSlug(slug)).toBe(true);
  });

  it.each(['', 'Acme', '-acme', 'acme-', 'acme_corp', 'acme corp', 'müller', 'a'.repeat(64)])('refuses %j', (slug) => {
    expect(isValidSlug(slug)).toBe(false);
  });
});
