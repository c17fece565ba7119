import { scimInvalid } from './scim-errors.js';
import { isObject, type Json } from './values.js';

/**
 * Which attributes an answer carries (RFC 7644 §3.9): `attributes` replaces the default set,
 * `excludedAttributes` takes from it. Kontor's resources carry no `returned: request` or
 * `never` attribute, so the default set is the whole resource.
 */
export type Projection = { kind: 'all' } | { kind: 'only'; paths: string[] } | { kind: 'except'; paths: string[] };

/** The query parameters (or a SearchRequest's lists) that choose the attributes. */
export interface ProjectionParams {
  attributes?: string;
  excludedAttributes?: string;
}

const MAX_PATHS = 100;

const pathsOf = (list: string | undefined): string[] =>
  (list ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');

export function projectionOf(q: ProjectionParams): Projection {
  const only = pathsOf(q.attributes);
  const except = pathsOf(q.excludedAttributes);
  if (only.length > 0 && except.length > 0) {
    throw scimInvalid('invalidValue', 'attributes and excludedAttributes are mutually exclusive (RFC 7644 §3.9)');
  }
  if (only.length + except.length > MAX_PATHS) throw scimInvalid('invalidValue', `At most ${MAX_PATHS} attributes`);
  if (only.length > 0) return { kind: 'only', paths: only };
  return except.length > 0 ? { kind: 'except', paths: except } : { kind: 'all' };
}

// RFC 7643 §3.1: `id` is returned always; `schemas` says what the resource is.
const ALWAYS = new Set(['id', 'schemas']);

/**
 * A path as the keys it walks through the resource: `emails.value` → [emails, value];
 * `urn:…:enterprise:2.0:User:department` → [the extension's key, department] (a URN holds dots,
 * so extension keys are matched as prefixes); the core schema's URN prefix is dropped.
 * Names are case-insensitive (RFC 7643 §2.1).
 */
function segmentsOf(resource: Json, coreUrn: string, raw: string): string[] {
  const lower = raw.toLowerCase();
  const core = `${coreUrn.toLowerCase()}:`;
  const path = lower.startsWith(core) ? raw.slice(core.length) : raw;
  const urnKey = Object.keys(resource).find(
    (k) =>
      k.startsWith('urn:') &&
      (path.toLowerCase() === k.toLowerCase() || path.toLowerCase().startsWith(`${k.toLowerCase()}:`)),
  );
  if (urnKey) {
    const rest = path.slice(urnKey.length + 1);
    return [urnKey, ...(rest === '' ? [] : rest.split('.'))];
  }
  return path.split('.');
}

const keyOf = (o: Json, name: string): string | undefined =>
  Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());

/** The part of `v` a path selects, in the shape of `v`; undefined when it holds nothing there. */
function pick(v: unknown, segs: readonly string[]): unknown {
  if (segs.length === 0) return v;
  if (Array.isArray(v)) {
    // A sub-attribute of a multi-valued attribute: that sub-attribute of every value.
    return v.map((x) => pick(x, segs) ?? {});
  }
  if (!isObject(v)) return undefined;
  const [first = '', ...rest] = segs;
  const key = keyOf(v, first);
  if (key === undefined) return undefined;
  const inner = pick(v[key], rest);
  return inner === undefined ? undefined : { [key]: inner };
}

/** Merges what two paths picked: objects key by key, the values of a multi-valued attribute pairwise. */
function merge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return a.map((x, i) => merge(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return b ?? a;
}

function drop(v: unknown, segs: readonly string[]): unknown {
  if (Array.isArray(v)) return v.map((x) => drop(x, segs));
  if (!isObject(v)) return v;
  const [first = '', ...rest] = segs;
  const key = keyOf(v, first);
  if (key === undefined) return v;
  const out: Json = { ...v };
  if (rest.length === 0) delete out[key];
  else out[key] = drop(v[key], rest);
  return out;
}

/**
 * The resource with the attributes the projection chooses. `id` and `schemas` stay whatever is
 * asked; `schemas` then lists the core schema and only the extensions still present.
 */
export function project(resource: Json, coreUrn: string, p: Projection): Json {
  if (p.kind === 'all') return resource;
  let out: Json;
  if (p.kind === 'only') {
    out = {};
    for (const path of p.paths) out = merge(out, pick(resource, segmentsOf(resource, coreUrn, path)) ?? {}) as Json;
  } else {
    out = resource;
    for (const path of p.paths) {
      const segs = segmentsOf(resource, coreUrn, path);
      if (segs.length === 1 && ALWAYS.has((segs[0] ?? '').toLowerCase())) continue;
      out = drop(out, segs) as Json;
    }
  }
  const schemas = (resource.schemas as string[]).filter((s) => s === coreUrn || Object.hasOwn(out, s));
  const { schemas: _s, id: _i, ...rest } = out;
  return { schemas, id: resource.id, ...rest };
}
