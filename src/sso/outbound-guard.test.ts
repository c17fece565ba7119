import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundRefused, outboundGuard, refusedIn, refusedRange } from './outbound-guard.js';

describe('refusedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['255.255.255.255', 'broadcast'],
    ['2002:7f00:1::1', '6to4'],
  ])('refuses %s as %s', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it('refuses the classic decimal and octal spellings of loopback', () => {
    // ipaddr.js accepts these non-canonical IPv4 forms like inet_aton does.
    expect(refusedRange('2130706433')).toBe('loopback');
    expect(refusedRange('0177.0.0.1')).toBe('loopback');
    expect(refusedRange('0x7f.0.0.1')).toBe('loopback');
  });

  it('lets global unicast through', () => {
    expect(refusedRange('93.184.216.34')).toBeUndefined();
    expect(refusedRange('2606:4700::1111')).toBeUndefined();
  });

  it('lets loopback through only with allowLoopback', () => {
    expect(refusedRange('127.0.0.1', { allowLoopback: true })).toBeUndefined();
    expect(refusedRange('::ffff:127.0.0.1', { allowLoopback: true })).toBeUndefined();
    expect(refusedRange('10.0.0.1', { allowLoopback: true })).toBe('private');
  });

  it('lets an allow-listed CIDR through and nothing beside it', () => {
    const policy = { allow: ['10.20.0.0/16', 'fd00:1::/32'] };
    expect(refusedRange('10.20.3.4', policy)).toBeUndefined();
    expect(refusedRange('fd00:1::5', policy)).toBeUndefined();
    expect(refusedRange('10.21.0.1', policy)).toBe('private');
  });

  it('refuses what is not an address', () => {
    expect(refusedRange('example.com')).toBe('invalid');
  });
});

describe('outboundGuard', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses a loopback IP literal without connecting', async () => {
    const g = outboundGuard();
    const e = await g.fetch(`http://127.0.0.1:${port}/`).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(OutboundRefused);
    await g.close();
  });

  it('refuses a hostname that resolves to loopback', async () => {
    const g = outboundGuard();
    const e = await g.fetch(`http://localhost:${port}/`).catch((err: unknown) => err);
    expect(refusedIn(e)?.range).toBe('loopback');
    await g.close();
  });

  it('reaches loopback when the policy allows it', async () => {
    const g = outboundGuard({ allowLoopback: true });
    expect(await (await g.fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    expect(await (await g.fetch(`http://localhost:${port}/`)).text()).toBe('ok');
    await g.close();
  });
});
