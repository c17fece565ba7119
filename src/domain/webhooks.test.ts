import { describe, expect, it } from 'vitest';
import { nextAttempt, RETRY_WINDOW_SECONDS, webhookBackoffSeconds, webhookUrlErrors } from './webhooks.js';

describe('webhook retries', () => {
  it('backs off exponentially with jitter in the upper half, capped at an hour', () => {
    expect(webhookBackoffSeconds(1, 0)).toBe(2.5);
    expect(webhookBackoffSeconds(1, 0.999)).toBeLessThan(5);
    expect(webhookBackoffSeconds(4, 0)).toBe(20);
    expect(webhookBackoffSeconds(30, 0.5)).toBe(2700);
  });

  it('gives up once the next attempt would fall beyond a day after the first', () => {
    const first = new Date('2026-12-07T00:00:00Z');
    const late = new Date(first.getTime() + (RETRY_WINDOW_SECONDS - 60) * 1000);
    expect(nextAttempt(first, 2, new Date(first.getTime() + 1000), 0.5)).toBeDefined();
    expect(nextAttempt(first, 20, late, 0.5)).toBeUndefined();
  });
});

describe('webhook URLs', () => {
  it('takes https, and http only to loopback when development allows it', () => {
    expect(webhookUrlErrors('https://hooks.example/in', false)).toEqual([]);
    expect(webhookUrlErrors('http://hooks.example/in', true)[0]?.code).toBe('https');
    expect(webhookUrlErrors('http://127.0.0.1:8080/in', false)[0]?.code).toBe('https');
    expect(webhookUrlErrors('http://127.0.0.1:8080/in', true)).toEqual([]);
    expect(webhookUrlErrors('https://user:pw@hooks.example/', false)[0]?.code).toBe('url');
    expect(webhookUrlErrors('not a url', false)[0]?.code).toBe('url');
  });
});
