import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterConfig, DEFAULT_TIMING, newSecrets } from './cluster-config.js';
import { etcdArgs } from './etcd.js';
import { renderHaproxyConfig } from './haproxy-config.js';
import { renderPatroniYaml } from './patroni-config.js';

const c = clusterConfig('/srv/cluster', {
  scope: 'kontor',
  basePort: 56000,
  timing: DEFAULT_TIMING,
  secrets: newSecrets(),
});

describe('rendered cluster files', () => {
  it('writes a Patroni config for the v3 etcd API with strict synchronous replication', () => {
    const y = parse(renderPatroniYaml(c, 'pg2'));
    expect(y.name).toBe('pg2');
    expect(y.etcd3).toEqual({ hosts: '127.0.0.1:56003' });
    expect(y.etcd).toBeUndefined();
    expect(y.bootstrap.dcs).toMatchObject({ ttl: 10, loop_wait: 2, retry_timeout: 3 });
    expect(y.bootstrap.dcs.synchronous_mode).toBe(true);
    expect(y.bootstrap.dcs.synchronous_mode_strict).toBe(true);
    expect(y.postgresql.listen).toBe('127.0.0.1:56011');
    expect(y.restapi.listen).toBe('127.0.0.1:56021');
    expect(y.postgresql.data_dir).toBe('/srv/cluster/pg2/data');
  });

  it('puts pg_hba under bootstrap.dcs so passwords are enforced, and enables what pg_rewind needs', () => {
    const y = parse(renderPatroniYaml(c, 'pg1'));
    expect(y.bootstrap.pg_hba).toBeUndefined();
    const hba: string[] = y.bootstrap.dcs.postgresql.pg_hba;
    expect(hba).toContain('host all all 127.0.0.1/32 scram-sha-256');
    expect(hba.some((l) => /^host .*trust/.test(l))).toBe(false);
    expect(y.bootstrap.dcs.postgresql.parameters.wal_log_hints).toBe('on');
    expect(y.bootstrap.dcs.postgresql.use_pg_rewind).toBe(true);
    expect(y.postgresql.authentication.rewind.username).toBe('rewind_user');
    expect(y.postgresql.authentication.superuser.password).toBe(c.secrets.superuser);
  });

  it('routes the write endpoint by GET /primary and the read endpoint by GET /replica, loopback only', () => {
    const cfg = renderHaproxyConfig(c);
    const section = (name: string) => cfg.split('listen ').find((s) => s.startsWith(name)) ?? '';
    expect(section('pg_primary')).toContain('bind 127.0.0.1:56000');
    expect(section('pg_primary')).toContain('option httpchk GET /primary');
    expect(section('pg_replicas')).toContain('bind 127.0.0.1:56001');
    expect(section('pg_replicas')).toContain('option httpchk GET /replica');
    expect(section('pg_primary')).toContain('server pg2 127.0.0.1:56011 maxconn 100 check port 56021');
    expect(cfg).not.toMatch(/bind (?!127\.0\.0\.1)/);
  });

  it("lists only the cluster's nodes as HAProxy servers", () => {
    expect(renderHaproxyConfig(c)).not.toContain('server pg3');
    const three = clusterConfig('/srv/cluster', { ...c, nodes: 3 });
    expect(renderHaproxyConfig(three)).toContain('server pg3 127.0.0.1:56012 maxconn 100 check port 56022');
  });

  it('starts one etcd member on loopback', () => {
    const args = etcdArgs(c);
    expect(args).toContain('http://127.0.0.1:56003');
    expect(args).toContain('kontor-etcd=http://127.0.0.1:56004');
  });
});
