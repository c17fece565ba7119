import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';

/** A call to a target the guard refuses (never retried, never cached as "unreachable"). */
export class OutboundRefused extends Error {
  readonly code = 'OUTBOUND_REFUSED';
  constructor(
    readonly host: string,
    readonly range: string,
  ) {
    super(`outbound call refused: ${host} is in a ${range} range`);
  }
}

export interface OutboundPolicy {
  /** KONTOR_OUTBOUND_ALLOW_LOOPBACK: 127.0.0.0/8 and ::1 pass (development and tests only). */
  allowLoopback?: boolean;
  /** KONTOR_OUTBOUND_ALLOW: CIDRs that pass although private (an IdP on the internal network). */
  allow?: readonly string[];
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Why an address may not be called, or undefined when it may. Only global unicast passes by
 * default: ipaddr.js names every special range (loopback, private, uniqueLocal, linkLocal — the
 * metadata addresses 169.254.169.254 and fd00:ec2::254 are among them —, carrierGradeNat,
 * multicast, unspecified, reserved, 6to4/teredo/NAT64 that embed an IPv4 target, …).
 * IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it maps to.
 */
export function refusedRange(address: string, policy: OutboundPolicy = {}): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  const allowed = (policy.allow ?? []).map((c) => ipaddr.parseCIDR(c) as Cidr);
  if (allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return undefined;
  return range;
}

/** Throws OutboundRefused unless every address passes: a mixed answer is a rebinding attempt. */
function checkAll(host: string, addresses: readonly LookupAddress[], policy: OutboundPolicy): void {
  if (addresses.length === 0) throw new OutboundRefused(host, 'unresolved');
  for (const a of addresses) {
    const r = refusedRange(a.address, policy);
    if (r) throw new OutboundRefused(host, r);
  }
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A fetch that refuses forbidden targets; every outbound call of Kontor goes through one. */
export interface OutboundGuard {
  fetch: typeof fetch;
  close(): Promise<void>;
}

/**
 * The address is checked inside the connection's own DNS lookup and the checked address is the
 * one connected to, so a second answer (DNS rebinding) cannot swap it. IP literals skip the
 * lookup in node:net, so they are checked before the request.
 */
export function outboundGuard(policy: OutboundPolicy = {}, opts: { connectTimeoutMs?: number } = {}): OutboundGuard {
  const lookup = (host: string, options: { all?: boolean; family?: number }, cb: LookupCallback) => {
    dnsLookup(host, { all: true, family: options.family ?? 0 })
      .then((addresses) => {
        checkAll(host, addresses, policy);
        if (options.all) cb(null, addresses);
        else cb(null, addresses[0]?.address ?? '', addresses[0]?.family);
      })
      .catch((e: Error) => cb(e, ''));
  };
  const agent = new Agent({
    connect: { lookup: lookup as never, ...(opts.connectTimeoutMs ? { timeout: opts.connectTimeoutMs } : {}) },
  });

  const guarded = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) checkAll(host, [{ address: host, family: isIP(host) }], policy);
    // Redirects are not followed: a 30x to http://169.254.169.254 would bypass nothing (the
    // lookup checks it too) but an IdP has no reason to redirect its metadata.
    return undiciFetch(url, { ...(init as object), redirect: 'manual', dispatcher: agent } as never);
  };
  return { fetch: guarded as unknown as typeof fetch, close: () => agent.close() };
}

/** True when the error (or a cause in its chain) is the guard's refusal. */
export function refusedIn(e: unknown): OutboundRefused | undefined {
  for (let c = e, i = 0; c && i < 8; c = (c as { cause?: unknown }).cause, i++) {
    if (c instanceof OutboundRefused) return c;
  }
  return undefined;
}
