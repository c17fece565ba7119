import { createHash } from 'node:crypto';
import type { ScimGroupModel, ScimGroupRecord } from '../app/scim/scim-model.js';
import { type PatchOp, stripCore, valueFilterOf } from './patch-ops.js';
import { scimInvalid } from './scim-errors.js';
import { URN } from './scim-schemas.js';
import { userLocation } from './user-wire.js';
import { isObject, type Json, toOptionalText, toText } from './values.js';

/** User ids of a SCIM members list (`[{ value: id }]`). */
function memberIds(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((m) => {
    if (!isObject(m)) throw scimInvalid('invalidValue', 'Each member needs a value');
    return toText(m.value, 'members.value');
  });
}

export function groupFromScim(body: unknown): ScimGroupModel {
  if (!isObject(body)) throw scimInvalid('invalidSyntax', 'The body must be a SCIM Group object');
  return {
    displayName: toText(body.displayName, 'displayName'),
    externalId: toOptionalText(body.externalId, 'externalId'),
    members: [...new Set(memberIds(body.members))],
  };
}

/**
 * A weak version of the group's content (name, external id, members): companies keep no version
 * counter, and a hash changes whenever anything a client sees changes, however it was changed.
 */
function versionOf(r: ScimGroupRecord): string {
  const members = r.members.map((m) => m.userId).sort();
  const hash = createHash('sha256').update(JSON.stringify([r.company.name, r.externalId, members]));
  return `W/"${hash.digest('base64url').slice(0, 22)}"`;
}

/** A company as an RFC 7643 Group; attributes are picked afterwards (projection.ts). */
export function groupToScim(r: ScimGroupRecord, base: string): Json {
  return {
    schemas: [URN.group],
    id: r.company.id,
    ...(r.externalId !== null ? { externalId: r.externalId } : {}),
    displayName: r.company.name,
    members: r.members.map((m) => ({
      value: m.userId,
      display: m.loginName,
      type: 'User',
      $ref: userLocation(base, m.userId),
    })),
    meta: {
      resourceType: 'Group',
      created: r.company.createdAt.toISOString(),
      lastModified: r.lastModified.toISOString(),
      location: `${base}/Groups/${r.company.id}`,
      version: versionOf(r),
    },
  };
}

function set(g: ScimGroupModel, op: PatchOp['op'], rawPath: string, value: unknown): void {
  const path = stripCore(rawPath, URN.group);
  const one = valueFilterOf(path, 'members');
  if (one !== undefined) {
    // `members[value eq "id"]`: Entra's way to remove one member.
    if (op === 'remove') g.members = g.members.filter((id) => id !== one);
    else if (!g.members.includes(one)) g.members.push(one);
    return;
  }
  switch (path.toLowerCase()) {
    case 'displayname':
      if (op === 'remove') throw scimInvalid('mutability', 'displayName is required');
      g.displayName = toText(value, 'displayName');
      return;
    case 'externalid':
      g.externalId = op === 'remove' ? null : toOptionalText(value, 'externalId');
      return;
    case 'members': {
      const ids = memberIds(value);
      if (op === 'replace') g.members = [...new Set(ids)];
      else if (op === 'add') g.members = [...new Set([...g.members, ...ids])];
      // A remove without value empties the group; with value it removes those members.
      else g.members = value === undefined ? [] : g.members.filter((id) => !ids.includes(id));
      return;
    }
    default:
      throw scimInvalid('invalidPath', `Groups have no attribute ${rawPath} Kontor can change`);
  }
}

/** Applies PATCH operations to a group: members add/remove/replace, displayName, externalId. */
export function applyGroupPatch(current: ScimGroupModel, ops: readonly PatchOp[]): ScimGroupModel {
  const g: ScimGroupModel = { ...current, members: [...current.members] };
  for (const op of ops) {
    if (op.path !== undefined) {
      set(g, op.op, op.path, op.value);
      continue;
    }
    if (!isObject(op.value)) throw scimInvalid('invalidValue', 'An operation without path needs an object value');
    // `schemas` in the value names the resource's schemas, not an attribute to change.
    for (const [k, v] of Object.entries(op.value)) if (k !== 'schemas') set(g, op.op, k, v);
  }
  return g;
}
