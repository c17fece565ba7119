import pg from 'pg';
import type { Db } from './db.js';

/** The channel migration 003's triggers notify on every decision-relevant commit. */
export const DECISIONS_CHANNEL = 'kontor_decisions';
const RECONNECT_MS = 1000;
const CONNECT_TIMEOUT_MS = 2000;

const ofOtherSchema = (payload: string | undefined, schema: string | undefined): boolean => {
  if (!schema || !payload) return false;
  const at = payload.lastIndexOf(':');
  return at > 0 && payload.slice(0, at) !== schema;
};

/**
 * Calls `onChange` whenever a decision-relevant transaction commits anywhere on the database.
 * PostgreSQL: a dedicated connection LISTENs (a pooled one could be handed to a query and miss
 * notifications); when it breaks, `onChange` fires too (anything may have changed meanwhile)
 * and it reconnects. PGlite: its in-process listener. Channels are database-wide: with a
 * configured schema, notifications of other schemas (payload `schema:version`) are ignored;
 * anything else invalidates (a stray one costs one version read, a missed one correctness).
 * `onResync` fires when the connection is lost, on every failed reconnect and once it is back:
 * notifications may have been missed (a failover can even lose commits), so caches of database
 * state must be dropped outright, not merely re-verified.
 */
export async function listenForDecisionChanges(
  db: Db,
  databaseUrl: string | undefined,
  onChange: () => void,
  schema?: string,
  onResync: () => void = () => {},
): Promise<() => Promise<void>> {
  if (db.pglite) {
    const unlisten = await db.pglite.listen(DECISIONS_CHANNEL, () => onChange());
    return async () => {
      if (!db.pglite?.closed) await unlisten();
    };
  }
  if (!databaseUrl) return async () => {};
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reconnect = false;
  const retryLater = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      connect().catch(() => {
        onResync();
        onChange();
        retryLater();
      });
    }, RECONNECT_MS);
  };
  const connect = async (): Promise<void> => {
    // Fail fast while the server is away; keepalive notices a peer that vanished silently.
    const c = new pg.Client({
      connectionString: databaseUrl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    const lost = () => {
      if (client !== c) return; // a failed connect is retried by its caller
      client = undefined;
      onResync();
      onChange();
      c.end().catch(() => {});
      retryLater();
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      if (!ofOtherSchema(n.payload, schema)) onChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${DECISIONS_CHANNEL}`);
    } catch (e) {
      c.end().catch(() => {});
      throw e;
    }
    if (closed) return void (await c.end());
    client = c;
    if (reconnect) onResync();
    reconnect = true;
    onChange(); // notifications before LISTEN took effect were not seen
  };
  await connect();
  return async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    const c = client;
    client = undefined;
    await c?.end();
  };
}
