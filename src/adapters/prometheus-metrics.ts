import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics, SignInOutcome, StorageFaultKind, StorageFaultStage } from '../domain/metrics.js';

/** Gauges read from the database on each scrape (see src/storage/system-store.ts). */
export interface ScrapeSample {
  activeSessions: number;
  outboxPending: number;
  outboxOldestPendingSeconds: number;
  outboxGivenUp: number;
  importJobsRunning: number;
  webhookPending: number;
  webhookOldestPendingSeconds: number;
  webhookSubscriptionsFailing: number;
}

export interface PrometheusMetricsOptions {
  /** Reads the scrape-time gauges; a failure sets `kontor_database_up` to 0. */
  sample?: () => Promise<ScrapeSample>;
  /** The connection pool's state (PostgreSQL only). */
  pool?: () => { total: number; idle: number; waiting: number };
}

/** Route label of a request no route matched: one value, however many paths are tried. */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

// Node's runtime metrics (heap, event loop lag, GC) describe the process, not one Kontor: they
// are collected once per process, on first use, so several Kontors in one process (tests, an
// embedding application) share one set of observers instead of adding one each.
let runtime: Registry | undefined;
function runtimeRegistry(): Registry {
  if (!runtime) {
    runtime = new Registry();
    collectDefaultMetrics({ register: runtime });
  }
  return runtime;
}

/**
 * Kontor's metrics on its own prom-client registry (no global registry: each Kontor counts for
 * itself). Every label is a closed set or a route template, never a path, a tenant or a user
 * (R7), so the series stay bounded whatever clients send.
 */
export class PrometheusMetrics implements Metrics {
  private readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly signIns: Counter<'outcome'>;
  private readonly decisions: Counter<'result' | 'cache'>;
  private readonly imports: Counter<'status'>;
  private readonly retries: Counter<'kind'>;
  private readonly faults: Counter<'kind' | 'stage'>;
  private readonly gauges: Record<keyof ScrapeSample | 'databaseUp', Gauge>;
  private readonly poolGauge: Gauge<'state'>;

  constructor(private readonly opts: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'kontor_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'kontor_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its answer, by method and route template',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.signIns = new Counter({
      name: 'kontor_sign_ins_total',
      help: 'Password sign-ins by outcome: succeeded, failed, throttled (a limit refused it)',
      labelNames: ['outcome'],
      registers,
    });
    this.decisions = new Counter({
      name: 'kontor_decisions_total',
      help: 'Authorization decisions by result (allowed, denied) and cache (hit, miss)',
      labelNames: ['result', 'cache'],
      registers,
    });
    this.imports = new Counter({
      name: 'kontor_import_jobs_total',
      help: 'Background user-import jobs finished on this instance, by status',
      labelNames: ['status'],
      registers,
    });
    this.retries = new Counter({
      name: 'kontor_storage_retries_total',
      help: 'Units of work run again after a transient storage fault, by fault kind',
      labelNames: ['kind'],
      registers,
    });
    this.faults = new Counter({
      name: 'kontor_storage_faults_total',
      help: 'Attempts that failed with a transient storage fault, by kind and stage',
      labelNames: ['kind', 'stage'],
      registers,
    });
    const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
    this.gauges = {
      databaseUp: gauge('kontor_database_up', '1 when the last scrape could read the database, else 0'),
      activeSessions: gauge('kontor_sessions_active', 'Sessions neither revoked nor past their idle or absolute end'),
      outboxPending: gauge('kontor_outbox_pending', 'Outbox messages (mail) waiting to be delivered'),
      outboxOldestPendingSeconds: gauge(
        'kontor_outbox_oldest_pending_age_seconds',
        'Age of the oldest outbox message waiting to be delivered; 0 when none waits',
      ),
      outboxGivenUp: gauge('kontor_outbox_given_up', 'Outbox messages given up after all attempts (kept 30 days)'),
      importJobsRunning: gauge('kontor_import_jobs_running', 'User-import jobs running on any instance'),
      webhookPending: gauge(
        'kontor_webhook_deliveries_pending',
        'Webhook deliveries not yet delivered (waiting or retrying)',
      ),
      webhookOldestPendingSeconds: gauge(
        'kontor_webhook_oldest_pending_age_seconds',
        'Age of the oldest undelivered webhook delivery (the delivery lag); 0 when none waits',
      ),
      webhookSubscriptionsFailing: gauge(
        'kontor_webhook_subscriptions_failing',
        'Webhook subscriptions marked failing after a day of failed retries',
      ),
    };
    this.poolGauge = new Gauge({
      name: 'kontor_db_pool_connections',
      help: 'PostgreSQL pool connections by state: total, idle, waiting (requests queued for one)',
      labelNames: ['state'],
      registers: opts.pool ? registers : [],
    });
  }

  signIn(outcome: SignInOutcome): void {
    this.signIns.inc({ outcome });
  }

  decision(allowed: boolean, cacheHit: boolean): void {
    this.decisions.inc({ result: allowed ? 'allowed' : 'denied', cache: cacheHit ? 'hit' : 'miss' });
  }

  importJob(status: 'succeeded' | 'failed'): void {
    this.imports.inc({ status });
  }

  storageRetry(kind: StorageFaultKind): void {
    this.retries.inc({ kind });
  }

  storageFault(kind: StorageFaultKind, stage: StorageFaultStage): void {
    this.faults.inc({ kind, stage });
  }

  /** One answered request; `route` is the matched template, or undefined when none matched. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : 'OTHER';
    const r = route ?? UNMATCHED_ROUTE;
    this.requests.inc({ method: m, route: r, status: String(status) });
    this.latency.observe({ method: m, route: r }, seconds);
  }

  /** The exposition text: Kontor's series (gauges read now) and the process's runtime metrics. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    if (this.opts.sample) {
      try {
        const s = await this.opts.sample();
        for (const key of Object.keys(s) as (keyof ScrapeSample)[]) this.gauges[key].set(s[key]);
        this.gauges.databaseUp.set(1);
      } catch {
        // The other gauges keep their last value: an outage must not look like an empty backlog.
        this.gauges.databaseUp.set(0);
      }
    }
    const pool = this.opts.pool?.();
    if (pool) {
      for (const state of ['total', 'idle', 'waiting'] as const) this.poolGauge.set({ state }, pool[state]);
    }
    const merged = Registry.merge([this.registry, runtimeRegistry()]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}
