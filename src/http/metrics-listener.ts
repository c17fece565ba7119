import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpMetrics } from './plugins/metrics.js';

export interface MetricsListener {
  /** Where it listens, e.g. http://127.0.0.1:9464 (the actual port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/**
 * The separate metrics listener (KONTOR_METRICS_LISTEN): GET /metrics without credentials, for
 * Prometheus inside the network. Deliberately nothing else — no API, no console, no health — so
 * exposing this address exposes only counts that carry no tenant or user (R7). Bind it to an
 * internal address; the public port keeps requiring an operation role.
 */
export async function startMetricsListener(
  metrics: Pick<HttpMetrics, 'scrape'>,
  at: { host: string; port: number },
  onError: (e: unknown) => void = () => {},
): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: only GET /metrics\n');
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (e: unknown) => {
        onError(e);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics unavailable\n');
      },
    );
  });
  // Scrapes are small and frequent: a stuck client must not hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
