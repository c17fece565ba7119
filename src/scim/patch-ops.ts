import { scimInvalid } from './scim-errors.js';
import { URN } from './scim-schemas.js';
import { isObject } from './values.js';

export type OpName = 'add' | 'replace' | 'remove';

export interface PatchOp {
  op: OpName;
  path: string | undefined;
  value: unknown;
}

const MAX_OPS = 1000;

/**
 * The Operations of a PatchOp body. Operation names are case-insensitive: Entra sends
 * "Replace" and "Add" capitalised, which RFC 7644 does not allow but every server must accept.
 */
export function parsePatch(body: unknown): PatchOp[] {
  if (!isObject(body) || !Array.isArray(body.Operations)) {
    throw scimInvalid('invalidSyntax', 'A PatchOp body needs an Operations list');
  }
  if (Array.isArray(body.schemas) && !body.schemas.includes(URN.patchOp)) {
    throw scimInvalid('invalidSyntax', `The schemas of a PATCH body must name ${URN.patchOp}`);
  }
  if (body.Operations.length > MAX_OPS) throw scimInvalid('invalidValue', `At most ${MAX_OPS} operations`);
  return body.Operations.map((o: unknown): PatchOp => {
    if (!isObject(o) || typeof o.op !== 'string') throw scimInvalid('invalidSyntax', 'Each operation needs an op');
    const op = o.op.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw scimInvalid('invalidSyntax', `Unknown op ${o.op}`);
    if (o.path !== undefined && typeof o.path !== 'string') throw scimInvalid('invalidPath', 'path must be a string');
    const path = o.path === '' ? undefined : o.path;
    if (op === 'remove' && path === undefined) throw scimInvalid('noTarget', 'A remove needs a path');
    if (op !== 'remove' && o.value === undefined) throw scimInvalid('invalidValue', `${o.op} needs a value`);
    return { op, path, value: o.value };
  });
}

/** A path without the resource's core-schema URN prefix (`urn:…:core:2.0:User:displayName`). */
export function stripCore(path: string, coreUrn: string): string {
  return path.toLowerCase().startsWith(`${coreUrn.toLowerCase()}:`) ? path.slice(coreUrn.length + 1) : path;
}

/** `members[value eq "id"]` → the id; undefined when the path has no such filter. */
export function valueFilterOf(path: string, attribute: string): string | undefined {
  const m = new RegExp(`^${attribute}\\[\\s*value\\s+eq\\s+("(?:[^"\\\\]|\\\\.)*")\\s*\\]$`, 'i').exec(path);
  if (!m?.[1]) return undefined;
  try {
    return JSON.parse(m[1]) as string;
  } catch {
    throw scimInvalid('invalidPath', `Malformed filter in path ${path}`);
  }
}
