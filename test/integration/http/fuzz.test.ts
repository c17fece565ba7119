import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit } from './http-kit.js';
import { buildScene, type Scene } from './scene.js';

let h: HttpKit;
let sc: Scene;
beforeAll(async () => {
  h = await httpKit();
  sc = await buildScene(h);
});
afterAll(async () => h?.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  method: Method;
  path: string;
}

/** Every operation of the published OpenAPI document (the contract is what gets fuzzed). */
async function operations(): Promise<Operation[]> {
  const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      const m = method.toUpperCase() as Method;
      // Logging out would end the fuzzing session itself.
      if (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m) && path !== '/api/v1/auth/logout') {
        out.push({ method: m, path });
      }
    }
  }
  return out;
}

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\r\nX-Injected: 1',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '\u202e\u200b',
    'x'.repeat(5000),
    '00000000-0000-4000-8000-000000000000',
  ),
);

/** Deeply nested JSON, prototype keys, wrong types: bodies no client should send. */
const hostileBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.dictionary(hostileText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }).map((v) => JSON.stringify(v)),
  fc.nat({ max: 2000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.constantFrom(
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '{"roles":["AdministrationAdvanced"],"__proto__":null}',
    '{',
    'null',
    '"text"',
    '{"name":null,"kind":null,"slug":null,"loginName":null}',
  ),
);

describe('hostile input to every endpoint of the OpenAPI document', () => {
  it('never answers 5xx and never writes on a 4xx', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(30);
    for (const op of ops) {
      const before = await h.k.counts();
      let wrote = false;
      await fc.assert(
        fc.asyncProperty(hostileText, hostileBody, async (param, body) => {
          // The caller's own tenant keeps the id checks passing, so validation and handlers run.
          const url = op.path
            .replaceAll('{id}', param.length % 2 === 0 ? sc.r.id : encodeURIComponent(param))
            .replace(/\{[^}]+\}/g, () => encodeURIComponent(param));
          const res = await sc.admin.call(
            op.method,
            `${url}?q=${encodeURIComponent(param)}`,
            op.method === 'GET' || op.method === 'DELETE' ? undefined : body,
            { headers: { 'content-type': 'application/json' } },
          );
          expect(res.statusCode, `${op.method} ${url} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode < 300 && op.method !== 'GET') wrote = true;
        }),
        { numRuns: 15, seed: 4711 },
      );
      if (!wrote) expect(await h.k.counts(), `${op.method} ${op.path}`).toEqual(before);
    }
  }, 600_000);
});
