// Runs autocannon in its own process (so the load generator does not share the server's event
// loop) and prints its summary as JSON. Input: one JSON argument {url, requests, duration, connections?}.
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2]);
const result = await autocannon({
  url: opts.url,
  connections: opts.connections ?? 10,
  pipelining: 1,
  duration: opts.duration,
  requests: opts.requests,
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
