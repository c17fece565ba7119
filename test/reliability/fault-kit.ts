import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { AuthSettings } from '../../src/app/auth/auth-deps.js';
import type { Tenant } from '../../src/domain/tenant.js';
import type { User } from '../../src/domain/user.js';
import { onPostgres } from '../fixtures/kontor.js';
import { type Client, type HttpKit, httpKit, problem } from '../integration/http/http-kit.js';
import { createPrivatePg, type PrivatePg, privatePgAvailable } from './pg-private.js';

/**
 * Fault tests need a database they may stop: a private cluster of their own (initdb), used only
 * in PostgreSQL runs; on PGlite (plain `npm test`) they are skipped.
 */
export const faultTestsEnabled = (): boolean => onPostgres() && privatePgAvailable();

export const v1 = (path: string) => `/api/v1${path}`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Kontor HTTP app (the project's fixtures) on a private cluster, with a small scene. */
export interface FaultKit {
  db: PrivatePg;
  h: HttpKit;
  schema: string;
  reseller: Tenant;
  consumer: Tenant;
  /** An administrator of the reseller, signed in. */
  admin: Client;
  /** A buyer in the consumer, whose `orders.read` the app token checks. */
  buyer: User;
  /** The four kinds of request an outage must answer with 503: sign-in, read, write, decision. */
  requests: Record<'signIn' | 'me' | 'write' | 'check', () => Promise<LightMyRequestResponse>>;
  /** The pid of a backend matching an SQL condition on pg_stat_activity, polled until it shows. */
  backendWhere(condition: string, exceptPid?: number): Promise<number>;
  /** Rows of a table in the Kontor schema matching `where`. */
  countIn(table: string, where: string, values: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export async function faultKit(
  settings: Record<string, string | number> = {},
  auth: Partial<AuthSettings> = {},
): Promise<FaultKit> {
  const db = await createPrivatePg(settings);
  let h: HttpKit | undefined;
  try {
    // The fixtures build on DATABASE_URL: point them at the private cluster for this kit.
    const shared = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db.url;
    try {
      h = await httpKit(auth);
    } finally {
      process.env.DATABASE_URL = shared;
    }
    const kit = h;
    const schema = kit.k.config.dbSchema as string;
    const reseller = await kit.k.aTenant(kit.k.root, 'reseller');
    const consumer = await kit.k.aTenant(reseller, 'consumer');
    const admin = await kit.signedIn(reseller, ['AdministrationAdvanced']);
    const buyer = await kit.k.aUserIn(consumer, ['CustomerBasic']);
    const token = (await admin.call('POST', v1('/me/tokens'), { name: 'shop' })).json().token as string;
    let seq = 0;
    return {
      db,
      h: kit,
      schema,
      reseller,
      consumer,
      admin,
      buyer,
      requests: {
        signIn: () => kit.login(reseller, admin.user.loginName),
        me: () => admin.call('GET', v1('/me')),
        write: () => admin.call('POST', v1(`/tenants/${reseller.id}/users`), { loginName: `outage-${++seq}` }),
        check: () =>
          kit.app.inject({
            method: 'POST',
            url: v1('/check'),
            payload: { userId: buyer.id, tenantId: consumer.id, permission: 'orders.read' },
            headers: { authorization: `Bearer ${token}` },
          }),
      },
      async backendWhere(condition, exceptPid = 0) {
        for (let i = 0; i < 200; i++) {
          const rows = await db.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE ${condition} AND pid <> $1 AND pid <> pg_backend_pid()`,
            [exceptPid],
          );
          if (rows[0]) return rows[0].pid;
          await sleep(25);
        }
        throw new Error(`no backend where ${condition}`);
      },
      async countIn(table, where, values) {
        const rows = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${schema}.${table} WHERE ${where}`,
          values,
        );
        return Number(rows[0]?.n);
      },
      async close() {
        await kit.close().catch(() => {});
        await db.destroy();
      },
    };
  } catch (e) {
    await h?.close().catch(() => {});
    await db.destroy();
    throw e;
  }
}

/** A 503 problem+json `storage.unavailable` with a Retry-After. */
export function expectUnavailable(res: LightMyRequestResponse): Record<string, unknown> {
  const body = problem(res, 503, 'storage.unavailable');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  return body;
}
