/**
 * Requests shaped like Microsoft Entra ID's SCIM provisioning service sends them (its documented
 * "SCIM protocol requests and responses"): capitalised ops, booleans as strings, the enterprise
 * extension, and matching on userName before creating.
 */
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const FIELDS = 'urn:kontor:params:scim:schemas:extension:fields:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function entraUser(userName: string, o: { externalId?: string; active?: boolean; department?: string } = {}) {
  const [given = 'Test', family = 'User'] = userName.split('@')[0]?.split('.') ?? [];
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: o.externalId ?? `${given}-${family}-object-id`,
    userName,
    active: o.active ?? true,
    displayName: `${given} ${family}`,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
    roles: [],
    // Mapped by default in Entra's attribute mappings; Kontor keeps neither.
    title: 'Engineer',
    phoneNumbers: [{ type: 'work', value: '+49 30 1234' }],
    ...(o.department ? { [ENTERPRISE]: { department: o.department, manager: { value: 'x' } } } : {}),
  };
}

export const entraPatch = (...Operations: { op: string; path?: string; value?: unknown }[]) => ({
  schemas: [PATCH],
  Operations,
});

export const entraGroup = (displayName: string, memberIds: string[] = [], externalId = `${displayName}-oid`) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  externalId,
  displayName,
  members: memberIds.map((value) => ({ value })),
  meta: { resourceType: 'Group' },
});

export const eqFilter = (attribute: string, value: string) =>
  `?filter=${encodeURIComponent(`${attribute} eq "${value}"`)}`;
