import { describe, expect, it } from 'vitest';
import { allocatePorts, clusterConfig, DEFAULT_TIMING, endpointUrl, newSecrets } from './cluster-config.js';
import { missingPackages } from './install.js';
import { shellQuote } from './processes.js';

const state = { scope: 'kontor', basePort: 55000, timing: DEFAULT_TIMING, secrets: newSecrets() };

describe('cluster ports and settings', () => {
  it('derives every port from the base port without overlaps', () => {
    const p = allocatePorts(55000);
    const all = [
      p.write,
      p.read,
      p.stats,
      p.etcdClient,
      p.etcdPeer,
      ...Object.values(p.postgres),
      ...Object.values(p.rest),
    ];
    expect(new Set(all).size).toBe(all.length);
    expect(p.write).toBe(55000);
    expect(Math.max(...all)).toBe(55022);
    expect(all).not.toContain(5432);
  });

  it('refuses base ports that would run past 65535 or into privileged ports', () => {
    expect(() => allocatePorts(65530)).toThrow(/base port/);
    expect(() => allocatePorts(80)).toThrow(/base port/);
    expect(() => allocatePorts(55000.5)).toThrow(/base port/);
  });

  it('refuses a ttl shorter than loop_wait plus two retry timeouts', () => {
    expect(() => clusterConfig('/tmp/c', { ...state, timing: { ttl: 5, loopWait: 2, retryTimeout: 3 } })).toThrow(
      /ttl/,
    );
  });

  it('has two PostgreSQL nodes unless three are asked for, and refuses other counts', () => {
    expect(clusterConfig('/tmp/c', state).nodeNames).toEqual(['pg1', 'pg2']);
    expect(clusterConfig('/tmp/c', { ...state, nodes: 3 }).nodeNames).toEqual(['pg1', 'pg2', 'pg3']);
    expect(() => clusterConfig('/tmp/c', { ...state, nodes: 1 })).toThrow(/2 or 3/);
  });

  it('builds endpoint URLs with the password escaped', () => {
    const c = clusterConfig('/tmp/c', { ...state, secrets: { ...state.secrets, app: 'a/b@c' } });
    expect(endpointUrl(c, 'write')).toBe('postgres://kontor:a%2Fb%40c@127.0.0.1:55000/kontor');
    expect(endpointUrl(c, 'read', 'superuser', 'postgres')).toMatch(
      /^postgres:\/\/postgres:.*@127\.0\.0\.1:55001\/postgres$/,
    );
  });

  it('generates distinct random secrets', () => {
    const s = newSecrets();
    expect(new Set(Object.values(s)).size).toBe(4);
  });

  it('lists the Debian packages whose files are missing', () => {
    expect(missingPackages((f) => f !== '/usr/sbin/haproxy')).toEqual(['haproxy']);
    expect(missingPackages(() => true)).toEqual([]);
  });

  it('quotes shell words so that paths with spaces or quotes stay one word', () => {
    expect(shellQuote('/usr/bin/etcd')).toBe('/usr/bin/etcd');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});
